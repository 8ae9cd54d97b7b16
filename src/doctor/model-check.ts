/**
 * The model half of `doctor`: is the model set up (a key where one is needed, a transport
 * the key may go over), and, with `--model-check`, does the endpoint answer one small
 * request with that key. Without `--model-check` nothing is sent.
 */
import type { ChatModel } from '../llm/model.js';
import type { ModelReport } from './report.js';

export interface ModelCheckInput {
  model: string;
  endpointUrl?: string;
  keyVariable?: string;
  /** Builds the model (throws a setup problem: no token, insecure transport, ...). */
  create(): ChatModel;
  /** Send one request. */
  send: boolean;
  signal: AbortSignal;
  redact(text: string): string;
}

export async function checkModel(input: ModelCheckInput): Promise<ModelReport> {
  const base = { model: input.model, ...(input.endpointUrl ? { endpointUrl: input.endpointUrl } : {}), ...(input.keyVariable ? { keyVariable: input.keyVariable } : {}), requestSent: false };
  let model: ChatModel;
  try {
    model = input.create();
  } catch (error) {
    return { ...base, ok: false, problem: input.redact((error as Error).message) };
  }
  if (model.scripted) return { ...base, ok: true, detail: `${model.description}: a scripted model, nothing to reach` };
  if (!input.send) return { ...base, ok: true, detail: `set up (${model.description}); pass --model-check to send one small request` };
  try {
    let answered = false;
    for await (const event of model.stream({ messages: [{ role: 'user', content: 'Reply with the single word OK.' }], tools: [], signal: input.signal })) {
      if (event.type === 'reply') answered = true;
    }
    return { ...base, requestSent: true, ok: answered, ...(answered ? { detail: `the endpoint answered and accepted the key (${model.description})` } : { problem: 'the model stream ended without a reply' }) };
  } catch (error) {
    return { ...base, requestSent: true, ok: false, problem: input.redact((error as Error).message) };
  }
}
