/**
 * The MCP layer's contracts, each proven through a real ToolHub over real servers
 * (server-everything from node_modules, the fixture server from dist/): progress and log
 * notifications arrive, task-only tools run as tasks, crash messages say what happened
 * last, exposed names never move, each tool is validated by its own schema, and start
 * failures are classified by error code. Every test closes its hubs and checks that no
 * server process is left.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import type { ServerLogEntry, ToolProgress } from '../../src/mcp/connection.js';
import type { ToolHub } from '../../src/mcp/hub.js';
import { EXPOSED_NAME_PATTERN } from '../../src/mcp/naming.js';
import { readPidFile, waitUntil } from '../support/processes.js';
import { changesOnRestartSpec, everythingSpec, fixtureSpec, HubTracker } from './servers.js';

const tracker = new HubTracker();
let dir: string;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'switchboard-mcp-layer-'));
});

afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

afterEach(async () => {
  expect(await tracker.closeAll(), 'hubs that did not close, or server processes still alive').toEqual([]);
});

async function started(hub: ToolHub): Promise<ToolHub> {
  const report = await hub.start();
  expect(report.failed.map((e) => e.message)).toEqual([]);
  tracker.notePids(hub);
  return hub;
}

describe('notifications from servers', () => {
  it("server-everything's long-running operation reports increasing progress before its result", async () => {
    const hub = await started(tracker.create([everythingSpec()]));
    const events: string[] = [];
    const updates: ToolProgress[] = [];
    const outcome = await hub.call('trigger-long-running-operation', { duration: 1, steps: 4 }, undefined, (update) => {
      updates.push(update);
      events.push('progress');
    });
    events.push('result');
    expect(outcome).toMatchObject({ isError: false, server: 'everything' });
    expect(outcome.text).toContain('Long running operation completed');
    expect(updates.map((u) => u.progress)).toEqual([1, 2, 3, 4]);
    expect(updates.every((u) => u.total === 4)).toBe(true);
    expect(events).toEqual(['progress', 'progress', 'progress', 'progress', 'result']);
  });

  it('server log messages (notifications/message) reach serverLog with the server name, level and data', async () => {
    const logs: Array<{ server: string; entry: ServerLogEntry }> = [];
    const hub = await started(tracker.create([everythingSpec('chatty')], { observer: { serverLog: (server, entry) => logs.push({ server, entry }) } }));
    expect(logs).toEqual([]);
    // Starts simulated logging: one message at once, then one every 5 s.
    const toggled = await hub.call('toggle-simulated-logging', {});
    expect(toggled.text).toContain('Started simulated');
    expect(await waitUntil(() => logs.length > 0, 10_000)).toBe(true);
    const { server, entry } = logs[0]!;
    expect(server).toBe('chatty');
    expect(['debug', 'info', 'notice', 'warning', 'error', 'critical', 'alert', 'emergency']).toContain(entry.level);
    // The data names the level it was sent at ("Debug-level message", "Alert level-message").
    expect(String(entry.data).toLowerCase()).toContain(entry.level);
    expect((await hub.call('toggle-simulated-logging', {})).text).toContain('Stopped simulated');
  });
});

describe('tools that can only run as tasks (execution.taskSupport: "required")', () => {
  it('are offered and called through the task API: created, status as progress, then the result', async () => {
    const hub = await started(tracker.create([everythingSpec()]));
    // server-everything registers it just after initialize (it may arrive through list_changed).
    expect(await waitUntil(() => hub.routes.has('simulate-research-query'), 10_000)).toBe(true);
    const progress: ToolProgress[] = [];
    const outcome = await hub.call('simulate-research-query', { topic: 'bees' }, undefined, (update) => progress.push(update));
    expect(outcome.isError, outcome.text).toBe(false);
    expect(outcome.text).toContain('Research Report: bees');
    const messages = progress.map((p) => p.message);
    expect(messages[0]).toMatch(/^task (working|submitted)/);
    expect(messages).toContainEqual(expect.stringMatching(/^task working: Gathering sources/));
    expect(messages.at(-1)).toMatch(/^task completed/);
  });

  it('an aborted task call ends as cancelled, and the server stays usable', async () => {
    const hub = await started(tracker.create([everythingSpec()]));
    expect(await waitUntil(() => hub.routes.has('simulate-research-query'), 10_000)).toBe(true);
    const abort = new AbortController();
    const outcome = await hub.call('simulate-research-query', { topic: 'wasps' }, abort.signal, (update) => {
      if (update.message?.startsWith('task working')) abort.abort();
    });
    expect(outcome.isError).toBe(true);
    expect(outcome.text).toMatch(/cancelled/);
    // The server was sent tasks/cancel: its task store says so (read through the connection's own client).
    const client = (hub.connections[0] as unknown as { run: { client: Client } }).run.client;
    const { tasks } = await client.experimental.tasks.listTasks();
    expect(tasks.map((task) => task.status)).toEqual(['cancelled']);
    expect((await hub.call('get-sum', { a: 1, b: 2 })).text).toContain('3');
  });
});

describe('crash messages say what happened last', () => {
  it('a call in flight when the server crashes for the last time says it is now down, not that it will restart', async () => {
    const notices: string[] = [];
    const hub = await started(tracker.create([fixtureSpec('fx', '--tools', 'echo,crash')], { observer: { notice: (_s, message) => notices.push(message) } }));
    const connection = hub.connections[0]!;
    expect(connection.state).toBe('ready');
    expect(connection.toolCount).toBe(2);
    for (const crash of [1, 2]) {
      const outcome = await hub.call('crash', {});
      tracker.notePids(hub);
      expect(outcome.text, `crash ${crash}`).toContain('server "fx" crashed while running crash; it will be restarted on the next call');
      expect(connection.state).toBe('crashed');
    }
    const last = await hub.call('crash', {});
    tracker.notePids(hub);
    expect(connection.state).toBe('down');
    expect(last.isError).toBe(true);
    expect(last.text).toContain('server "fx" crashed while running crash');
    expect(last.text).toContain('marked down');
    expect(last.text).not.toContain('restarted');
    expect(notices.at(-1)).toContain('marked down');
    expect((await hub.call('echo', { text: 'x' })).text).toContain('is down');
  });

  it('the stderr shown for a crash is what the crashed process wrote since its latest start, never an older line', async () => {
    const notices: string[] = [];
    const pidFile = join(dir, 'stderr.pid');
    // The first start writes two stderr lines; restarts write none.
    const spec = changesOnRestartSpec('fx', dir, pidFile, ['--tools', 'echo,crash', '--stderr-lines', '2'], ['--stderr-lines', '0']);
    const hub = await started(tracker.create([spec], { observer: { notice: (_s, message) => notices.push(message) } }));
    const first = await hub.call('crash', {});
    expect(first.text).toContain('fixture stderr line 2');
    expect(notices.at(-1)).toContain('fixture stderr line 2');

    // The restarted process writes nothing before it crashes: no line of the first run may show.
    const second = await hub.call('crash', {});
    tracker.notePids(hub);
    tracker.notePid(await readPidFile(pidFile));
    expect(second.text).toContain('server "fx" crashed');
    expect(second.text).not.toContain('fixture stderr line');
    expect(notices.at(-1)).toContain('exited unexpectedly');
    expect(notices.at(-1)).not.toContain('fixture stderr line');
    expect(notices.at(-1)).toContain('wrote nothing to stderr since it started');

    // The third process says why it dies: that line, and only that, is shown.
    const third = await hub.call('crash', { stderr: 'fixture: out of disk space' });
    tracker.notePids(hub);
    tracker.notePid(await readPidFile(pidFile));
    expect(third.text).toContain('marked down');
    expect(third.text).toContain('fixture: out of disk space');
    expect(third.text).not.toContain('fixture stderr line');
    expect(notices.at(-1)).toContain('fixture: out of disk space');
  });
});

describe('exposed names never move', () => {
  it("a tool keeps its name when another server gains a tool of the same name; the newcomer is qualified", async () => {
    const hub = await started(tracker.create([fixtureSpec('a', '--tools', 'echo'), fixtureSpec('b', '--tools', 'add_tool')]));
    expect(hub.functionTools.map((t) => t.function.name)).toEqual(['echo', 'add_tool']);
    expect(await hub.call('echo', { text: 'before' })).toMatchObject({ isError: false, text: 'before', server: 'a' });

    // b gains an `echo` mid-session (list_changed).
    expect(await hub.call('add_tool', { name: 'echo' })).toMatchObject({ isError: false, text: 'added echo' });
    expect(await waitUntil(() => hub.routes.has('b__echo'))).toBe(true);
    expect(hub.functionTools.map((t) => t.function.name)).toEqual(['echo', 'add_tool', 'b__echo']);
    expect(hub.routes.has('a__echo')).toBe(false);
    for (const name of hub.routes.keys()) expect(name).toMatch(EXPOSED_NAME_PATTERN);
    // The name the model already knows still reaches a's tool; the newcomer reaches b's.
    expect(await hub.call('echo', { text: 'after' })).toMatchObject({ isError: false, text: 'after', server: 'a', originalName: 'echo' });
    expect(await hub.call('b__echo', { text: 'new' })).toMatchObject({ isError: false, text: 'new', server: 'b', originalName: 'echo' });
  });

  it('a tool keeps its name when another server comes back from a restart with a tool of the same name', async () => {
    const pidFile = join(dir, 'grows.pid');
    // b starts with `crash` only and comes back from its restart with `echo` too.
    const grows = changesOnRestartSpec('b', dir, pidFile, ['--tools', 'crash'], ['--tools', 'crash,echo']);
    const hub = await started(tracker.create([fixtureSpec('a', '--tools', 'echo'), grows]));
    expect(hub.functionTools.map((t) => t.function.name)).toEqual(['echo', 'crash']);
    expect((await hub.call('crash', {})).text).toContain('server "b" crashed');
    // The next call restarts b, which now lists `echo` as well.
    expect(await hub.call('crash', {})).toMatchObject({ isError: true, server: 'b' });
    tracker.notePids(hub);
    tracker.notePid(await readPidFile(pidFile));
    expect(await waitUntil(() => hub.routes.has('b__echo'))).toBe(true);
    expect(hub.routes.get('echo')).toMatchObject({ server: 'a', originalName: 'echo' });
    expect(hub.routes.get('crash')).toMatchObject({ server: 'b', originalName: 'crash' });
    expect(hub.servers).toEqual([
      { name: 'a', state: 'ready', toolCount: 1 },
      { name: 'b', state: 'crashed', toolCount: 2 },
    ]);
  });
});

describe('argument validation', () => {
  it('two tools sharing a $id are each validated by their own schema, and by the new one after list_changed', async () => {
    const hub = await started(tracker.create([fixtureSpec('ids', '--tools', 'echo', '--shared-id')]));
    const refused = (text: string) => expect(text).toContain('The tool was not run');

    refused((await hub.call('need_a', { b: 'x' })).text);
    expect(await hub.call('need_a', { a: 'x' })).toMatchObject({ isError: false, text: 'need_a called with {"a":"x"}' });
    refused((await hub.call('need_b', { a: 'x' })).text);
    expect(await hub.call('need_b', { b: 'x' })).toMatchObject({ isError: false, text: 'need_b called with {"b":"x"}' });

    // The server swaps what each requires and announces it.
    expect((await hub.call('swap_required', {})).text).toBe('need_a requires b, need_b requires a');
    const requiredOf = (name: string) => (hub.routes.get(name)?.definition.inputSchema as { required?: string[] } | undefined)?.required;
    expect(await waitUntil(() => requiredOf('need_a')?.[0] === 'b')).toBe(true);
    refused((await hub.call('need_a', { a: 'x' })).text);
    expect(await hub.call('need_a', { b: 'y' })).toMatchObject({ isError: false, text: 'need_a called with {"b":"y"}' });
    refused((await hub.call('need_b', { b: 'x' })).text);
    expect(await hub.call('need_b', { a: 'y' })).toMatchObject({ isError: false, text: 'need_b called with {"a":"y"}' });
  });
});

describe('start failures are classified by error code', () => {
  it("an initialize answered with an error shows the server's message, even one that reads like a closed connection", async () => {
    const hub = tracker.create([fixtureSpec('bad', '--init-error', 'Connection closed by the upstream database'), fixtureSpec('good', '--tools', 'echo')]);
    const report = await hub.start();
    tracker.notePids(hub);
    expect(report.started).toEqual(['good']);
    expect(report.failed).toHaveLength(1);
    const message = report.failed[0]!.message;
    expect(message).toContain('server "bad" failed to start: it answered with an error: Connection closed by the upstream database');
    expect(message).not.toContain('exited');
    expect(hub.connections[0]!.state).toBe('down');
    expect(await hub.call('echo', { text: 'fine' })).toMatchObject({ isError: false, server: 'good' });
  });
});
