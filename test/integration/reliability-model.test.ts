/**
 * Fault injection on the model side: the real Agent loop and the real HfChatModel
 * (`@huggingface/inference` over real loopback HTTP) against the scriptable mock-llm,
 * with a real ToolHub and fixture MCP server as the tool side.
 *
 * Each test asserts what the user sees (the AgentEvents, or the SwitchboardError that
 * ends the turn) and what the model sees (the requests the mock received). After every
 * scenario, every request is checked for tool-call/tool-message pairing: each
 * assistant tool call is answered by exactly one tool message, right after it, and no
 * tool message is orphaned.
 *
 * Timing assertions are lower bounds on a documented wait (Retry-After) or generous
 * upper bounds proving that something did NOT wait for a full timeout.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { AgentEvent } from '../../src/agent/events.js';
import { Agent } from '../../src/agent/loop.js';
import type { ServerSpec } from '../../src/config/schema.js';
import { SwitchboardError } from '../../src/errors.js';
import { HfChatModel, type HfModelOptions } from '../../src/llm/hf.js';
import { ToolHub, type HubOptions } from '../../src/mcp/hub.js';
import { startMockLlm, type MockLlm, type RecordedRequest, type ScriptedReply } from '../support/mock-llm.js';
import { FIXTURE_SERVER_PATH } from '../support/paths.js';
import { isAlive, killIfAlive, sleep, waitForGone } from '../support/processes.js';


function fixture(name: string, flags: string[] = []): ServerSpec {
  return { name, transport: 'stdio', command: process.execPath, args: [FIXTURE_SERVER_PATH, ...flags], env: {} };
}

// ---------------------------------------------------------------------------------------------
// Harness

interface Scripted {
  mock: MockLlm;
  /** Arrival time (ms, performance.now()) of each request, in order. */
  arrivals: number[];
}

let mocks: MockLlm[] = [];
let hubs: ToolHub[] = [];
/** Every pid each hub's servers ever had (restarts included). */
const hubPids = new Map<ToolHub, Set<number>>();

afterEach(async () => {
  try {
    // The invariant that must hold after every fault.
    for (const m of mocks) expectToolPairing(m.requests);
  } finally {
    await Promise.allSettled(mocks.map((m) => m.close()));
    mocks = [];
  }
});

/** A fresh mock per test; `script` is consumed in order, or a function answers every request. */
async function scripted(script: ScriptedReply[] | ((index: number) => ScriptedReply)): Promise<Scripted> {
  const arrivals: number[] = [];
  const queue = Array.isArray(script) ? [...script] : undefined;
  const mock = await startMockLlm({
    script: (_request, index) => {
      arrivals.push(performance.now());
      // Exhausted array: undefined makes the mock answer HTTP 500 "script exhausted".
      return (queue ? queue.shift() : (script as (i: number) => ScriptedReply)(index)) as ScriptedReply;
    },
  });
  mocks.push(mock);
  return { mock, arrivals };
}

async function startHub(specs: ServerSpec[], options: Partial<HubOptions> = {}): Promise<ToolHub> {
  const hub = new ToolHub(specs, { startupTimeoutMs: 15_000, toolTimeoutMs: 30_000, maxToolOutputChars: 100_000, restartBackoffMs: 10, ...options });
  hubs.push(hub);
  const report = await hub.start();
  expect(report.failed).toEqual([]);
  notePids(hub);
  return hub;
}

function notePids(hub: ToolHub): void {
  const pids = hubPids.get(hub) ?? new Set<number>();
  hubPids.set(hub, pids);
  for (const c of hub.connections) if (c.pid) pids.add(c.pid);
}

async function closeHub(hub: ToolHub): Promise<void> {
  notePids(hub);
  await hub.close();
  hubs = hubs.filter((h) => h !== hub);
  const pids = [...(hubPids.get(hub) ?? [])];
  expect(pids.length).toBeGreaterThan(0);
  expect(await waitForGone(pids, { groups: true })).toEqual([]);
}

function model(mock: MockLlm, options: Partial<HfModelOptions> = {}): HfChatModel {
  return new HfChatModel({ model: 'm', endpointUrl: mock.url, retries: 2, timeoutMs: 10_000, backoffBaseMs: 10, ...options });
}

interface TurnResult {
  events: AgentEvent[];
  error?: unknown;
  ms: number;
}

async function runTurn(agent: Agent, text: string): Promise<TurnResult> {
  const events: AgentEvent[] = [];
  const t0 = performance.now();
  try {
    for await (const event of agent.send(text)) events.push(event);
    return { events, ms: performance.now() - t0 };
  } catch (error) {
    return { events, error, ms: performance.now() - t0 };
  }
}

const ofType = <T extends AgentEvent['type']>(events: AgentEvent[], type: T) =>
  events.filter((e): e is Extract<AgentEvent, { type: T }> => e.type === type);

/**
 * In every request: after an assistant message with tool_calls come exactly one tool
 * message per call id (and nothing else until they are all answered); no tool message
 * appears anywhere else.
 */
function expectToolPairing(requests: readonly RecordedRequest[]): void {
  requests.forEach((request, r) => {
    const messages: Array<Record<string, any>> = Array.isArray(request.body?.messages) ? request.body.messages : [];
    for (let i = 0; i < messages.length; i++) {
      const message = messages[i]!;
      if (message.role === 'tool') {
        throw new Error(`request ${r}: message ${i} is a tool message (${message.tool_call_id}) without its assistant tool_calls message`);
      }
      if (message.role !== 'assistant' || !Array.isArray(message.tool_calls) || message.tool_calls.length === 0) continue;
      const ids: string[] = message.tool_calls.map((c: { id: string }) => c.id);
      expect(new Set(ids).size, `request ${r}: duplicate tool call ids ${ids}`).toBe(ids.length);
      const answered: string[] = [];
      while (messages[i + 1]?.role === 'tool') answered.push(messages[++i]!.tool_call_id);
      expect([...answered].sort(), `request ${r}: tool messages answering ${ids}`).toEqual([...ids].sort());
    }
  });
}

// ---------------------------------------------------------------------------------------------

let hub: ToolHub;

beforeAll(async () => {
  // 3 s: every successful call of these tests (echo, add) must also beat it on a busy machine.
  hub = await startHub([fixture('fx', ['--tools', 'echo,add,fail,sleep,crash,hang'])], { toolTimeoutMs: 3000 });
});

afterAll(async () => {
  try {
    await Promise.allSettled(hubs.filter((h) => h !== hub).map((h) => h.close()));
    await closeHub(hub);
  } finally {
    killIfAlive([...hubPids.values()].flatMap((pids) => [...pids]), { groups: true });
  }
});

describe('model request faults', () => {
  it('429 with Retry-After: 1 is retried after waiting at least that long, and the turn succeeds', async () => {
    const { mock, arrivals } = await scripted([{ fault: 'http', status: 429, retryAfterSeconds: 1 }, { text: 'answer after 429' }]);
    const agent = new Agent({ model: model(mock), tools: hub, maxSteps: 5 });
    const turn = await runTurn(agent, 'hello');
    expect(turn.error).toBeUndefined();
    expect(ofType(turn.events, 'final')).toEqual([{ type: 'final', text: 'answer after 429', steps: 1 }]);
    const retries = ofType(turn.events, 'model_retry');
    expect(retries).toHaveLength(1);
    expect(retries[0]!.reason).toContain('429');
    expect(retries[0]!.delayMs).toBeGreaterThanOrEqual(1000);
    expect(mock.requests).toHaveLength(2);
    expect(arrivals[1]! - arrivals[0]!).toBeGreaterThanOrEqual(900);
    // A retried HTTP request is not a model call: one step.
    expect(ofType(turn.events, 'model_request')).toHaveLength(1);
  });

  it.each([500, 503])('HTTP %i on every attempt: exactly retries+1 requests, then MODEL_REQUEST saying how many attempts', async (status) => {
    const { mock } = await scripted(() => ({ fault: 'http', status, retryAfterSeconds: 0 }));
    const agent = new Agent({ model: model(mock, { retries: 2 }), tools: hub, maxSteps: 5 });
    const turn = await runTurn(agent, 'hello');
    expect(turn.error).toBeInstanceOf(SwitchboardError);
    const error = turn.error as SwitchboardError;
    expect(error.code).toBe('MODEL_REQUEST');
    expect(error.message).toContain('after 3 attempts');
    expect(error.message).toContain(`HTTP ${status}`);
    expect(ofType(turn.events, 'model_retry').map((e) => e.attempt)).toEqual([1, 2]);
    // Host retries only (the library's own unbounded 503 retry is off): no request after the failure.
    await sleep(300);
    expect(mock.requests).toHaveLength(3);
  });

  it('a transient 503 after a tool call is retried and the turn completes with the history intact', async () => {
    const { mock } = await scripted([
      { toolCalls: [{ name: 'echo', arguments: { text: 'ping' } }] },
      { fault: 'http', status: 503, retryAfterSeconds: 0 },
      { text: 'done' },
    ]);
    const agent = new Agent({ model: model(mock), tools: hub, maxSteps: 5 });
    const turn = await runTurn(agent, 'use echo');
    expect(turn.error).toBeUndefined();
    expect(ofType(turn.events, 'final')[0]?.text).toBe('done');
    expect(mock.requests).toHaveLength(3);
    // The retried request carries the same history as the failed one.
    expect(mock.requests[2]!.body.messages).toEqual(mock.requests[1]!.body.messages);
    expect(mock.requests[2]!.body.messages.at(-1)).toMatchObject({ role: 'tool', content: 'ping' });
  });

  it.each([
    ['reset', /connection|terminated|socket|ended before/i],
    ['truncate', /ended before the answer was complete/],
  ] as const)('a stream cut mid-answer (%s) is retried and the turn completes', async (fault, reason) => {
    const { mock } = await scripted([
      { toolCalls: [{ name: 'echo', arguments: { text: 'one' } }] },
      { fault },
      { text: `complete after ${fault}` },
    ]);
    const agent = new Agent({ model: model(mock), tools: hub, maxSteps: 5 });
    const turn = await runTurn(agent, 'go');
    expect(turn.error).toBeUndefined();
    expect(ofType(turn.events, 'final')).toEqual([{ type: 'final', text: `complete after ${fault}`, steps: 2 }]);
    const retries = ofType(turn.events, 'model_retry');
    expect(retries).toHaveLength(1);
    expect(retries[0]!.reason).toMatch(reason);
    expect(mock.requests).toHaveLength(3);
    // Nothing of the cut answer went into the history.
    const last = agent.history.at(-1);
    expect(last).toEqual({ role: 'assistant', content: `complete after ${fault}` });
    expect(JSON.stringify(agent.history)).not.toContain('Partial ans');
    expect(JSON.stringify(agent.history)).not.toContain('cut off in the midd');
  });

  it.each([401, 403])('HTTP %i is not retried: one request, MODEL_AUTH mentioning the token', async (status) => {
    const { mock } = await scripted(() => ({ fault: 'http', status }));
    const agent = new Agent({ model: model(mock, { retries: 3 }), tools: hub, maxSteps: 5 });
    const turn = await runTurn(agent, 'hello');
    expect(turn.error).toBeInstanceOf(SwitchboardError);
    const error = turn.error as SwitchboardError;
    expect(error.code).toBe('MODEL_AUTH');
    expect(error.message).toMatch(/token/i);
    expect(error.message).toContain(String(status));
    expect(ofType(turn.events, 'model_retry')).toEqual([]);
    await sleep(200);
    expect(mock.requests).toHaveLength(1);
  });

  it('HTTP 400 is not retried: one request, MODEL_REQUEST carrying the server\'s own explanation', async () => {
    const { mock } = await scripted(() => ({
      fault: 'http',
      status: 400,
      body: { error: { message: 'maximum context length is 4096 tokens', type: 'invalid_request_error' } },
    }));
    const agent = new Agent({ model: model(mock, { retries: 3 }), tools: hub, maxSteps: 5 });
    const turn = await runTurn(agent, 'hello');
    expect(turn.error).toBeInstanceOf(SwitchboardError);
    const error = turn.error as SwitchboardError;
    expect(error.code).toBe('MODEL_REQUEST');
    expect(error.message).toContain('HTTP 400');
    expect(error.message).toContain('maximum context length is 4096 tokens');
    expect(ofType(turn.events, 'model_retry')).toEqual([]);
    await sleep(200);
    expect(mock.requests).toHaveLength(1);
  });

  it('a hanging model server: each attempt times out (timeoutMs 500, retries 1), then MODEL_REQUEST mentions the timeout', async () => {
    const { mock } = await scripted(() => ({ fault: 'hang' }));
    const agent = new Agent({ model: model(mock, { retries: 1, timeoutMs: 500 }), tools: hub, maxSteps: 5 });
    const turn = await runTurn(agent, 'hello');
    expect(turn.ms).toBeLessThan(10_000);
    expect(turn.error).toBeInstanceOf(SwitchboardError);
    const error = turn.error as SwitchboardError;
    expect(error.code).toBe('MODEL_REQUEST');
    expect(error.message).toMatch(/timed out/);
    expect(error.message).toContain('after 2 attempts');
    await sleep(200);
    expect(mock.requests).toHaveLength(2);
  });

  it('a garbage stream fails clearly with a SwitchboardError (bounded attempts), and the host goes on', async () => {
    const { mock } = await scripted(() => ({ fault: 'garbage' }));
    const agent = new Agent({ model: model(mock, { retries: 1 }), tools: hub, maxSteps: 5 });
    const turn = await runTurn(agent, 'hello');
    expect(turn.error).toBeInstanceOf(SwitchboardError);
    const error = turn.error as SwitchboardError;
    expect(error.code).toBe('MODEL_REQUEST');
    expect(error.message).toMatch(/^The model request failed/);
    await sleep(200);
    expect(mock.requests.length).toBeGreaterThanOrEqual(1);
    expect(mock.requests.length).toBeLessThanOrEqual(2);

    // The same agent (and process) carries on with a healthy server.
    const { mock: healthy } = await scripted([{ text: 'recovered' }]);
    const next = new Agent({ model: model(healthy), tools: hub, maxSteps: 5 });
    expect(ofType((await runTurn(next, 'again')).events, 'final')[0]?.text).toBe('recovered');
  });
});

describe('agent loop guards', () => {
  it('the same failing tool call three times in a row stops the turn (repeated_failure), not maxSteps', async () => {
    const { mock } = await scripted(() => ({ toolCalls: [{ name: 'fail', arguments: {} }] }));
    const agent = new Agent({ model: model(mock), tools: hub, maxSteps: 10 });
    const turn = await runTurn(agent, 'keep failing');
    expect(turn.error).toBeUndefined();
    const stopped = ofType(turn.events, 'stopped');
    expect(stopped).toHaveLength(1);
    expect(stopped[0]).toMatchObject({ reason: 'repeated_failure', steps: 3 });
    expect(stopped[0]!.message).toContain('fixture failure');
    expect(ofType(turn.events, 'final')).toEqual([]);
    expect(mock.requests).toHaveLength(3);
    // The model saw each failure.
    const lastTool = mock.requests[2]!.body.messages.at(-1);
    expect(lastTool).toMatchObject({ role: 'tool', content: 'fixture failure: this tool always fails' });
  });

  it('arguments refused by validation three times in a row also stop the turn; the server never runs them', async () => {
    const { mock } = await scripted(() => ({ toolCalls: [{ name: 'add', arguments: { a: 'x', b: 1 } }] }));
    const agent = new Agent({ model: model(mock), tools: hub, maxSteps: 10 });
    const turn = await runTurn(agent, 'add badly');
    const stopped = ofType(turn.events, 'stopped');
    expect(stopped[0]).toMatchObject({ reason: 'repeated_failure', steps: 3 });
    for (const result of ofType(turn.events, 'tool_result')) {
      expect(result.isError).toBe(true);
      expect(result.text).toContain('The tool was not run');
    }
    expect(mock.requests).toHaveLength(3);
  });

  // Each step the model makes the same two parallel calls, and the same one (or both) fails
  // every time: that call failed three times in a row, so the model is stuck just the same.
  it.each([
    ['two failing calls (server error + refused arguments)', [{ name: 'fail', arguments: {} }, { name: 'add', arguments: { a: 'x', b: 1 } }]],
    ['a succeeding call beside a failing one', [{ name: 'echo', arguments: { text: 'fine' } }, { name: 'fail', arguments: {} }]],
  ] as const)('the same parallel calls repeated every step, %s: repeated_failure after 3 model calls', async (_label, calls) => {
    const { mock } = await scripted(() => ({ toolCalls: calls.map((c) => ({ ...c, arguments: { ...c.arguments } })) }));
    const agent = new Agent({ model: model(mock), tools: hub, maxSteps: 8 });
    const turn = await runTurn(agent, 'stuck in pairs');
    expect(turn.error).toBeUndefined();
    const stopped = ofType(turn.events, 'stopped');
    expect(stopped).toHaveLength(1);
    expect(stopped[0]).toMatchObject({ reason: 'repeated_failure', steps: 3 });
    expect(mock.requests).toHaveLength(3);
  });

  it('a model that keeps calling tools successfully is stopped by maxSteps', async () => {
    const { mock } = await scripted((i) => ({ toolCalls: [{ name: 'echo', arguments: { text: `step ${i}` } }] }));
    const agent = new Agent({ model: model(mock), tools: hub, maxSteps: 3 });
    const turn = await runTurn(agent, 'loop forever');
    expect(ofType(turn.events, 'stopped')).toEqual([expect.objectContaining({ reason: 'max_steps', steps: 3 })]);
    expect(mock.requests).toHaveLength(3);
    // The last round's tool result is in the history, answered (pairing is checked after each
    // test), and the stopped turn is closed by an assistant note, so a next message may follow.
    expect(agent.history.at(-2)).toMatchObject({ role: 'tool', content: 'step 2' });
    expect(agent.history.at(-1)).toMatchObject({ role: 'assistant', content: expect.stringMatching(/^\[No answer: .*after 3 model calls/) });
  });

  it('an empty reply is asked again once, and the second answer is the final one', async () => {
    const { mock } = await scripted([{ fault: 'empty' }, { text: 'second time lucky' }]);
    const agent = new Agent({ model: model(mock), tools: hub, maxSteps: 5 });
    const turn = await runTurn(agent, 'hello');
    expect(turn.error).toBeUndefined();
    expect(ofType(turn.events, 'notice')[0]?.message).toMatch(/empty reply/);
    expect(ofType(turn.events, 'final')).toEqual([{ type: 'final', text: 'second time lucky', steps: 2 }]);
    expect(mock.requests).toHaveLength(2);
    // No empty assistant message was added to the history.
    expect(agent.history.filter((m) => m.role === 'assistant')).toEqual([{ role: 'assistant', content: 'second time lucky' }]);
  });

  it('two empty replies in a row stop the turn with empty_reply', async () => {
    const { mock } = await scripted([{ fault: 'empty' }, { fault: 'empty' }]);
    const agent = new Agent({ model: model(mock), tools: hub, maxSteps: 5 });
    const turn = await runTurn(agent, 'hello');
    expect(turn.error).toBeUndefined();
    expect(ofType(turn.events, 'stopped')).toEqual([expect.objectContaining({ reason: 'empty_reply', steps: 2 })]);
    expect(ofType(turn.events, 'final')).toEqual([]);
    expect(mock.requests).toHaveLength(2);
  });

  it('empty replies that are not in a row do not stop the turn: each one is asked again', async () => {
    const { mock } = await scripted([
      { fault: 'empty' },
      { toolCalls: [{ name: 'echo', arguments: { text: 'between the empties' } }] },
      { fault: 'empty' },
      { text: 'the answer' },
    ]);
    const agent = new Agent({ model: model(mock), tools: hub, maxSteps: 6 });
    const turn = await runTurn(agent, 'hello');
    expect(turn.error).toBeUndefined();
    expect(ofType(turn.events, 'stopped')).toEqual([]);
    expect(ofType(turn.events, 'final')).toEqual([{ type: 'final', text: 'the answer', steps: 4 }]);
    expect(mock.requests).toHaveLength(4);
  });

  it('the model sees a tool timeout and a server crash in its tool messages, and the turn goes on', async () => {
    // Own hub: this test crashes its server.
    const own = await startHub([fixture('fx2', ['--tools', 'echo,sleep,crash,hang'])], { toolTimeoutMs: 3000 });
    const firstPid = own.connections[0]!.pid;
    const { mock } = await scripted([
      { toolCalls: [{ name: 'hang', arguments: {} }] },
      {
        toolCalls: [
          { name: 'sleep', arguments: { ms: 20_000 } },
          { name: 'crash', arguments: {} },
        ],
      },
      { toolCalls: [{ name: 'echo', arguments: { text: 'after the crash' } }] },
      { text: 'all done' },
    ]);
    const agent = new Agent({ model: model(mock), tools: own, maxSteps: 6 });
    const turn = await runTurn(agent, 'stress the tools');
    expect(turn.error).toBeUndefined();
    expect(ofType(turn.events, 'final')[0]?.text).toBe('all done');

    const toolMessages = (r: number) => mock.requests[r]!.body.messages.filter((m: { role: string }) => m.role === 'tool');
    expect(toolMessages(1).at(-1).content).toContain('timed out after 3 s');
    const afterCrash = toolMessages(2).slice(-2);
    expect(afterCrash).toHaveLength(2);
    for (const message of afterCrash) expect(message.content).toContain('server "fx2" crashed');
    expect(toolMessages(3).at(-1).content).toBe('after the crash');

    // The events tell the user the same, in call order.
    const results = ofType(turn.events, 'tool_result');
    expect(results.map((r) => r.isError)).toEqual([true, true, true, false]);

    notePids(own);
    expect(own.connections[0]!.pid).not.toBe(firstPid);
    expect(isAlive(firstPid)).toBe(false);
    await closeHub(own);
  });
});

describe('context trimming', () => {
  it('a long conversation is trimmed: system prompt and current user message kept, no orphaned tool messages', async () => {
    const own = await startHub([fixture('ctx', ['--tools', 'echo'])]);
    const system = 'You are the reliability test assistant.';
    const turns = 5;
    const userText = (t: number) => `turn ${t}: ${'u'.repeat(1000)}`;
    const script: ScriptedReply[] = [];
    for (let t = 0; t < turns; t++) {
      script.push({ toolCalls: [{ name: 'echo', arguments: { text: `${t}:${'e'.repeat(300)}` } }] }, { text: `answer ${t}` });
    }
    const { mock } = await scripted(script);
    const agent = new Agent({ model: model(mock), tools: own, system, maxSteps: 5, maxContextTokens: 600 });
    const trimmed: Array<Extract<AgentEvent, { type: 'history_trimmed' }>> = [];
    for (let t = 0; t < turns; t++) {
      const turn = await runTurn(agent, userText(t));
      expect(turn.error).toBeUndefined();
      expect(ofType(turn.events, 'final')[0]?.text).toBe(`answer ${t}`);
      trimmed.push(...ofType(turn.events, 'history_trimmed'));
    }
    expect(trimmed.length).toBeGreaterThan(0);
    expect(trimmed[0]!.budgetTokens).toBe(600);
    expect(trimmed[0]!.droppedMessages).toBeGreaterThan(0);

    expect(mock.requests).toHaveLength(turns * 2);
    mock.requests.forEach((request, r) => {
      const messages: Array<{ role: string; content: string }> = request.body.messages;
      expect(messages[0]).toEqual({ role: 'system', content: system });
      const users = messages.filter((m) => m.role === 'user');
      // The current user message (requests 2t and 2t+1 belong to turn t) is always there, last among users.
      expect(users.at(-1)?.content).toBe(userText(Math.floor(r / 2)));
    });
    // Old turns really went: the last request does not carry turn 0 any more.
    const last = JSON.stringify(mock.requests.at(-1)!.body.messages);
    expect(last).not.toContain(userText(0));
    await closeHub(own);
  });

  it('one long turn with many tool rounds drops its oldest rounds whole, keeping the newest', async () => {
    const own = await startHub([fixture('rounds', ['--tools', 'echo'])]);
    const rounds = 5;
    const script: ScriptedReply[] = [];
    for (let i = 0; i < rounds; i++) {
      script.push({ toolCalls: [{ name: 'echo', arguments: { text: `round ${i} ${'r'.repeat(800)}` } }] });
    }
    script.push({ text: 'finished' });
    const { mock } = await scripted(script);
    const agent = new Agent({ model: model(mock), tools: own, system: 'sys', maxSteps: 10, maxContextTokens: 600 });
    const turn = await runTurn(agent, 'many rounds please');
    expect(turn.error).toBeUndefined();
    expect(ofType(turn.events, 'final')[0]?.text).toBe('finished');
    expect(ofType(turn.events, 'history_trimmed').length).toBeGreaterThan(0);
    mock.requests.forEach((request, r) => {
      const messages: Array<{ role: string; content: string }> = request.body.messages;
      expect(messages[0]).toEqual({ role: 'system', content: 'sys' });
      expect(messages[1]).toEqual({ role: 'user', content: 'many rounds please' });
      if (r > 0) {
        // The newest round (the result of the previous request's tool call) is always present.
        expect(messages.at(-1)).toMatchObject({ role: 'tool', content: expect.stringContaining(`round ${r - 1} `) });
      }
    });
    // The oldest rounds really went.
    expect(JSON.stringify(mock.requests.at(-1)!.body.messages)).not.toContain('round 0 ');
    await closeHub(own);
  });
});
