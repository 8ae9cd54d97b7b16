/**
 * The agent loop over real parts (Agent + HfChatModel on the loopback mock + ToolHub with
 * real servers): a failed turn leaves the history as it was, so the next request alternates
 * roles; and a third-party server's progress notifications become `tool_progress` events.
 */
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { AgentEvent } from '../../src/agent/events.js';
import { Agent } from '../../src/agent/loop.js';
import { HfChatModel } from '../../src/llm/hf.js';
import type { ToolHub } from '../../src/mcp/hub.js';
import { startMockLlm, type MockLlm } from '../support/mock-llm.js';
import { everythingSpec, HubTracker, temperatureSpec } from './servers.js';

const tracker = new HubTracker();
let hub: ToolHub;
let mock: MockLlm;

beforeAll(async () => {
  hub = tracker.create([temperatureSpec(), everythingSpec()]);
  const report = await hub.start();
  tracker.notePids(hub);
  expect(report.failed.map((e) => e.message)).toEqual([]);
});

afterAll(async () => {
  expect(await tracker.closeAll(), 'hubs that did not close, or server processes still alive').toEqual([]);
});

beforeEach(async () => {
  mock = await startMockLlm();
});

afterEach(async () => {
  await mock.close();
});

function newAgent(): Agent {
  const model = new HfChatModel({ model: 'test-model', endpointUrl: mock.url, retries: 0, timeoutMs: 10_000, backoffBaseMs: 10 });
  return new Agent({ model, tools: hub, system: 'system prompt', maxSteps: 8 });
}

async function run(agent: Agent, text: string): Promise<AgentEvent[]> {
  const events: AgentEvent[] = [];
  for await (const event of agent.send(text)) events.push(event);
  return events;
}

/** Roles of a recorded request, with consecutive tool messages (one round) kept as they are. */
const roles = (index: number): string[] => mock.requests[index]!.body.messages.map((m: { role: string }) => m.role);

describe('a failed turn is rolled back whole', () => {
  it('after a 500 that follows a tool round, the next request alternates user and assistant', async () => {
    const agent = newAgent();
    mock.enqueue({ text: 'Hello!' });
    await run(agent, 'hi');

    // The failing turn: a tool round on the real server, then the model request fails.
    mock.enqueue({ toolCalls: [{ name: 'get_temperature', arguments: { city: 'Paris' } }] }, { fault: 'http', status: 500 });
    await expect(run(agent, 'weather in Paris?')).rejects.toMatchObject({ code: 'MODEL_REQUEST' });
    expect(roles(2)).toEqual(['system', 'user', 'assistant', 'user', 'assistant', 'tool']); // the tool round did happen

    mock.enqueue({ text: 'Paris is mild.' });
    const events = await run(agent, 'weather in Paris, please?');
    expect(events.at(-1)).toMatchObject({ type: 'final', text: 'Paris is mild.' });

    // The next request carries no trace of the failed turn: roles alternate after the system prompt.
    expect(roles(3)).toEqual(['system', 'user', 'assistant', 'user']);
    expect(mock.requests[3]!.body.messages.map((m: { content?: string }) => m.content)).toEqual(['system prompt', 'hi', 'Hello!', 'weather in Paris, please?']);
    expect(agent.history.map((m) => m.role)).toEqual(['system', 'user', 'assistant', 'user', 'assistant']);
  });

  it('an interrupted turn (the consumer stops iterating) is rolled back too', async () => {
    const agent = newAgent();
    mock.enqueue({ text: 'A long answer that is never read', delayMs: 50, chunkSize: 4 });
    const controller = new AbortController();
    await expect(
      (async () => {
        for await (const event of agent.send('tell me a story', controller.signal)) {
          if (event.type === 'text_delta') controller.abort();
        }
      })(),
    ).rejects.toBeDefined();
    expect(agent.history.map((m) => m.role)).toEqual(['system']);
  });
});

describe('tool progress from a third-party server', () => {
  it("server-everything's trigger-long-running-operation yields tool_progress events, in order, before its result", async () => {
    const agent = newAgent();
    mock.enqueue(
      { toolCalls: [{ id: 'call_long', name: 'trigger-long-running-operation', arguments: { duration: 1.2, steps: 3 } }] },
      { text: 'Done.' },
    );
    const events = await run(agent, 'run the long operation');
    const mine = events.filter((e) => e.type === 'tool_progress' || e.type === 'tool_result');
    expect(mine.at(-1)).toMatchObject({ type: 'tool_result', id: 'call_long', isError: false });
    const progress = mine.slice(0, -1);
    // The server sends 1/3, 2/3, 3/3. The SDK client handles a notification one microtask
    // later than a response, so an update that reaches us in the same read as the result
    // (3/3, or more on a stalled machine) is dropped by the SDK: expect a non-empty, ordered
    // subset, and nothing else.
    expect(progress.length).toBeGreaterThan(0);
    for (const event of progress) {
      expect(event).toEqual({ type: 'tool_progress', id: 'call_long', name: 'trigger-long-running-operation', server: 'everything', progress: expect.any(Number), total: 3 });
    }
    const values = progress.map((e) => (e as { progress: number }).progress);
    expect(values.every((v) => [1, 2, 3].includes(v))).toBe(true);
    expect(values).toEqual([...new Set(values)].sort((a, b) => a - b));
  });
});
