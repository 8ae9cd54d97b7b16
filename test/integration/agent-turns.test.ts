/**
 * The agent loop over real parts (Agent + HfChatModel on the loopback mock + ToolHub with
 * real servers): a failed turn leaves the history as it was, so the next request alternates
 * roles; a stopped turn (max steps, repeated failure) keeps its rounds closed by an assistant
 * note, so the next user message follows an assistant message; and a third-party server's progress notifications become `tool_progress` events.
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

function newAgent(options: { maxSteps?: number; images?: boolean } = {}): Agent {
  const model = new HfChatModel({ model: 'test-model', endpointUrl: mock.url, retries: 0, timeoutMs: 10_000, backoffBaseMs: 10 });
  return new Agent({ model, tools: hub, system: 'system prompt', maxSteps: options.maxSteps ?? 8, ...(options.images ? { images: true } : {}) });
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

/** The roles of a request with each run of tool messages folded into one 'tool'. */
const rounds = (index: number): string[] => roles(index).filter((role, i, all) => role !== 'tool' || all[i - 1] !== 'tool');

/** Every user message after the first follows an assistant message (never a tool or user message). */
function expectAlternation(list: readonly string[]): void {
  for (let i = 2; i < list.length; i++) {
    if (list[i] === 'user') expect(`${list[i - 1]} -> user at ${i}`).toBe(`assistant -> user at ${i}`);
  }
}

describe('a stopped turn ends with an assistant note saying it was stopped and why', () => {
  const failing = { name: 'get_temperature', arguments: { city: '' } }; // the temperature server: an empty city is an error

  it('after max_steps, the note follows the last tool round and the next message follows the note', async () => {
    const agent = newAgent({ maxSteps: 2 });
    mock.enqueue({ toolCalls: [{ name: 'get_temperature', arguments: { city: 'Paris' } }] }, { toolCalls: [{ name: 'get_temperature', arguments: { city: 'Oslo' } }] });
    const events = await run(agent, 'weather everywhere?');
    expect(events.at(-1)).toMatchObject({ type: 'stopped', reason: 'max_steps' });
    expect(agent.history.map((m) => m.role)).toEqual(['system', 'user', 'assistant', 'tool', 'assistant', 'tool', 'assistant']);
    expect(agent.history.at(-1)!.content).toMatch(/^\[No answer: .*stopped this turn after 2 model calls.*\]$/);

    mock.enqueue({ text: 'Sorry about that.' });
    await run(agent, 'and now?');
    expect(rounds(2)).toEqual(['system', 'user', 'assistant', 'tool', 'assistant', 'tool', 'assistant', 'user']);
    expectAlternation(roles(2));
  });

  it('after repeated_failure, the note names the failing tool and points at its error, never quoting server text', async () => {
    const agent = newAgent();
    mock.enqueue({ toolCalls: [failing] }, { toolCalls: [failing] }, { toolCalls: [failing] });
    const events = await run(agent, 'weather nowhere?');
    expect(events.at(-1)).toMatchObject({ type: 'stopped', reason: 'repeated_failure' });
    const last = agent.history.at(-1)!;
    expect(last.role).toBe('assistant');
    expect(last.content).toContain('get_temperature failed 3 times');
    // The server's error text stays in the tool message: an assistant message is trusted more.
    expect(agent.history.at(-2)!.role).toBe('tool');
    expect(last.content).not.toContain((agent.history.at(-2)!.content as string).split('\n')[0]);

    mock.enqueue({ text: 'Sorry.' });
    await run(agent, 'never mind');
    expect(rounds(3).slice(-3)).toEqual(['tool', 'assistant', 'user']);
    expectAlternation(roles(3));
  });

  it('with images on, a repeated failure whose step returned an image ends on the note, not on the image message', async () => {
    const agent = newAgent({ images: true });
    const step = { toolCalls: [failing, { name: 'get-tiny-image', arguments: {} }] };
    mock.enqueue(step, step, step);
    const events = await run(agent, 'weather and a picture?');
    expect(events.at(-1)).toMatchObject({ type: 'stopped', reason: 'repeated_failure' });
    // Each step: assistant, two tool messages, the user message carrying the image, then the note.
    expect(agent.history.slice(-3).map((m) => m.role)).toEqual(['tool', 'user', 'assistant']);
    expect(Array.isArray(agent.history.at(-2)!.content)).toBe(true);
    expect(agent.history.at(-1)!.content).toMatch(/^\[No answer: /);

    mock.enqueue({ text: 'Sorry.' });
    await run(agent, 'never mind');
    const sent = roles(3);
    expect(sent.slice(-3)).toEqual(['user', 'assistant', 'user']); // image message, note, the new message
    expect(mock.requests[3]!.body.messages.at(-1).content).toBe('never mind');
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
