/**
 * The review fixes of the hub and the model client, against real parts: fixture MCP servers
 * as child processes behind a real ToolHub, and the real HfChatModel (@huggingface/inference
 * over loopback HTTP) against the scriptable mock-llm.
 *
 * - A crashed server keeps its routes when another server's tool list change rebuilds them,
 *   and its next call restarts it.
 * - A call that arrives while a crashed server is restarting honours its abort signal; close()
 *   afterwards completes and leaves no process.
 * - The model timeout is an idle timeout: a long answer that keeps streaming is not cut; a
 *   server that sends nothing is given up on.
 * - An error event in the middle of a stream is retried.
 *
 * Timing assertions are generous upper bounds proving that something did NOT wait for a slow
 * start-up, and lower bounds the mock's own delays guarantee.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { AgentEvent } from '../../src/agent/events.js';
import { Agent, type ToolExecutor } from '../../src/agent/loop.js';
import { SwitchboardError } from '../../src/errors.js';
import { HfChatModel, type HfModelOptions } from '../../src/llm/hf.js';
import type { ModelStreamEvent } from '../../src/llm/model.js';
import type { ToolHub } from '../../src/mcp/hub.js';
import { startMockLlm, type MockLlm, type ScriptedReply } from '../support/mock-llm.js';
import { isAlive, readPidFile, readPidFileNow, waitForGone, waitUntil } from '../support/processes.js';
import { changesOnRestartSpec, CLOSE_BOUND_MS, fixtureSpec, HubTracker } from './servers.js';

const tracker = new HubTracker();
let tmp: string;
let mocks: MockLlm[] = [];

beforeAll(() => {
  tmp = mkdtempSync(join(tmpdir(), 'switchboard-review-fixes-'));
});

afterAll(() => {
  rmSync(tmp, { recursive: true, force: true });
});

afterEach(async () => {
  await Promise.allSettled(mocks.map((m) => m.close()));
  mocks = [];
  expect(await tracker.closeAll(), 'hubs that did not close, or server processes still alive').toEqual([]);
});

const elapsedSince = (t0: number): number => performance.now() - t0;

async function startedHub(hub: ToolHub): Promise<ToolHub> {
  const report = await hub.start();
  expect(report.failed.map((f) => f.message)).toEqual([]);
  tracker.notePids(hub);
  return hub;
}

/** Exposed name -> owner and original name, for one server. */
function routesOf(hub: ToolHub, server: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [exposed, route] of hub.routes) if (route.server === server) out[exposed] = route.originalName;
  return out;
}

describe('crashed servers keep their routes', () => {
  it("another server's list_changed does not drop a crashed server's tools; its next call restarts it", async () => {
    const tools = ['--tools', 'echo,crash,add_tool'];
    const hub = await startedHub(tracker.create([fixtureSpec('alpha', ...tools), fixtureSpec('beta', ...tools)], { restartBackoffMs: 20 }));
    const alpha = hub.connections[0]!;
    const beta = hub.connections[1]!;
    const alphaRoutes = routesOf(hub, 'alpha');
    // Both servers have the same tools, so each is exposed as server__tool.
    expect(alphaRoutes).toEqual({ alpha__echo: 'echo', alpha__crash: 'crash', alpha__add_tool: 'add_tool' });
    const firstAlphaPid = alpha.pid;
    const betaPid = beta.pid;

    // Crash alpha; it is restarted only by its next call, so for now it stays crashed.
    const crashed = await hub.call('alpha__crash', {});
    expect(crashed.isError).toBe(true);
    expect(crashed.text).toContain('server "alpha" crashed');
    expect(await waitUntil(() => alpha.state === 'crashed')).toBe(true);
    expect(await waitForGone([firstAlphaPid], { groups: true })).toEqual([]);

    // beta changes its tool list: the route table is rebuilt while alpha is crashed.
    const added = await hub.call('beta__add_tool', { name: 'fresh' });
    expect(added).toMatchObject({ isError: false, text: 'added fresh', server: 'beta' });
    expect(await waitUntil(() => hub.routes.has('fresh'), 5000)).toBe(true);
    expect(hub.routes.get('fresh')).toMatchObject({ server: 'beta', originalName: 'fresh' });

    // alpha's tools are still routed under the same names, and alpha was not restarted.
    expect(alpha.state).toBe('crashed');
    expect(routesOf(hub, 'alpha')).toEqual(alphaRoutes);
    expect(hub.functionTools.map((t) => t.function.name)).toEqual(expect.arrayContaining(Object.keys(alphaRoutes)));

    // The next call to one of alpha's tools restarts alpha and works.
    const echo = await hub.call('alpha__echo', { text: 'alpha is back' });
    expect(echo).toMatchObject({ isError: false, text: 'alpha is back', server: 'alpha', originalName: 'echo' });
    tracker.notePids(hub);
    expect(alpha.state).toBe('ready');
    expect(alpha.pid).toBeDefined();
    expect(alpha.pid).not.toBe(firstAlphaPid);
    expect(isAlive(alpha.pid)).toBe(true);
    expect(routesOf(hub, 'alpha')).toEqual(alphaRoutes);
    expect(hub.routes.has('fresh')).toBe(true);
    // beta was never touched.
    expect(beta.pid).toBe(betaPid);
    expect(await hub.call('fresh', { text: 'still fresh' })).toMatchObject({ isError: false, text: 'still fresh', server: 'beta' });
  });
});

describe('a call waiting on a restart', () => {
  it('honours its abort signal while the crashed server is slowly restarting; close() then leaves no process', async () => {
    const pidFile = join(tmp, 'slow.pid');
    const hub = await startedHub(
      tracker.create([fixtureSpec('slow', '--tools', 'echo,crash', '--slow-start', '6000', '--pidfile', pidFile)], { restartBackoffMs: 10 }),
    );
    const connection = hub.connections[0]!;
    const firstPid = connection.pid;
    expect(await readPidFile(pidFile)).toBe(firstPid);

    expect((await hub.call('crash', {})).isError).toBe(true);
    expect(await waitUntil(() => connection.state === 'crashed')).toBe(true);

    // This call starts the restart, which takes 6 s (the new process waits before it connects);
    // it is cancelled 200 ms in. Order, not time: it must return while the restart is under way.
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(new Error('Ctrl+C')), 200);
    const outcome = await hub.call('echo', { text: 'too late' }, controller.signal);
    clearTimeout(timer);
    expect(outcome.isError).toBe(true);
    expect(outcome.text).toContain('cancelled');
    expect(outcome.server).toBe('slow');
    // The restart is still under way: the call did not wait for it.
    expect(connection.state).toBe('starting');
    const restartPid = await waitUntil(() => {
      const pid = connection.pid;
      return pid !== undefined && pid !== firstPid ? pid : undefined;
    });
    expect(restartPid).toBeDefined();
    tracker.notePids(hub);

    // close() during the restart completes (bounded) and takes the new process down too.
    expect(await tracker.close(hub)).toBe('closed');
    expect(await waitForGone([firstPid, restartPid], { groups: true })).toEqual([]);
  });

  it('close() during a restart stops it: it does not wait for the restarting server to finish starting', async () => {
    // The first start runs the fixture normally; every later start has a start-up far
    // longer than the test (as a server stuck before answering initialize).
    const pidFile = join(tmp, 'stuck.pid');
    const hub = await startedHub(
      tracker.create(
        [changesOnRestartSpec('stuck', tmp, pidFile, ['--tools', 'echo,crash'], ['--slow-start', '60000'])],
        // Longer than the close bound: a close() that waits for the start-up cannot pass.
        { restartBackoffMs: 10, startupTimeoutMs: 12_000 },
      ),
    );
    const connection = hub.connections[0]!;
    const firstPid = connection.pid;
    expect((await hub.call('crash', {})).isError).toBe(true);
    expect(await waitUntil(() => connection.state === 'crashed')).toBe(true);

    // A call starts the restart and is interrupted while the new process is starting.
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(new Error('Ctrl+C')), 200);
    const outcome = await hub.call('echo', { text: 'x' }, controller.signal);
    clearTimeout(timer);
    expect(outcome.isError).toBe(true);
    expect(outcome.text).toContain('cancelled');
    const restartPid = await waitUntil(() => {
      const pid = readPidFileNow(pidFile);
      return pid !== undefined && pid !== firstPid ? pid : undefined;
    });
    expect(restartPid).toBeDefined();
    tracker.notePid(restartPid);
    tracker.notePids(hub);
    expect(connection.state).toBe('starting');

    // The shutdown of the new process is the staged one (stdin EOF, SIGTERM): a few seconds at most.
    const t0 = performance.now();
    expect(await tracker.close(hub), 'close() waited for the restart to finish starting').toBe('closed');
    expect(elapsedSince(t0)).toBeLessThan(CLOSE_BOUND_MS);
    expect(await waitForGone([firstPid, restartPid], { groups: true })).toEqual([]);
  });
});

// ---------------------------------------------------------------------------------------------
// The model client

/** A tool side with no tools: the model tests need no server. */
const NO_TOOLS: ToolExecutor = {
  functionTools: [],
  routes: new Map(),
  call: async () => ({ text: 'no tools here', isError: true, durationMs: 0 }),
};

async function mockWith(script: ScriptedReply[]): Promise<MockLlm> {
  const mock = await startMockLlm({ script });
  mocks.push(mock);
  return mock;
}

function modelFor(mock: MockLlm, options: Partial<HfModelOptions> = {}): HfChatModel {
  return new HfChatModel({ model: 'test-model', endpointUrl: mock.url, retries: 2, timeoutMs: 10_000, backoffBaseMs: 10, ...options });
}

async function streamAll(model: HfChatModel): Promise<{ events: ModelStreamEvent[]; error?: unknown; ms: number }> {
  const events: ModelStreamEvent[] = [];
  const t0 = performance.now();
  try {
    for await (const event of model.stream({ messages: [{ role: 'user', content: 'hello' }], tools: [] })) events.push(event);
    return { events, ms: elapsedSince(t0) };
  } catch (error) {
    return { events, error, ms: elapsedSince(t0) };
  }
}

async function runTurn(agent: Agent, text: string): Promise<{ events: AgentEvent[]; error?: unknown }> {
  const events: AgentEvent[] = [];
  try {
    for await (const event of agent.send(text)) events.push(event);
    return { events };
  } catch (error) {
    return { events, error };
  }
}

describe('the model timeout is an idle timeout', () => {
  const LONG_TEXT = 'A long answer that keeps streaming, chunk after chunk, slowly.';

  it('a reply that streams for longer than the timeout, with every gap shorter, arrives whole: one request, no retry', async () => {
    // 3-char chunks 150 ms apart: about 21 gaps (over 3 s in total), each a tenth of the 1.5 s
    // timeout, so a busy machine that stretches a gap a few times over does not break it.
    const mock = await mockWith([{ text: LONG_TEXT, chunkSize: 3, delayMs: 150 }]);
    const { events, error, ms } = await streamAll(modelFor(mock, { timeoutMs: 1500 }));
    expect(error).toBeUndefined();
    expect(ms).toBeGreaterThan(1500); // the mock's delays alone take longer than the timeout
    expect(events.filter((e) => e.type === 'retry')).toEqual([]);
    const streamed = events.flatMap((e) => (e.type === 'text_delta' ? [e.text] : [])).join('');
    expect(streamed).toBe(LONG_TEXT);
    const reply = events.find((e) => e.type === 'reply');
    expect(reply).toMatchObject({ type: 'reply', reply: { text: LONG_TEXT, toolCalls: [], finishReason: 'stop' } });
    expect(mock.requests).toHaveLength(1);
  });

  it('a server that sends nothing within the timeout is given up on and retried; the message says it timed out', async () => {
    const mock = await mockWith([{ fault: 'hang' }, { text: 'answer after the timeout' }]);
    // 2 s: the answering attempt must beat the timeout too, and the mock shares this process.
    const { events, error, ms } = await streamAll(modelFor(mock, { timeoutMs: 2000, retries: 1 }));
    expect(error).toBeUndefined();
    expect(ms).toBeLessThan(30_000);
    const retries = events.filter((e): e is Extract<ModelStreamEvent, { type: 'retry' }> => e.type === 'retry');
    expect(retries).toHaveLength(1);
    expect(retries[0]!.reason).toMatch(/timed out/);
    expect(retries[0]!.reason).toContain('2 s');
    expect(events.at(-1)).toMatchObject({ type: 'reply', reply: { text: 'answer after the timeout' } });
    expect(mock.requests).toHaveLength(2);
  });

  it('when every attempt stays silent, the failure says it timed out', async () => {
    const mock = await mockWith([{ fault: 'hang' }]);
    const { error, ms } = await streamAll(modelFor(mock, { timeoutMs: 600, retries: 0 }));
    expect(ms).toBeLessThan(10_000);
    expect(error).toBeInstanceOf(SwitchboardError);
    expect((error as SwitchboardError).code).toBe('MODEL_REQUEST');
    expect((error as SwitchboardError).message).toMatch(/timed out/);
    expect(mock.requests).toHaveLength(1);
  });
});

describe('an error event in the middle of a stream', () => {
  it('is retried: two requests, and the turn completes with the second reply', async () => {
    const mock = await mockWith([{ fault: 'midstream-error', message: 'overloaded' }, { text: 'the second reply' }]);
    const agent = new Agent({ model: modelFor(mock), tools: NO_TOOLS, maxSteps: 5 });
    const turn = await runTurn(agent, 'hello');
    expect(turn.error).toBeUndefined();
    const retries = turn.events.filter((e): e is Extract<AgentEvent, { type: 'model_retry' }> => e.type === 'model_retry');
    expect(retries).toHaveLength(1);
    expect(retries[0]!.reason).toContain('overloaded');
    expect(retries[0]!.reason).toMatch(/mid-stream/);
    expect(turn.events.filter((e) => e.type === 'final')).toEqual([{ type: 'final', text: 'the second reply', steps: 1 }]);
    expect(mock.requests).toHaveLength(2);
    expect(mock.requests[1]!.body.messages).toEqual(mock.requests[0]!.body.messages);
    // Nothing of the broken attempt went into the history.
    expect(agent.history.at(-1)).toEqual({ role: 'assistant', content: 'the second reply' });
    expect(agent.history.filter((m) => m.role === 'assistant')).toHaveLength(1);
  });
});
