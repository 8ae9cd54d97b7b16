/**
 * Effective settings for a run: command-line flags win over the config file, which
 * wins over the defaults. The defaults live here and nowhere else.
 */
import { dirname, resolve } from 'node:path';
import type { AgentSettings, LoadedConfig } from '../config/schema.js';

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
  /** Tool-result images go to the model (config `"images": true`); off by default. */
  images: boolean;
  verbose: boolean;
  strict: boolean;
  /** Send the token over plain http:// to a non-loopback host (refused otherwise). */
  allowInsecureEndpoint: boolean;
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
    images: file.images ?? false,
    verbose: flags.verbose ?? false,
    strict: flags.strict ?? false,
    allowInsecureEndpoint: flags.allowInsecureEndpoint ?? file.allowInsecureEndpoint ?? false,
    saveSessions: file.saveSessions ?? true,
  };
}

/** A `scripted:PATH` model named in a config file is relative to that file, like its other paths. */
function scriptedRelativeTo(model: string | undefined, configDir: string): string | undefined {
  const prefix = 'scripted:';
  if (!model?.startsWith(prefix)) return model;
  return `${prefix}${resolve(configDir, model.slice(prefix.length))}`;
}
