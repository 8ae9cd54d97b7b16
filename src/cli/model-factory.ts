/**
 * Chooses the model from the settings: `scripted:PATH`, an OpenAI-compatible
 * endpoint, or Hugging Face Inference Providers.
 */
import { relative, resolve } from 'node:path';
import { keyVariableFor } from '../config/api-key.js';
import { DEMO_SCRIPT_PATH } from '../config/load.js';
import { UserInputError } from '../errors.js';
import { assertTokenTransport } from '../policy/transport.js';
import { HfChatModel } from '../llm/hf.js';
import type { ChatModel } from '../llm/model.js';
import { ScriptedChatModel } from '../llm/scripted.js';
import type { RunSettings } from './settings.js';

const SCRIPTED_PREFIX = 'scripted:';

export function createModel(settings: RunSettings, env: NodeJS.ProcessEnv, cwd: string): ChatModel {
  if (settings.model.startsWith(SCRIPTED_PREFIX)) {
    const path = settings.model.slice(SCRIPTED_PREFIX.length);
    if (!path) throw new UserInputError('USAGE', '--model scripted:PATH needs a path, e.g. --model scripted:config/demo.script.json');
    return ScriptedChatModel.fromFile(resolve(cwd, path));
  }
  const credential = credentialFor(settings.endpointUrl, settings.apiKeyEnv, env);
  assertTokenTransport(settings.endpointUrl, credential !== undefined, settings.allowInsecureEndpoint);
  if (!settings.endpointUrl && !credential) {
    throw new UserInputError(
      'MODEL_SETUP',
      [
        'No model access: HF_TOKEN is not set and no --endpoint-url was given.',
        '  - Hugging Face Inference Providers: export HF_TOKEN=hf_... (a token from https://huggingface.co/settings/tokens with "Make calls to Inference Providers")',
        '  - A local OpenAI-compatible server (llama.cpp, Ollama, vLLM): --endpoint-url http://127.0.0.1:8080/v1 --model <its model name>',
        `  - Offline demo, no model at all: --model scripted:${shortPath(DEMO_SCRIPT_PATH(), cwd)}`,
      ].join('\n'),
    );
  }
  return new HfChatModel({
    model: settings.model,
    provider: settings.provider,
    endpointUrl: settings.endpointUrl,
    ...(credential ? { accessToken: credential.value } : {}),
    tokenVariable: keyVariableFor(settings.endpointUrl, settings.apiKeyEnv),
    retries: settings.retries,
    timeoutMs: settings.modelTimeoutMs,
    maxRetryWaitMs: settings.maxRetryWaitMs,
    maxReplyChars: settings.maxReplyChars,
    maxReplyTimeMs: settings.maxReplyTimeMs,
  });
}

/** A token to send and the environment variable it came from (named in error messages). */
export interface Credential {
  variable: string;
  value: string;
}

/**
 * The token to send, decided by the host it goes to, never by which variables happen to be set:
 * - `apiKeyEnv` (--api-key-env NAME) names the variable explicitly, for any endpoint; a named
 *   variable that is unset or empty is a usage error, not a silent request without a key.
 * - Hugging Face (no endpoint, or an endpoint on a Hugging Face API host): HF_TOKEN only.
 * - Any other endpoint: SWITCHBOARD_API_KEY only; an HF token is never sent to a third-party
 *   or local server, and a local key never to Hugging Face.
 */
export function credentialFor(endpointUrl: string | undefined, apiKeyEnv: string | undefined, env: NodeJS.ProcessEnv): Credential | undefined {
  if (apiKeyEnv) {
    const value = env[apiKeyEnv];
    if (!value) {
      throw new UserInputError(
        'USAGE',
        `The API key variable ${apiKeyEnv} (--api-key-env or "apiKeyEnv") is ${value === '' ? 'empty' : 'not set'}. Export it (export ${apiKeyEnv}=...) or name the variable that holds the key for ${endpointUrl ?? 'Hugging Face'}.`,
      );
    }
    return { variable: apiKeyEnv, value };
  }
  const variable = keyVariableFor(endpointUrl, undefined);
  const value = env[variable];
  return value ? { variable, value } : undefined;
}

/** `path` relative to `cwd` when it lies below it, else absolute. */
function shortPath(path: string, cwd: string): string {
  const fromCwd = relative(cwd, path);
  return fromCwd && !fromCwd.startsWith('..') ? fromCwd : path;
}
