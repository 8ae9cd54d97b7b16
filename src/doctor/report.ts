/**
 * The contract of `switchboard doctor --json`: one JSON document, this shape (`v: 1`).
 * Types come from these schemas; the text rendering (ui/doctor-report.ts) reads the same.
 *
 * `ok` is false when anything failed: a server that did not start (or was not started: an
 * untrusted config, a variable without a value), or the model check. Smells, renamed tools,
 * a large token cost and slow starts are warnings: they do not make `ok` false.
 */
import { z } from 'zod';

export const ServerReportSchema = z.object({
  name: z.string(),
  ok: z.boolean(),
  /** `ready`: started and listed; `failed`: its start failed; `not_started`: doctor did not start it (`problem` says why). */
  status: z.enum(['ready', 'failed', 'not_started']),
  transport: z.enum(['stdio', 'http']),
  /** The command line (stdio), secrets masked. */
  command: z.string().optional(),
  url: z.string().optional(),
  /** Remote servers: what is known of authorization. */
  auth: z.string().optional(),
  /** Why it failed or was not started. */
  problem: z.string().optional(),
  /** From spawning the process to the initialize answer, in ms. */
  initMs: z.number().optional(),
  /** The start took more than half of startupTimeout. */
  slow: z.boolean().optional(),
  protocolVersion: z.string().optional(),
  serverInfo: z.object({ name: z.string(), version: z.string() }).optional(),
  /** The capabilities the server declared (names: tools, resources, prompts, logging, ...). */
  capabilities: z.array(z.string()),
  counts: z.object({ tools: z.number(), resources: z.number().optional(), resourceTemplates: z.number().optional(), prompts: z.number().optional() }),
  /** Tools offered to the model under another name. */
  renamed: z.array(z.object({ tool: z.string(), exposedName: z.string(), reason: z.string() })),
  /** Tools not offered to the model. */
  leftOut: z.array(z.object({ tool: z.string(), reason: z.string() })),
  /** Tools the entry's `"tools"` filter keeps from the model (original names); counted in `counts.tools` (what the server lists). */
  filtered: z.array(z.string()),
  /** Characters a reader cannot see in a tool's name or description (the model reads them): one warning each. */
  hidden: z.array(z.object({ tool: z.string(), warning: z.string() })),
  /** Input-schema features some providers reject. */
  smells: z.array(z.object({ tool: z.string(), smell: z.string() })),
  /** Estimated tokens of this server's function schemas, sent with every model request. */
  schemaTokens: z.number(),
  /** schemaTokens is over TOKEN_BUDGET. */
  overTokenBudget: z.boolean(),
  /** Variables the entry uses that have no value (the server is then not started). */
  unsetVariables: z.array(z.object({ name: z.string(), field: z.string(), message: z.string() })),
  /** Things the host noticed while starting or listing it. */
  notices: z.array(z.string()),
});

export const ModelReportSchema = z.object({
  ok: z.boolean(),
  model: z.string(),
  /** The OpenAI-compatible endpoint, or absent for Hugging Face Inference Providers. */
  endpointUrl: z.string().optional(),
  /** The variable whose key is sent (never its value), when it is set. */
  keyVariable: z.string().optional(),
  /** Whether one request was sent (`--model-check`). */
  requestSent: z.boolean(),
  problem: z.string().optional(),
  /** What worked, in words. */
  detail: z.string().optional(),
});

export const DoctorReportSchema = z.object({
  v: z.literal(1),
  ok: z.boolean(),
  config: z.object({
    path: z.string(),
    origin: z.enum(['explicit', 'project', 'user', 'bundled']),
    trusted: z.boolean(),
    /** For an untrusted project config: what it would run (nothing was started). */
    wouldRun: z.array(z.string()).optional(),
    warnings: z.array(z.string()),
  }),
  servers: z.array(ServerReportSchema),
  model: ModelReportSchema,
});

export type ServerReport = z.infer<typeof ServerReportSchema>;
export type ModelReport = z.infer<typeof ModelReportSchema>;
export type DoctorReport = z.infer<typeof DoctorReportSchema>;

/** Over this many estimated tokens of tool schemas, a server is flagged (they go with every request). */
export const TOKEN_BUDGET = 5000;
