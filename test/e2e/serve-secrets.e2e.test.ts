/**
 * `switchboard serve` masks config secrets (`***`) in everything it sends to a client: the
 * streamed answer (a secret split across two of the model's chunks included), the reasoning,
 * the activity lines, the `switchboard` events, the non-streamed completion and its
 * `switchboard_events`, and error bodies. A server whose `env` holds `${env:...}` hands the
 * value back in a tool result; the model repeats it. Built CLI, official `openai` client,
 * loopback model, the fixture server as a child process.
 */
import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startMockLlm, type MockLlm, type RecordedRequest, type ScriptedReply } from '../support/mock-llm.js';
import { expectNoStackTrace, fixtureServer, useE2eHarness } from './harness.js';
import { leakyModel } from './leaky-model.js';

const h = useE2eHarness();
const TOKEN = 'serve-secrets-token-0123456789abcdef';
/** Long enough that the model's 8-character chunks split it. */
const SECRET = 'sbServeLeakCanary-0123456789-xyz';

type Message = { role: string; content: string };

/**
 * The leaky model (leaky-model.ts), whose reasoning repeats the value too, streamed in
 * 8-character chunks (the value is split). A user message "fail" gets an answer that breaks
 * off with a provider error quoting the value.
 */
const leaky = leakyModel({ answer: (got) => ({ text: `The key is ${got}.`, reasoning: `I will repeat ${got}.`, chunkSize: 8 }) });
function script(request: RecordedRequest): ScriptedReply {
  const last = (request.body as { messages: Message[] }).messages.at(-1)!;
  if (last.role === 'user' && last.content === 'fail') return { fault: 'midstream-error', message: `quota exceeded for ${SECRET}` };
  return leaky(request);
}

type Item = Record<string, any>;
const contentOf = (items: Item[]) => items.filter((i) => i.object === 'chat.completion.chunk').map((c) => c.choices[0]?.delta.content ?? '').join('');
const reasoningOf = (items: Item[]) => items.filter((i) => i.object === 'chat.completion.chunk').map((c) => c.choices[0]?.delta.reasoning_content ?? '').join('');

describe('serve: config secrets in what a client gets', () => {
  let mock: MockLlm;
  beforeAll(async () => {
    mock = await startMockLlm({ script });
  });
  afterAll(async () => {
    await mock.close();
  });

  it('are masked in the streamed answer and reasoning, the activity lines, the events, the completion and error bodies', async () => {
    const server = { ...fixtureServer('--tools', 'echo', '--env-tool'), env: { API_KEY: '${env:SB_SERVE_SECRET}' } };
    const config = h.file('leaky.json', { mcpServers: { leaky: server } });
    const cli = h.start(['serve', '--config', config, '--endpoint-url', mock.url, '--model', 'test-model', '--port', '0', '--token-env', 'SERVE_TOKEN', '--yes'], { env: { SERVE_TOKEN: TOKEN, SB_SERVE_SECRET: SECRET } });
    await cli.waitForStderr(/listening on http:\/\/127\.0\.0\.1:\d+\/v1/);
    const url = /listening on (http:\/\/127\.0\.0\.1:\d+\/v1)/.exec(cli.stderr)![1]!;
    const client = new OpenAI({ baseURL: url, apiKey: TOKEN, maxRetries: 0 });
    const ask = [{ role: 'user' as const, content: 'What is the key?' }];

    // Streamed: the activity lines and the answer in content, the reasoning in reasoning_content.
    const plain: Item[] = [];
    for await (const item of await client.chat.completions.create({ model: 'test-model', stream: true, messages: ask })) plain.push(item as unknown as Item);
    expect(contentOf(plain)).toMatch(/^→ leaky\/env_value \{"name":"API_KEY"\}\n← env_value \d+ ms\n→ leaky\/echo \{"text":"\*\*\*"\}\n← echo \d+ ms\nThe key is \*\*\*\.$/);
    expect(reasoningOf(plain)).toBe('I will repeat ***.');
    expect(JSON.stringify(plain)).not.toContain(SECRET);

    // Streamed with the events: content is the answer, the events carry the tool result and the reasoning.
    const withEvents: Item[] = [];
    const eventsRequest = { model: 'test-model', stream: true, messages: ask, 'x-switchboard-events': true } as OpenAI.Chat.Completions.ChatCompletionCreateParamsStreaming;
    for await (const item of await client.chat.completions.create(eventsRequest)) withEvents.push(item as unknown as Item);
    expect(contentOf(withEvents)).toBe('The key is ***.');
    const events = withEvents.filter((item) => item.v === 1);
    expect(events.find((e) => e.type === 'tool_result' && e.name === 'env_value')?.text).toBe('API_KEY=***');
    expect(events.find((e) => e.type === 'tool_call' && e.name === 'echo')?.arguments).toEqual({ text: '***' });
    expect(events.filter((e) => e.type === 'reasoning_delta').map((e) => e.text).join('')).toBe('I will repeat ***.');
    expect(events.find((e) => e.type === 'final')?.text).toBe('The key is ***.');
    expect(JSON.stringify(withEvents)).not.toContain(SECRET);

    // Not streamed: the answer and switchboard_events.
    const answer = (await client.chat.completions.create({ model: 'test-model', messages: ask, 'x-switchboard-events': true } as OpenAI.Chat.Completions.ChatCompletionCreateParamsNonStreaming)) as unknown as { choices: Array<{ message: { content: string } }>; usage: { total_tokens: number }; switchboard_events: Item[] };
    expect(answer.choices[0]!.message.content).toBe('The key is ***.');
    expect(answer.switchboard_events.find((e) => e.type === 'tool_result' && e.name === 'env_value')?.text).toBe('API_KEY=***');
    expect(answer.usage.total_tokens).toBeGreaterThan(0);
    expect(JSON.stringify(answer)).not.toContain(SECRET);

    // Error bodies: a provider error quoting the value ends the stream; a request naming it is refused.
    const failing: Item[] = [];
    const failure = await (async () => {
      try {
        for await (const item of await client.chat.completions.create({ model: 'test-model', stream: true, messages: [{ role: 'user', content: 'fail' }] })) failing.push(item as unknown as Item);
      } catch (error) {
        return error as Error;
      }
      return undefined;
    })();
    expect(failure?.message).toContain('quota exceeded for ***');
    expect(failure?.message).not.toContain(SECRET);
    expect(JSON.stringify(failing)).not.toContain(SECRET);
    const refused = await fetch(`${url}/chat/completions`, { method: 'POST', headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' }, body: JSON.stringify({ model: SECRET, messages: ask }) });
    expect(refused.status).toBe(404);
    const refusedText = await refused.text();
    expect(refusedText).toContain('The model \\"***\\" is not served here');
    expect(refusedText).not.toContain(SECRET);

    cli.child.kill('SIGTERM');
    const r = await cli.done;
    expect(r.code, r.stderr).toBe(0);
    expectNoStackTrace(r.stderr);
    expect(r.stderr).not.toContain(SECRET);
  });
});
