/**
 * Effective settings for a run: command-line flags win over the config file, which
 * wins over the defaults. The defaults live here and nowhere else.
 */
import { dirname, resolve } from 'node:path';
import { DEFAULT_MAX_PARALLEL_TOOL_CALLS, DEFAULT_MAX_TOOL_CALLS_PER_REPLY } from '../agent/limits.js';
import type { AgentSettings, LoadedConfig } from '../config/schema.js';
import type { LogLevel } from '../log/logger.js';
import { DEFAULT_MAX_REPLY_CHARS, DEFAULT_MAX_REPLY_SECONDS } from '../llm/reply-limits.js';

export const DEFAULTS = {
  model: 'moonshotai/Kimi-K2-Thinking',
  provider: 'auto',
  maxSteps: 20,
  toolTimeoutSeconds: 60,
  modelTimeoutSeconds: 120,
  retries: 3,
  maxToolOutputChars: 20_000,
  maxContextTokens: 100_000,
  startupTimeoutSeconds: 30,
  maxRetryWaitSeconds: 60,
  logLevel: 'info',
  maxToolCallsPerReply: DEFAULT_MAX_TOOL_CALLS_PER_REPLY,
  maxParallelToolCalls: DEFAULT_MAX_PARALLEL_TOOL_CALLS,
  maxReplyChars: DEFAULT_MAX_REPLY_CHARS,
  maxReplyTimeSeconds: DEFAULT_MAX_REPLY_SECONDS,
} as const;

/** The global flags, camelCase, after parsing and checking (all optional). */
export interface GlobalFlags {
  config?: string;
  model?: string;
  provider?: string;
  endpointUrl?: string;
  apiKeyEnv?: string;
  system?: string;
  maxSteps?: number;
  toolTimeout?: number;
  modelTimeout?: number;
  retries?: number;
  verbose?: boolean;
  strict?: boolean;
  allowInsecureEndpoint?: boolean;
  logFile?: string;
  logLevel?: LogLevel;
  /** false with --no-progress: no spinners on a terminal. */
  progress?: boolean;
  /** --hide-reasoning */
  hideReasoning?: boolean;
  /** false with --no-cache. */
  cache?: boolean;
}

export interface RunSettings {
  model: string;
  provider: string;
  endpointUrl?: string;
  /** The environment variable holding the model server's key (overrides the HF_TOKEN / SWITCHBOARD_API_KEY choice). */
  apiKeyEnv?: string;
  system?: string;
  maxSteps: number;
  toolTimeoutMs: number;
  modelTimeoutMs: number;
  retries: number;
  /** Longest single wait before retrying a model request. */
  maxRetryWaitMs: number;
  maxToolOutputChars: number;
  maxContextTokens: number;
  startupTimeoutMs: number;
  /** Resource limits of one model reply and its tool calls (see reply-limits.ts and the agent loop). */
  maxToolCallsPerReply: number;
  maxParallelToolCalls: number;
  maxReplyChars: number;
  maxReplyTimeMs: number;
  /** Tool-result images go to the model (config `"images": true`); off by default. */
  images: boolean;
  verbose: boolean;
  strict: boolean;
  /** Send the token over plain http:// to a non-loopback host (refused otherwise). */
  allowInsecureEndpoint: boolean;
  /** The JSON-lines log (absolute path), when one is asked for; and its least level. */
  logFile?: string;
  logLevel: LogLevel;
  /** Spinners and elapsed times on a terminal. */
  progress: boolean;
  /** The model's reasoning on a terminal (always with --verbose). */
  showReasoning: boolean;
  /** Use the tool-listing cache (see mcp/tool-cache.ts); `--no-cache` or config `"cache": false` turn it off. */
  cache: boolean;
  /** Record chats in session files (config `saveSessions`, default true; --no-session per run). */
  saveSessions: boolean;
}

export function resolveSettings(flags: GlobalFlags, config: LoadedConfig): RunSettings {
  const file: AgentSettings = config.settings;
  return {
    model: flags.model ?? scriptedRelativeTo(file.model, dirname(config.path)) ?? DEFAULTS.model,
    provider: flags.provider ?? file.provider ?? DEFAULTS.provider,
    endpointUrl: flags.endpointUrl ?? file.endpointUrl,
    apiKeyEnv: flags.apiKeyEnv ?? file.apiKeyEnv,
    system: flags.system ?? file.system,
    maxSteps: flags.maxSteps ?? file.maxSteps ?? DEFAULTS.maxSteps,
    toolTimeoutMs: (flags.toolTimeout ?? file.toolTimeout ?? DEFAULTS.toolTimeoutSeconds) * 1000,
    modelTimeoutMs: (flags.modelTimeout ?? file.modelTimeout ?? DEFAULTS.modelTimeoutSeconds) * 1000,
    retries: flags.retries ?? file.retries ?? DEFAULTS.retries,
    maxRetryWaitMs: (file.maxRetryWait ?? DEFAULTS.maxRetryWaitSeconds) * 1000,
    maxToolOutputChars: file.maxToolOutputChars ?? DEFAULTS.maxToolOutputChars,
    maxContextTokens: file.maxContextTokens ?? DEFAULTS.maxContextTokens,
    startupTimeoutMs: (file.startupTimeout ?? DEFAULTS.startupTimeoutSeconds) * 1000,
    maxToolCallsPerReply: file.maxToolCallsPerReply ?? DEFAULTS.maxToolCallsPerReply,
    maxParallelToolCalls: file.maxParallelToolCalls ?? DEFAULTS.maxParallelToolCalls,
    maxReplyChars: file.maxReplyChars ?? DEFAULTS.maxReplyChars,
    maxReplyTimeMs: (file.maxReplyTime ?? DEFAULTS.maxReplyTimeSeconds) * 1000,
    images: file.images ?? false,
    verbose: flags.verbose ?? false,
    strict: flags.strict ?? false,
    allowInsecureEndpoint: flags.allowInsecureEndpoint ?? file.allowInsecureEndpoint ?? false,
    // A flag's path is relative to where the command runs; the config's, to the config file, like its other paths.
    logFile: flags.logFile !== undefined ? resolve(flags.logFile) : file.logFile !== undefined ? resolve(dirname(config.path), file.logFile) : undefined,
    logLevel: flags.logLevel ?? file.logLevel ?? DEFAULTS.logLevel,
    progress: flags.progress !== false,
    showReasoning: flags.hideReasoning === true ? false : (file.showReasoning ?? true),
    cache: flags.cache ?? file.cache ?? true,
    saveSessions: file.saveSessions ?? true,
  };
}

/** A `scripted:PATH` model named in a config file is relative to that file, like its other paths. */
function scriptedRelativeTo(model: string | undefined, configDir: string): string | undefined {
  const prefix = 'scripted:';
  if (!model?.startsWith(prefix)) return model;
  return `${prefix}${resolve(configDir, model.slice(prefix.length))}`;
}

/** The agent loop's limits and prompt from the run's settings: one place for chat and serve. */
export function agentLimits(settings: RunSettings) {
  const { system, maxSteps, maxContextTokens, images, maxToolCallsPerReply, maxParallelToolCalls } = settings;
  return { system, maxSteps, maxContextTokens, images, maxToolCallsPerReply, maxParallelToolCalls };
}
