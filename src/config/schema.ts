/**
 * The config file's shape, as zod schemas. The types of what the file says are derived
 * from them with `z.infer`, so the schema is the single source of truth; `ServerSpec`
 * and `LoadedConfig` below are what the loader makes of it (dialect-free, paths resolved).
 *
 * A config file is JSON, or JSONC (comments, trailing commas) like VS Code's `mcp.json`. Servers come in either dialect (or both):
 * - Claude Desktop / Cursor / most hosts: `{ "mcpServers": { "<name>": { command, args, env, cwd } } }`
 * - VS Code: `{ "servers": { "<name>": { "type": "stdio", command, args, env, cwd } } }`
 * Agent settings sit beside them at the top level. Unknown keys, at the top level and in a
 * server entry, are neither expanded nor validated, so a config written for another host
 * loads as it is; one that looks like a typo of a known key draws a warning.
 */
import { z } from 'zod';
import { LogLevelSchema } from '../log/logger.js';
import { httpUrlSchema, secondsSchema } from './values.js';
import { PermissionRulesSchema, PermissionSchema, type Permission, type PermissionRules } from '../policy/approval.js';

const stringRecord = z.record(z.string(), z.string());

/** One server entry, in the fields both dialects share. */
export const ServerEntrySchema = z.looseObject({
  /**
   * `stdio` (default with a command). `http` / `streamable-http`: Streamable HTTP; `sse`: the
   * legacy HTTP+SSE transport; a `url` with no type tries Streamable HTTP, then SSE.
   */
  type: z.enum(['stdio', 'http', 'sse', 'streamable-http']).optional(),
  /** Executable to start, looked up on PATH (e.g. `npx`, `node`, `uvx`). */
  command: z.string().min(1, 'must be a non-empty command, e.g. "npx" or "node"').optional(),
  args: z.array(z.string()).default([]),
  /** Added to the SDK's safe default environment (HOME, PATH, SHELL, TERM, USER, LOGNAME). */
  env: stringRecord.default({}),
  /** A dotenv file (VS Code's field), relative to the config file's folder; `env` wins over it. */
  envFile: z.string().min(1).optional(),
  /** Working directory; a relative path resolves against the config file's folder. */
  cwd: z.string().optional(),
  /** URL of a remote (HTTP) server: http(s) only; plain http only to loopback unless `allowInsecure`. */
  url: httpUrlSchema.optional(),
  /** Sent on every request to a remote server (`${env:VAR}` expanded; values are secrets, shown as `***`). */
  headers: stringRecord.default({}),
  /** Allow plain http:// to a host that is not loopback (headers and tokens then travel in clear text). */
  allowInsecure: z.boolean().optional(),
  /** OAuth settings of a remote server (see RemoteAuthSchema). */
  auth: z.lazy(() => RemoteAuthSchema).optional(),
  /** Per-call timeout in seconds for this server's tools (overrides --tool-timeout). */
  timeout: secondsSchema.optional(),
  /**
   * The folders offered to the server as MCP roots (`roots/list`); relative paths resolve like
   * `cwd`. Default: the folder Switchboard runs in; `[]` offers none (a server that takes its
   * folders as arguments, such as server-filesystem, then keeps them: roots replace them).
   */
  roots: z.array(z.string().min(1, 'must be a folder path')).optional(),
  /** `true` leaves the server out, as in Cline/Roo configs. */
  disabled: z.boolean().optional(),
  /** Shorthand for every tool of this server: `allow`, `ask` or `deny` (see policy/approval.ts). */
  permissions: PermissionSchema.optional(),
  /** The user trusts this server: its `readOnlyHint` annotations let calls run without asking (approval mode auto). */
  trust: z.boolean().optional(),
  /** Which of the server's tools are offered to the model (globs over the original names); excluded ones are never sent. */
  tools: z.object({ include: z.array(z.string()).optional(), exclude: z.array(z.string()).optional() }).optional(),
  /**
   * The server's requests for a completion from the host's model (`sampling/createMessage`):
   * `ask` (default: the user approves each one in a terminal; denied without one), `allow`
   * (served without asking, also without a terminal), `deny`.
   */
  sampling: z.enum(['ask', 'allow', 'deny']).optional(),
}).superRefine((entry, context) => {
  // Checked here, not later, so a missing command is reported with every other problem.
  if (isHttpEntry(entry)) {
    if (!entry.url) context.addIssue({ code: 'custom', path: ['url'], message: 'an HTTP server needs a "url"' });
  } else if (entry.command === undefined) {
    context.addIssue({
      code: 'custom',
      path: ['command'],
      message: 'missing; a stdio server needs a command, e.g. "command": "npx", "args": ["-y", "@modelcontextprotocol/server-filesystem", "."]',
    });
  }
});

/**
 * OAuth for a remote server. Without it a server that answers 401 is authorized with the
 * authorization-code flow (PKCE, loopback redirect), registering the client dynamically;
 * `clientId` (and `clientSecret`) use a pre-registered client instead, `clientMetadataUrl`
 * a Client ID Metadata Document. `grant: "client_credentials"` is machine-to-machine.
 */
export const RemoteAuthSchema = z.object({
  grant: z.enum(['authorization_code', 'client_credentials']).default('authorization_code'),
  clientId: z.string().min(1).optional(),
  clientSecret: z.string().min(1).optional(),
  clientMetadataUrl: httpUrlSchema.optional(),
  /** Space-separated scopes to ask for when the server names none. */
  scope: z.string().min(1).optional(),
}).superRefine((auth, context) => {
  if (auth.grant === 'client_credentials' && (!auth.clientId || !auth.clientSecret)) {
    context.addIssue({ code: 'custom', path: ['clientId'], message: 'the client_credentials grant needs "clientId" and "clientSecret" (e.g. "${env:MY_CLIENT_SECRET}")' });
  }
});
export type RemoteAuth = z.infer<typeof RemoteAuthSchema>;

/** An entry for a server reached over HTTP rather than started as a process. */
export function isHttpEntry(entry: { type?: string; url?: string; command?: string }): boolean {
  return entry.type === 'http' || entry.type === 'sse' || entry.type === 'streamable-http' || (entry.url !== undefined && entry.command === undefined);
}

/** Agent settings (all optional; CLI flags override them). */
export const AgentSettingsSchema = z.object({
  /** Model id on Hugging Face, the model name of an OpenAI-compatible server, or `scripted:PATH`. */
  model: z.string().min(1).optional(),
  /** Inference provider (`auto`, `together`, `groq`, ...). Ignored when `endpointUrl` is set. */
  provider: z.string().min(1).optional(),
  /** Base URL of an OpenAI-compatible server, e.g. `http://127.0.0.1:8080/v1`. */
  endpointUrl: httpUrlSchema.optional(),
  /** Name of the environment variable holding the model server's key (default: HF_TOKEN for Hugging Face hosts, SWITCHBOARD_API_KEY for others). */
  apiKeyEnv: z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'must be the name of an environment variable, such as "MY_API_KEY"').optional(),
  /** System prompt text, taken as written (variables are not expanded in it). */
  system: z.string().optional(),
  /** Cap on model calls per user message (every call counts). */
  maxSteps: z.number().int().positive().optional(),
  /** Default per-call tool timeout in seconds. */
  toolTimeout: secondsSchema.optional(),
  /** Model request timeout in seconds. */
  modelTimeout: secondsSchema.optional(),
  /** How many times a failed model request is retried. */
  retries: z.number().int().min(0).optional(),
  /** Longest single wait, in seconds, before retrying a model request; a longer Retry-After fails at once. */
  maxRetryWait: secondsSchema.optional(),
  /** Tool output longer than this is cut, keeping head and tail. */
  maxToolOutputChars: z.number().int().min(200).optional(),
  /** Seconds a server may take to start and answer initialize. */
  startupTimeout: secondsSchema.optional(),
  /** Budget for the history sent to the model, in estimated tokens. */
  maxContextTokens: z.number().int().min(256).optional(),
  /** Tool calls of one model reply that run; the rest are answered with an error naming the limit (default 128). */
  maxToolCallsPerReply: z.number().int().positive().optional(),
  /** Tool calls running at once; the others wait, in call order (default 16). */
  maxParallelToolCalls: z.number().int().positive().optional(),
  /** Characters one model reply may carry, text, reasoning and tool calls together (default 1,000,000); past it the request fails, not retried. */
  maxReplyChars: z.number().int().min(1000).optional(),
  /** Seconds one model reply may take in total, however steadily it streams (default 900); past it the request fails, not retried. */
  maxReplyTime: secondsSchema.optional(),
  /** Send images from tool results to the model (as `image_url` parts of a user message); for models that take images. */
  images: z.boolean().optional(),
  /** Send the model token over plain http:// to a host that is not loopback (off: refused). */
  allowInsecureEndpoint: z.boolean().optional(),
  /** Append a JSON-lines log of each run to this file (relative to the config file's folder); `--log-file` wins. */
  logFile: z.string().min(1).optional(),
  /** Least level written to the log: debug, info (default), warn, error. */
  logLevel: LogLevelSchema.optional(),
  /** Show a thinking model's reasoning (dimmed, above the answer) in a terminal; default true. */
  showReasoning: z.boolean().optional(),
  /** Keep each server's last tool listing in the user's cache folder, so chat answers sooner (default true; `--no-cache` wins). */
  cache: z.boolean().optional(),
  /** Record every chat as a session file (default true); `false` is `--no-session` for every run. */
  saveSessions: z.boolean().optional(),
  /**
   * The answer to a server's request for user input (form mode) when there is no terminal to ask
   * on: `decline` (default), `cancel`, or `defaults`: accept with the defaults the request's
   * schema gives, when every required field has one (else decline). A URL request is always
   * declined without a terminal (a page is never opened without the user's consent).
   */
  elicitation: z.enum(['decline', 'cancel', 'defaults']).optional(),
});

export const ConfigFileSchema = z.looseObject({
  mcpServers: z.record(z.string(), ServerEntrySchema).optional(),
  servers: z.record(z.string(), ServerEntrySchema).optional(),
  /** Approval rules: globs over `server/tool` (policy/approval.ts). */
  permissions: PermissionRulesSchema.optional(),
  ...AgentSettingsSchema.shape,
});

export type ServerEntry = z.infer<typeof ServerEntrySchema>;
export type AgentSettings = z.infer<typeof AgentSettingsSchema>;
export type ConfigFile = z.infer<typeof ConfigFileSchema>;

/** A server as the host uses it: dialect-free, paths resolved, env expanded. */
export interface ServerSpec {
  name: string;
  transport: 'stdio' | 'http';
  /** For `http`: which HTTP transport (`auto`: Streamable HTTP, falling back to SSE). */
  remoteKind?: 'streamable-http' | 'sse' | 'auto';
  /** For `http`: sent on every request; values are secrets. */
  headers?: Record<string, string>;
  /** For `http`: plain http:// to a host that is not loopback is allowed. */
  allowInsecure?: boolean;
  auth?: RemoteAuth;
  command: string;
  args: string[];
  env: Record<string, string>;
  cwd?: string;
  url?: string;
  /** Per-call timeout in seconds, when the config sets one for this server. */
  timeoutSeconds?: number;
  /** `"trust": true`: the server's read-only annotations are believed. */
  trusted?: boolean;
  /** `"permissions"` shorthand for all of its tools. */
  permission?: Permission;
  /** `"tools": {"include", "exclude"}`: globs over original tool names. */
  toolFilter?: { include?: string[]; exclude?: string[] };
  /** MCP roots offered to the server (absolute paths), when the config names them; else the current folder. */
  roots?: string[];
  /** Its sampling requests: ask (default), allow, deny (see ServerEntrySchema). */
  sampling?: 'ask' | 'allow' | 'deny';
}

/**
 * How the file was found: `explicit` (--config), `project` (./switchboard.json: needs the
 * user's approval), `user` (config.json in the user's Switchboard folder), `bundled`.
 */
export type ConfigOrigin = 'explicit' | 'project' | 'user' | 'bundled';

/** A loaded, validated config. */
export interface LoadedConfig {
  /** Absolute path of the file it came from. */
  path: string;
  origin: ConfigOrigin;
  /** True when no --config and no ./switchboard.json: the bundled default. */
  isBundledDefault: boolean;
  servers: ServerSpec[];
  settings: AgentSettings;
  /** Things worth a warning that do not stop the load (e.g. a key that looks like a typo). */
  warnings: string[];
  /** Values to mask wherever text is shown: every expanded variable's value, every server `env` value. */
  secrets: string[];
  /** The `"permissions"` block (empty lists when absent). */
  permissions: PermissionRules;
}
