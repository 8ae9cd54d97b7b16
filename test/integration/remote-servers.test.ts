/**
 * Remote MCP servers as real processes on loopback: server-everything in its `streamableHttp`
 * and `sse` modes, and the fault-injecting HTTP fixture (test/support/http-fixture-server.ts),
 * reached through the same ToolHub as stdio servers: listing (with paging), calls, progress,
 * cancellation, list_changed, a server that disappears mid-call and comes back, an expired
 * session (404), and the transport fallback.
 */
import { mkdtempSync, readFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { ServerSpec } from '../../src/config/schema.js';
import { REPO_ROOT } from '../support/paths.js';
import { freePort, ServerProcesses } from '../support/server-processes.js';
import { EVERYTHING_SERVER, HubTracker } from './servers.js';

const HTTP_FIXTURE = resolve(REPO_ROOT, 'dist/test/support/http-fixture-server.js');

const servers = new ServerProcesses();
const tracker = new HubTracker();

afterEach(async () => {
  await tracker.closeAll?.();
  await servers.killAll();
});

const remoteSpec = (name: string, url: string, extra: Partial<ServerSpec> = {}): ServerSpec => ({
  name,
  transport: 'http',
  remoteKind: 'auto',
  headers: {},
  command: '',
  args: [],
  env: {},
  url,
  ...extra,
});

describe.each([
  ['streamableHttp', '/mcp', 'streamable-http'],
  ['sse', '/sse', 'sse'],
] as const)('server-everything over %s', (mode, path, kind) => {
  it('lists its tools, calls one, reports progress in order, and cancels a running call', async () => {
    const port = await freePort();
    await servers.start([EVERYTHING_SERVER, mode], { PORT: String(port) }, /listening|running/i);
    // The SSE server is reached with no type (auto): Streamable HTTP is tried and it falls back.
    const hub = tracker.create([remoteSpec('ev', `http://127.0.0.1:${port}${path}`, mode === 'sse' ? {} : { remoteKind: kind })]);
    const report = await hub.start();
    expect(report.failed.map((f) => f.message)).toEqual([]);
    expect([...hub.routes.keys()]).toEqual(expect.arrayContaining(['echo', 'get-sum', 'trigger-long-running-operation']));

    expect(await hub.call('echo', '{"message": "over http"}')).toMatchObject({ text: 'Echo: over http', isError: false, server: 'ev' });

    const progress: number[] = [];
    const done = await hub.call('trigger-long-running-operation', '{"duration": 1, "steps": 4}', undefined, (update) => progress.push(update.progress));
    expect(done.isError).toBe(false);
    // In order; over the legacy SSE transport the last update may come after the result (then it is dropped).
    expect(progress.slice(0, 3)).toEqual([1, 2, 3]);
    expect(progress).toEqual([...progress].sort((x, y) => x - y));

    // Cancellation: abort after the first progress update of a long call.
    const abort = new AbortController();
    const events: string[] = [];
    const outcome = await hub.call('trigger-long-running-operation', '{"duration": 60, "steps": 60}', abort.signal, () => {
      if (events.length === 0) abort.abort();
      events.push('progress');
    });
    events.push('settled');
    expect(outcome.isError).toBe(true);
    expect(outcome.text).not.toMatch(/completed/i);
    expect(events[0]).toBe('progress');
    // The server is still usable after the cancelled call.
    expect(await hub.call('get-sum', '{"a": 2, "b": 3}')).toMatchObject({ isError: false });
    expect((await hub.call('get-sum', '{"a": 2, "b": 3}')).text).toContain('5');
  });
});

describe('the HTTP fixture server', () => {
  it('pages tools/list, follows list_changed, and sends the configured headers', async () => {
    const port = await freePort();
    await servers.start([HTTP_FIXTURE, '--port', String(port), '--page-size', '2', '--require-header', 'x-api-key=sesame-1234'], {}, /listening on/);
    const changed: string[] = [];
    const hub = tracker.create([remoteSpec('fx', `http://127.0.0.1:${port}/mcp`, { remoteKind: 'streamable-http', headers: { 'X-Api-Key': 'sesame-1234' } })], { observer: { toolsChanged: (server) => changed.push(server) } });
    expect((await hub.start()).failed).toEqual([]);
    expect([...hub.routes.keys()].sort()).toEqual(['add_tool', 'echo', 'slow', 't1', 't2', 't3', 't4']);
    expect(await hub.call('add_tool', '{}')).toMatchObject({ text: 'added extra', isError: false });
    await expect.poll(() => [...hub.routes.keys()], { timeout: 10_000 }).toContain('extra');
    expect(changed).toContain('fx');
  });

  it('reports a missing header token as a start failure naming the URL and HTTP 401', async () => {
    const port = await freePort();
    await servers.start([HTTP_FIXTURE, '--port', String(port), '--require-header', 'x-api-key=sesame-1234'], {}, /listening on/);
    const url = `http://127.0.0.1:${port}/mcp`;
    const hub = tracker.create([remoteSpec('fx', url, { remoteKind: 'streamable-http' })]);
    const report = await hub.start();
    expect(report.failed).toHaveLength(1);
    expect(report.failed[0]!.message).toContain(url);
    expect(report.failed[0]!.message).toMatch(/401/);
  });

  it('re-initializes once when the session expired (404) and the call goes through', async () => {
    const port = await freePort();
    const log = join(mkdtempSync(join(tmpdir(), 'sb-remote-')), 'events.log');
    await servers.start([HTTP_FIXTURE, '--port', String(port), '--forget-sessions-after-list', '--event-log', log], {}, /listening on/);
    const notices: string[] = [];
    const hub = tracker.create([remoteSpec('fx', `http://127.0.0.1:${port}/mcp`, { remoteKind: 'streamable-http' })], { observer: { notice: (_s, message) => notices.push(message) } });
    expect((await hub.start()).failed).toEqual([]);
    await expect.poll(() => existsSync(log) && readFileSync(log, 'utf8').includes('forgot-sessions'), { timeout: 10_000 }).toBe(true);
    expect(await hub.call('echo', '{"text": "again"}')).toMatchObject({ text: 'echo: again', isError: false });
    expect(notices.join('\n')).toMatch(/session expired/);
    const events = readFileSync(log, 'utf8').trim().split('\n');
    // initialize, forgotten, initialize again, then the one call.
    expect(events.filter((e) => e === 'initialize')).toHaveLength(2);
    expect(events.filter((e) => e === 'call echo')).toHaveLength(1);
  });

  it('a server that disappears mid-call fails that call with the URL, and is reconnected when it comes back', async () => {
    const port = await freePort();
    const url = `http://127.0.0.1:${port}/mcp`;
    let server = await servers.start([HTTP_FIXTURE, '--port', String(port)], {}, /listening on/);
    const notices: string[] = [];
    const hub = tracker.create([remoteSpec('fx', url, { remoteKind: 'streamable-http' })], { observer: { notice: (_s, message) => notices.push(message) } });
    expect((await hub.start()).failed).toEqual([]);
    let killed: Promise<void> | undefined;
    const outcome = await hub.call('slow', '{"steps": 200}', undefined, () => {
      killed ??= servers.stop(server);
    });
    await killed;
    expect(outcome.isError).toBe(true);
    expect(outcome.text).toMatch(/crash|lost|connection/i);
    expect(notices.join('\n')).toContain(url);
    server = await servers.start([HTTP_FIXTURE, '--port', String(port)], {}, /listening on/);
    expect(await hub.call('echo', '{"text": "back"}')).toMatchObject({ text: 'echo: back', isError: false });
  });
});
