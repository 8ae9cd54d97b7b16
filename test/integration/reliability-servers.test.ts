/**
 * Fault injection on the tool side: real fixture MCP servers (from dist/) behind a real
 * ToolHub. Each test provokes one fault for real (a hanging tool, a crash, a server that
 * ignores SIGTERM, garbage on stdout...), asserts what the model reads (the ToolOutcome
 * text) and what the user is told (observer notices), and then checks by pid that no
 * process of the scenario is left: every server leads its own process group, so an empty
 * group means neither the server nor anything it spawned survived.
 *
 * Timing assertions are only generous upper bounds proving that a call did NOT wait for
 * the full timeout.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { ServerSpec } from '../../src/config/schema.js';
import { ToolHub, type HubOptions, type StartReport } from '../../src/mcp/hub.js';
import { FIXTURE_SERVER_PATH } from '../support/paths.js';
import { isAlive, killIfAlive, readPidFile, waitForGone, waitUntil } from '../support/processes.js';
import { changesOnRestartSpec } from './servers.js';


function fixture(name: string, flags: string[] = [], extra: Partial<ServerSpec> = {}): ServerSpec {
  return { name, transport: 'stdio', command: process.execPath, args: [FIXTURE_SERVER_PATH, ...flags], env: {}, ...extra };
}

interface Harness {
  hub: ToolHub;
  report: StartReport;
  notices: string[];
  stderr: string[];
  skipped: Array<{ server: string; tool: string; reason: string }>;
  /** Every pid this harness has seen (servers, grandchildren); checked after the scenario. */
  pids: Set<number>;
  /** Records the current pid of every connection. */
  notePids(): void;
}

let harnesses: Harness[] = [];
let dir: string;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'switchboard-reliability-'));
});

afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

afterEach(async () => {
  // Safety net only: the tests assert the clean-up themselves.
  const open = harnesses;
  harnesses = [];
  await Promise.allSettled(open.map((h) => h.hub.close()));
  killIfAlive(open.flatMap((h) => [...h.pids]), { groups: true });
});

async function startHub(specs: ServerSpec[], options: Partial<HubOptions> = {}): Promise<Harness> {
  const notices: string[] = [];
  const stderr: string[] = [];
  const skipped: Harness['skipped'] = [];
  const hub = new ToolHub(specs, {
    startupTimeoutMs: 15_000,
    toolTimeoutMs: 30_000,
    maxToolOutputChars: 100_000,
    restartBackoffMs: 10,
    observer: {
      notice: (_server, message) => notices.push(message),
      stderrLine: (_server, line) => stderr.push(line),
      toolSkipped: (server, tool, reason) => skipped.push({ server, tool, reason }),
    },
    ...options,
  });
  const pids = new Set<number>();
  const notePids = () => {
    for (const c of hub.connections) if (c.pid) pids.add(c.pid);
  };
  const harness: Harness = { hub, report: { started: [], failed: [] }, notices, stderr, skipped, pids, notePids };
  harnesses.push(harness);
  harness.report = await hub.start();
  notePids();
  return harness;
}

/** Closes the hub and asserts that every process the scenario started is gone. */
async function closeAndExpectNoLeftovers(h: Harness, extraPids: Array<number | undefined> = []): Promise<void> {
  h.notePids();
  await h.hub.close();
  for (const pid of extraPids) if (pid) h.pids.add(pid);
  expect(h.pids.size).toBeGreaterThan(0);
  expect(await waitForGone([...h.pids], { timeoutMs: 5000, groups: true })).toEqual([]);
}

const elapsedSince = (t0: number) => performance.now() - t0;

describe('per-call timeouts', () => {
  it('a hanging tool times out after toolTimeoutMs, the server is told to cancel, and the hub keeps working', async () => {
    // 3 s: the calls after the hang (cancelled_count, echo) run under the same timeout.
    const h = await startHub([fixture('fx')], { toolTimeoutMs: 3000 });
    const t0 = performance.now();
    const outcome = await h.hub.call('hang', {});
    expect(elapsedSince(t0)).toBeLessThan(30_000);
    expect(outcome.isError).toBe(true);
    expect(outcome.server).toBe('fx');
    expect(outcome.text).toContain('timed out after 3 s');
    expect(outcome.text).toContain('"fx"');

    // notifications/cancelled reached the server.
    const cancelled = await waitUntil(async () => {
      const count = await h.hub.call('cancelled_count', {});
      return Number(count.text) >= 1 ? Number(count.text) : 0;
    }, 3000);
    expect(cancelled).toBeGreaterThanOrEqual(1);

    const echo = await h.hub.call('echo', { text: 'still here' });
    expect(echo).toMatchObject({ isError: false, text: 'still here' });
    await closeAndExpectNoLeftovers(h);
  });

  it("a server's own timeout wins over the hub default, in both directions", async () => {
    const h = await startHub(
      [
        fixture('short', ['--tools', 'hang'], { timeoutSeconds: 0.4 }),
        fixture('long', ['--tools', 'sleep'], { timeoutSeconds: 10 }),
      ],
      { toolTimeoutMs: 30_000 },
    );
    // Shorter than the default: does not wait the 30 s default.
    const t0 = performance.now();
    const hang = await h.hub.call('hang', {});
    expect(elapsedSince(t0)).toBeLessThan(10_000);
    expect(hang.isError).toBe(true);
    expect(hang.text).toContain('timed out after 0.4 s');

    // Longer than the default: a 1.2 s call on a 10 s server is fine even with a tiny default.
    const h2 = await startHub([fixture('long', ['--tools', 'sleep'], { timeoutSeconds: 10 })], { toolTimeoutMs: 300 });
    const slept = await h2.hub.call('sleep', { ms: 1200 });
    expect(slept).toMatchObject({ isError: false, text: 'slept 1200 ms' });

    await closeAndExpectNoLeftovers(h);
    await closeAndExpectNoLeftovers(h2);
  });

  it('progress notifications reset the timeout; without progress the same call times out', async () => {
    // Ticks come every 100 ms; the 2 s timeout is 20x that, so a busy machine that delays a
    // few ticks does not time the call out. The 4 s sleep is twice the timeout (and under the
    // 10x overall cap), so only the progress can have kept the first call alive.
    const h = await startHub([fixture('fx', ['--tools', 'sleep'])], { toolTimeoutMs: 2000 });
    const [withProgress, without] = await Promise.all([
      h.hub.call('sleep', { ms: 4000, progress: true }),
      h.hub.call('sleep', { ms: 4000 }),
    ]);
    expect(withProgress).toMatchObject({ isError: false, text: 'slept 4000 ms' });
    expect(without.isError).toBe(true);
    expect(without.text).toContain('timed out after 2 s');
    await closeAndExpectNoLeftovers(h);
  });
});

describe('server crashes', () => {
  it('a crash fails every in-flight call at once; the next call restarts the server with its tools', async () => {
    const gcFile = join(dir, 'crash-gc.pid');
    const h = await startHub([fixture('fx', ['--grandchild', gcFile])], { toolTimeoutMs: 30_000 });
    const connection = h.hub.connections[0]!;
    const firstPid = connection.pid;
    const firstGrandchild = await readPidFile(gcFile);
    expect(isAlive(firstPid)).toBe(true);
    expect(isAlive(firstGrandchild)).toBe(true);
    const toolsBefore = [...h.hub.routes.keys()].sort();

    const t0 = performance.now();
    const [slept, crashed] = await Promise.all([h.hub.call('sleep', { ms: 20_000 }), h.hub.call('crash', {})]);
    // Both failed as soon as the process died: far under the 20 s sleep and the 30 s timeout.
    expect(elapsedSince(t0)).toBeLessThan(8_000);
    expect(crashed.isError).toBe(true);
    expect(crashed.text).toContain('server "fx" crashed');
    expect(slept.isError).toBe(true);
    expect(slept.text).toContain('server "fx" crashed');
    expect(slept.text).toContain('sleep');
    expect(h.notices.join('\n')).toContain('"fx" exited unexpectedly');

    // The crashed server's process group (the grandchild too) is gone before any restart.
    expect(await waitForGone([firstPid, firstGrandchild], { groups: true })).toEqual([]);

    // The model still sees the tools while the server is down between calls.
    expect([...h.hub.routes.keys()].sort()).toEqual(toolsBefore);

    // The next call restarts the server: new pid, tools listed again, call works.
    const echo = await h.hub.call('echo', { text: 'back again' });
    expect(echo).toMatchObject({ isError: false, text: 'back again' });
    h.notePids();
    expect(connection.pid).toBeDefined();
    expect(connection.pid).not.toBe(firstPid);
    expect(isAlive(connection.pid)).toBe(true);
    expect(connection.state).toBe('ready');
    expect([...h.hub.routes.keys()].sort()).toEqual(toolsBefore);
    expect(h.notices.join('\n')).toMatch(/"fx" restarted; \d+ tools listed again/);

    const secondGrandchild = await waitUntil(async () => {
      const pid = await readPidFile(gcFile);
      return pid !== firstGrandchild ? pid : undefined;
    });
    await closeAndExpectNoLeftovers(h, [firstGrandchild, secondGrandchild]);
  });

  it('a call arriving while the crashed server is being restarted waits for the restart instead of failing', async () => {
    const h = await startHub([fixture('fx', ['--tools', 'echo,crash'])]);
    const connection = h.hub.connections[0]!;
    const firstPid = connection.pid;
    expect((await h.hub.call('crash', {})).isError).toBe(true);
    await waitUntil(() => connection.state === 'crashed');
    // The first call after the crash starts the restart...
    const first = h.hub.call('echo', { text: 'first' });
    // ...and a second call comes in while the new process is starting up (e.g. from another turn).
    expect(await waitUntil(() => connection.state === 'starting', 5000, 2)).toBe(true);
    const second = h.hub.call('echo', { text: 'second' });
    expect(await first).toMatchObject({ isError: false, text: 'first' });
    expect(await second).toMatchObject({ isError: false, text: 'second' });
    h.notePids();
    expect(connection.pid).not.toBe(firstPid);
    await closeAndExpectNoLeftovers(h);
  });

  it('after 3 crashes within the window the server is marked down and answers at once without restarting', async () => {
    const h = await startHub([fixture('fx')]);
    const connection = h.hub.connections[0]!;
    for (let crash = 1; crash <= 3; crash++) {
      const outcome = await h.hub.call('crash', {});
      h.notePids();
      expect(outcome.isError).toBe(true);
      expect(outcome.text).toContain('crashed');
      await waitUntil(() => connection.state !== 'ready', 5000);
    }
    expect(h.pids.size).toBe(3); // started once, restarted twice
    expect(connection.state).toBe('down');
    expect(h.notices.join('\n')).toContain('marked down');
    const lastPid = connection.pid;
    expect(await waitForGone([...h.pids], { groups: true })).toEqual([]);

    // "At once" is shown by order, not time: no new process, and the answer is "down" (a call
    // that waited would end in a timeout or a restart instead).
    const down = await h.hub.call('echo', { text: 'anyone?' });
    expect(down.isError).toBe(true);
    expect(down.text).toContain('is down');
    expect(down.text).toContain('"fx"');
    // No restart was attempted: same (dead) pid.
    expect(connection.pid).toBe(lastPid);
    expect(isAlive(connection.pid)).toBe(false);
    const again = await h.hub.call('echo', { text: 'anyone?' });
    expect(again.text).toContain('is down');
    expect(connection.pid).toBe(lastPid);
    await closeAndExpectNoLeftovers(h);
  });
});

describe('restarts that fail', () => {
  it('a restart that fails counts as a crash: the user reads why, and the server ends up down', async () => {
    // The first start runs the fixture normally; every later start runs it with
    // --crash-at-start (as a server whose dependency vanished would).
    const pidFile = join(dir, 'restart-fail.pid');
    const h = await startHub([changesOnRestartSpec('flaky', dir, pidFile, [], ['--crash-at-start'])]);
    expect(h.report.started).toEqual(['flaky']);
    const connection = h.hub.connections[0]!;
    expect((await h.hub.call('crash', {})).text).toContain('server "flaky" crashed'); // crash 1

    const second = await h.hub.call('echo', { text: 'x' }); // restart fails: crash 2
    h.notePids();
    h.pids.add((await readPidFile(pidFile))!);
    expect(second.isError).toBe(true);
    expect(second.text).toContain('"flaky"');
    expect(second.text).toContain('failed to start');
    expect(second.text).toContain('fixture: fatal start error');
    expect(connection.state).toBe('crashed');

    const third = await h.hub.call('echo', { text: 'x' }); // restart fails again: crash 3, down
    h.notePids();
    h.pids.add((await readPidFile(pidFile))!);
    expect(third.isError).toBe(true);
    expect(third.text).toContain('failed to start');
    expect(connection.state).toBe('down');

    const pidBefore = connection.pid;
    const down = await h.hub.call('echo', { text: 'x' });
    expect(down.text).toContain('is down');
    expect(connection.pid).toBe(pidBefore);
    expect(h.notices.join('\n')).toContain('restarting server "flaky"');
    await closeAndExpectNoLeftovers(h);
  });
});

describe('tool list changes', () => {
  it('list_changed adds the new tool to the routes; a call running during the swap finishes fine', async () => {
    const h = await startHub([fixture('fx')]);
    expect(h.hub.routes.has('fresh')).toBe(false);
    const running = h.hub.call('sleep', { ms: 800 });
    const added = await h.hub.call('add_tool', { name: 'fresh' });
    expect(added).toMatchObject({ isError: false, text: 'added fresh' });
    expect(await waitUntil(() => h.hub.routes.has('fresh'), 5000)).toBe(true);
    expect(h.hub.functionTools.some((t) => t.function.name === 'fresh')).toBe(true);
    // The older tools are still routed.
    expect(h.hub.routes.has('echo')).toBe(true);

    const fresh = await h.hub.call('fresh', { text: 'hello fresh' });
    expect(fresh).toMatchObject({ isError: false, text: 'hello fresh', server: 'fx' });
    expect(await running).toMatchObject({ isError: false, text: 'slept 800 ms' });
    await closeAndExpectNoLeftovers(h);
  });
});

describe('shutdown of stubborn servers', () => {
  it('--ignore-sigterm: close() escalates to SIGKILL within a bounded time', async () => {
    const pidFile = join(dir, 'stubborn.pid');
    const h = await startHub([fixture('stubborn', ['--ignore-sigterm', '--pidfile', pidFile])]);
    const pid = await readPidFile(pidFile);
    expect(pid).toBe(h.hub.connections[0]!.pid);
    expect((await h.hub.call('echo', { text: 'ok' })).text).toBe('ok');
    const t0 = performance.now();
    await h.hub.close();
    expect(elapsedSince(t0)).toBeLessThan(10_000);
    expect(isAlive(pid)).toBe(false);
    expect(await waitForGone([pid], { groups: true })).toEqual([]);
    // The user was not told it crashed: it was asked to go.
    expect(h.notices.join('\n')).not.toContain('exited unexpectedly');
  });

  it('--ignore-sigterm --grandchild: close() also takes the grandchild down', async () => {
    const gcFile = join(dir, 'stubborn-gc.pid');
    const h = await startHub([fixture('stubborn', ['--ignore-sigterm', '--grandchild', gcFile])]);
    const pid = h.hub.connections[0]!.pid;
    const grandchild = await readPidFile(gcFile);
    expect(isAlive(pid)).toBe(true);
    expect(isAlive(grandchild)).toBe(true);
    const t0 = performance.now();
    await h.hub.close();
    expect(elapsedSince(t0)).toBeLessThan(10_000);
    expect(await waitForGone([pid, grandchild], { groups: true })).toEqual([]);
  });

  it('--grandchild on a well-behaved server: close() leaves no grandchild behind', async () => {
    const gcFile = join(dir, 'polite-gc.pid');
    const h = await startHub([fixture('polite', ['--grandchild', gcFile])]);
    const grandchild = await readPidFile(gcFile);
    expect(isAlive(grandchild)).toBe(true);
    await closeAndExpectNoLeftovers(h, [grandchild]);
  });
});

describe('misbehaving servers at start-up', () => {
  it('--garbage-stdout: the server still starts and its tools still work', async () => {
    const h = await startHub([fixture('noisy', ['--garbage-stdout'])]);
    expect(h.report.started).toEqual(['noisy']);
    expect(h.report.failed).toEqual([]);
    const echo = await h.hub.call('echo', { text: 'through the noise' });
    expect(echo).toMatchObject({ isError: false, text: 'through the noise' });
    const add = await h.hub.call('add', { a: 2, b: 3 });
    expect(add).toMatchObject({ isError: false, text: '5' });
    // The garbage is reported (shown with --verbose), not fatal.
    expect(h.stderr.join('\n')).toContain('not JSON-RPC');
    await closeAndExpectNoLeftovers(h);
  });

  it('--exit-during-init: reported as failed with "exited" wording and its stderr; the other server is fine', async () => {
    const pidFile = join(dir, 'init-exit.pid');
    const h = await startHub([fixture('good', ['--tools', 'echo']), fixture('quitter', ['--exit-during-init', '--pidfile', pidFile])]);
    const quitterPid = await readPidFile(pidFile);
    expect(h.report.started).toEqual(['good']);
    expect(h.report.failed).toHaveLength(1);
    const failure = h.report.failed[0]!;
    expect(failure.server).toBe('quitter');
    expect(failure.message).toContain('"quitter"');
    expect(failure.message).toMatch(/exited/);
    expect(failure.message).toContain('fixture: exiting during initialize');
    expect(failure.stderrTail).toContain('fixture: exiting during initialize');
    expect(failure.message).toContain('--exit-during-init'); // the command line, for the user
    expect(h.hub.connections[1]!.state).toBe('down');
    expect(isAlive(quitterPid)).toBe(false);

    expect(await h.hub.call('echo', { text: 'fine' })).toMatchObject({ isError: false, text: 'fine', server: 'good' });
    await closeAndExpectNoLeftovers(h, [quitterPid]);
  });

  it('--bad-schema: the tool is skipped with a warning; the others are still callable', async () => {
    const h = await startHub([fixture('fx', ['--bad-schema'])]);
    expect(h.report.started).toEqual(['fx']);
    expect(h.skipped).toHaveLength(1);
    expect(h.skipped[0]).toMatchObject({ server: 'fx', tool: 'bad_schema' });
    expect(h.skipped[0]!.reason).toMatch(/object/);
    expect(h.hub.routes.has('bad_schema')).toBe(false);
    expect(h.hub.functionTools.map((t) => t.function.name)).not.toContain('bad_schema');
    expect(await h.hub.call('echo', { text: 'x' })).toMatchObject({ isError: false, text: 'x' });
    const skippedCall = await h.hub.call('bad_schema', {});
    expect(skippedCall.isError).toBe(true);
    expect(skippedCall.text).toContain('no tool named "bad_schema"');
    await closeAndExpectNoLeftovers(h);
  });
});

describe('arguments and output size', () => {
  it('arguments that do not fit the inputSchema are refused before the server is called', async () => {
    const h = await startHub([fixture('fx')]);
    const add = await h.hub.call('add', { a: 'x', b: 1 });
    expect(add.isError).toBe(true);
    expect(add.text).toContain("do not match the tool's input schema");
    expect(add.text).toMatch(/\/?a\b.*number|number.*\/?a\b/);
    expect(add.text).toContain('The tool was not run');

    // add_tool with a wrong type: had it reached the server, a tool named "42" would be
    // listed. A valid add_tool afterwards makes the hub re-list, so "42" would show up.
    const wrong = await h.hub.call('add_tool', { name: 42 });
    expect(wrong.isError).toBe(true);
    expect(wrong.text).toContain('The tool was not run');
    const marker = await h.hub.call('add_tool', { name: 'marker' });
    expect(marker).toMatchObject({ isError: false, text: 'added marker' });
    expect(await waitUntil(() => h.hub.routes.has('marker'), 5000)).toBe(true);
    expect(h.hub.routes.has('42')).toBe(false);

    // Arguments that are not JSON at all.
    const notJson = await h.hub.call('add', '{"a": 1, "b":');
    expect(notJson.isError).toBe(true);
    expect(notJson.text).toContain('not valid JSON');
    await closeAndExpectNoLeftovers(h);
  });

  it('oversized output is cut to maxToolOutputChars keeping head and tail, with a marker', async () => {
    const h = await startHub([fixture('fx', ['--tools', 'big'])], { maxToolOutputChars: 1000 });
    const outcome = await h.hub.call('big', { chars: 50_000 });
    expect(outcome.isError).toBe(false);
    expect(outcome.text.length).toBeLessThanOrEqual(1000);
    expect(outcome.text.startsWith('HEAD-')).toBe(true);
    expect(outcome.text.endsWith('-TAIL')).toBe(true);
    const marker = /\n\[\.\.\. (\d+) characters cut[^\n]*\]\n/.exec(outcome.text);
    expect(marker).not.toBeNull();
    const cut = Number(marker![1]);
    const kept = outcome.text.length - marker![0].length;
    expect(cut + kept).toBe(50_000);
    expect(marker![0]).toContain('50000');
    // A small output is untouched.
    const small = await h.hub.call('big', { chars: 900 });
    expect(small.text.length).toBe(900);
    await closeAndExpectNoLeftovers(h);
  });
});
