/**
 * Chooses the model from the settings: `scripted:PATH`, an OpenAI-compatible
 * endpoint, or Hugging Face Inference Providers.
 */
import { relative, resolve } from 'node:path';
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
  const accessToken = tokenFor(settings.endpointUrl, env);
  assertTokenTransport(settings.endpointUrl, accessToken !== undefined, settings.allowInsecureEndpoint);
  if (!settings.endpointUrl && !accessToken) {
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
    accessToken,
    retries: settings.retries,
    timeoutMs: settings.modelTimeoutMs,
  });
}

/**
 * The token to send. For Hugging Face (no endpoint, or an endpoint on a Hugging Face
 * host) it is HF_TOKEN. For any other endpoint it is SWITCHBOARD_API_KEY when set and
 * nothing otherwise: an HF token is never sent to a third-party or local server.
 */
export function tokenFor(endpointUrl: string | undefined, env: NodeJS.ProcessEnv): string | undefined {
  if (!endpointUrl) return env.HF_TOKEN || undefined;
  if (env.SWITCHBOARD_API_KEY) return env.SWITCHBOARD_API_KEY;
  let host = '';
  try {
    host = new URL(endpointUrl).hostname;
  } catch {
    return undefined;
  }
  // Hugging Face's own API hosts only: a Space (*.hf.space) runs someone else's code.
  const huggingFaceHost = /(^|\.)(huggingface\.co|endpoints\.huggingface\.cloud)$/.test(host);
  return huggingFaceHost ? env.HF_TOKEN || undefined : undefined;
}

/** `path` relative to `cwd` when it lies below it, else absolute. */
function shortPath(path: string, cwd: string): string {
  const fromCwd = relative(cwd, path);
  return fromCwd && !fromCwd.startsWith('..') ? fromCwd : path;
}
