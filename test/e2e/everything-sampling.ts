/**
 * One sampling round trip with server-everything, whatever the transport: its
 * `trigger-sampling-request` tool asks the host for a completion, which the loopback model
 * serves during the tool call. Shared by the stdio and the Streamable HTTP suites
 * (mcp-client.e2e.test.ts, mcp-client-remote.e2e.test.ts), which differ only in the config.
 */
import { expect } from 'vitest';
import { startMockLlm, type ScriptedReply } from '../support/mock-llm.js';
import type { E2eHarness } from './harness.js';

/** The turn: the tool call, the model's reply to the server's sampling request, the answer. */
export function samplingTurn(): ScriptedReply[] {
  return [
    { toolCalls: [{ id: 'c1', name: 'trigger-sampling-request', arguments: { prompt: 'a haiku', maxTokens: 42 } }] },
    { text: 'an old silent pond' },
    { text: 'the server got its haiku' },
  ];
}

/** `chat --yes` with `config` (the server's entry says `"sampling": "allow"`): the request the model gets for the server, and the reply reaching the tool result. */
export async function expectSamplingServed(h: E2eHarness, config: string): Promise<void> {
  const mock = await startMockLlm({ script: samplingTurn() });
  try {
    const r = await h.run(['chat', '--endpoint-url', mock.url, '--model', 'm', '--yes', '--config', config, 'sample']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toBe('the server got its haiku\n');
    expect(mock.requests).toHaveLength(3);
    // The second request is the server's, made while the tool call waited for it.
    const sampling = mock.requests[1]!.body;
    expect(sampling.max_tokens).toBe(42);
    expect(sampling.messages).toEqual([
      { role: 'system', content: 'You are a helpful test server.' },
      { role: 'user', content: 'Resource trigger-sampling-request context: a haiku' },
    ]);
    expect(sampling.tools).toBeUndefined();
    const tool = (mock.requests[2]!.body.messages as Array<{ role: string; content: string }>).find((m) => m.role === 'tool')!;
    expect(tool.content).toMatch(/an old silent pond/);
    expect(tool.content).toMatch(/"stopReason": "endTurn"/);
  } finally {
    await mock.close();
  }
}
