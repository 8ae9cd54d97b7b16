/**
 * The model of the secret-masking tests (secrets-outputs, serve-secrets): it reads the
 * server's API_KEY with the fixture's `env_value` tool (`--env-tool`), repeats the value it
 * got in a call of `echo`, then in its answer (it sees the real value: what a server returns
 * goes to the model as it is; masking is about what Switchboard writes out).
 */
import type { RecordedRequest, ScriptedReply } from '../support/mock-llm.js';

type Message = { role: string; content: string };

/** `answer` shapes the final reply from the value (default: `The key is VALUE.`); `ids` names the calls c1, c2. */
export function leakyModel(options: { ids?: boolean; answer?: (value: string) => ScriptedReply } = {}): (request: RecordedRequest) => ScriptedReply {
  return (request) => {
    const last = (request.body as { messages: Message[] }).messages.at(-1)!;
    if (last.role !== 'tool') return { toolCalls: [{ ...(options.ids ? { id: 'c1' } : {}), name: 'env_value', arguments: { name: 'API_KEY' } }] };
    const value = last.content.replace(/^API_KEY=/, '');
    if (last.content.startsWith('API_KEY=')) return { toolCalls: [{ ...(options.ids ? { id: 'c2' } : {}), name: 'echo', arguments: { text: value } }] };
    return options.answer?.(value) ?? { text: `The key is ${value}.` };
  };
}
