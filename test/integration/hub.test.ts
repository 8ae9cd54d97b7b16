/**
 * ToolHub against real MCP servers over stdio: the bundled temperature server,
 * @modelcontextprotocol/server-filesystem, @modelcontextprotocol/server-everything and
 * the fault-injecting fixture server, all as child processes started from dist/ or
 * node_modules. Every test closes its hubs and checks that the server processes are gone.
 */
import { mkdtempSync, readFileSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ServerStartError } from '../../src/mcp/connection.js';
import type { ToolHub } from '../../src/mcp/hub.js';
import { FIXTURE_SERVER_PATH } from '../support/paths.js';
import { descendantsOf, isAlive, procStat, readPidFile, waitForGone, waitUntil } from '../support/processes.js';
import { everythingSpec, filesystemSpec, fixtureSpec, HubTracker, temperatureSpec } from './servers.js';

const FIXTURE_TOOLS = ['echo', 'add', 'sleep', 'crash', 'hang', 'big', 'fail', 'image', 'no_params', 'add_tool', 'cancelled_count', 'raw'];
const PNG_BASE64_PREFIX = 'iVBORw0KGgo';
const WAV_BASE64_PREFIX = 'UklGR';

const tracker = new HubTracker();
let tmp: string;

beforeAll(() => {
  // realpath: server-filesystem compares resolved paths (e.g. a symlinked /tmp).
  tmp = realpathSync(mkdtempSync(join(tmpdir(), 'switchboard-hub-')));
});

afterAll(() => {
  rmSync(tmp, { recursive: true, force: true });
});

afterEach(async () => {
  expect(await tracker.closeAll(), 'hubs that did not close, or server processes still alive').toEqual([]);
});

function names(hub: ToolHub): string[] {
  return hub.functionTools.map((t) => t.function.name);
}

async function started(hub: ToolHub) {
  const report = await hub.start();
  tracker.notePids(hub);
  return report;
}

describe('ToolHub with temperature, server-filesystem and server-everything', () => {
  it('starts all three, lists their tools under bare names, and routes calls to the right process', async () => {
    const dir = mkdtempSync(join(tmp, 'fs-'));
    const hub = tracker.create([temperatureSpec(), filesystemSpec(dir), everythingSpec()]);
    const report = await started(hub);
    expect(report.failed.map((e) => e.message)).toEqual([]);
    expect(report.started).toEqual(['temperature', 'filesystem', 'everything']);
    const pids = hub.connections.map((c) => c.pid);
    expect(new Set(pids).size).toBe(3);
    for (const pid of pids) expect(isAlive(pid)).toBe(true);

    const exposed = names(hub);
    for (const name of ['get_temperature', 'read_file', 'read_text_file', 'write_file', 'list_directory', 'echo', 'get-sum', 'get-tiny-image']) {
      expect(exposed).toContain(name);
    }
    // No name is shared, so none is prefixed.
    expect(exposed.filter((n) => n.includes('__'))).toEqual([]);
    expect(hub.routes.get('get_temperature')).toMatchObject({ server: 'temperature', originalName: 'get_temperature' });
    expect(hub.routes.get('read_file')).toMatchObject({ server: 'filesystem', originalName: 'read_file' });
    expect(hub.routes.get('list_directory')).toMatchObject({ server: 'filesystem', originalName: 'list_directory' });
    expect(hub.routes.get('echo')).toMatchObject({ server: 'everything', originalName: 'echo' });
    // Both third-party servers declare "$schema" in their input schemas; model APIs reject it.
    expect(JSON.stringify(hub.functionTools)).not.toContain('$schema');

    const temperature = await hub.call('get_temperature', JSON.stringify({ city: 'Paris' }));
    expect(temperature).toMatchObject({ isError: false, server: 'temperature', originalName: 'get_temperature' });
    expect(temperature.text).toBe('The temperature in Paris is 75 °F.');

    // Write through the filesystem server, check the disk, read it back through the server.
    const notes = join(dir, 'notes.txt');
    const content = 'written by server-filesystem\nsecond line\n';
    const write = await hub.call('write_file', JSON.stringify({ path: notes, content }));
    expect(write.isError).toBe(false);
    expect(write.server).toBe('filesystem');
    expect(readFileSync(notes, 'utf8')).toBe(content);
    const read = await hub.call('read_file', { path: notes });
    expect(read).toMatchObject({ isError: false, server: 'filesystem' });
    expect(read.text).toBe(content);

    // A file written behind the server's back is seen by it: the call reaches the real disk.
    writeFileSync(join(dir, 'direct.txt'), 'put here by the test');
    const readDirect = await hub.call('read_text_file', JSON.stringify({ path: join(dir, 'direct.txt') }));
    expect(readDirect.text).toBe('put here by the test');
    const listing = await hub.call('list_directory', JSON.stringify({ path: dir }));
    expect(listing.isError).toBe(false);
    expect(listing.text).toContain('[FILE] notes.txt');
    expect(listing.text).toContain('[FILE] direct.txt');

    // Outside the allowed directory: the server refuses, and the refusal reaches the model as an error.
    const outside = await hub.call('read_text_file', JSON.stringify({ path: join(tmp, '..', 'definitely-outside.txt') }));
    expect(outside.isError).toBe(true);
    expect(outside.server).toBe('filesystem');
    expect(outside.text).toMatch(/access denied|outside allowed/i);

    const echo = await hub.call('echo', JSON.stringify({ message: 'hello hub' }));
    expect(echo).toMatchObject({ isError: false, server: 'everything', originalName: 'echo' });
    expect(echo.text).toBe('Echo: hello hub');
    const sum = await hub.call('get-sum', JSON.stringify({ a: 2, b: 40 }));
    expect(sum.isError).toBe(false);
    expect(sum.text).toContain('42');
    const image = await hub.call('get-tiny-image', '{}');
    expect(image.isError).toBe(false);
    expect(image.text).toMatch(/\[image: image\/png, [\d.]+ (bytes|KB), \d+x\d+ px\]/);
    expect(image.text).not.toContain(PNG_BASE64_PREFIX);
  });
});

describe('ToolHub naming and routing', () => {
  it('exposes a name two servers share as server__tool for both, and each name reaches its own process', async () => {
    const toolsChanged: string[] = [];
    const hub = tracker.create([fixtureSpec('a', '--tools', 'echo,add_tool,crash'), fixtureSpec('b', '--tools', 'echo,add_tool,crash'), temperatureSpec()], {
      observer: { toolsChanged: (server) => toolsChanged.push(server) },
    });
    const report = await started(hub);
    expect(report.started).toEqual(['a', 'b', 'temperature']);
    expect(names(hub).sort()).toEqual(['a__add_tool', 'a__crash', 'a__echo', 'b__add_tool', 'b__crash', 'b__echo', 'get_temperature']);
    expect(hub.routes.get('a__echo')).toMatchObject({ server: 'a', originalName: 'echo' });
    expect(hub.routes.get('b__echo')).toMatchObject({ server: 'b', originalName: 'echo' });

    const viaA = await hub.call('a__echo', JSON.stringify({ text: 'to a' }));
    expect(viaA).toMatchObject({ text: 'to a', isError: false, server: 'a', originalName: 'echo' });
    const viaB = await hub.call('b__echo', JSON.stringify({ text: 'to b' }));
    expect(viaB).toMatchObject({ text: 'to b', isError: false, server: 'b', originalName: 'echo' });

    // Proof from server-side state: a tool added through a__add_tool shows up in a's own
    // tools/list (and only there), under a bare name that routes back to a.
    const addA = await hub.call('a__add_tool', JSON.stringify({ name: 'only_on_a' }));
    expect(addA).toMatchObject({ text: 'added only_on_a', isError: false });
    expect(await waitUntil(() => hub.routes.has('only_on_a'))).toBe(true);
    const addB = await hub.call('b__add_tool', JSON.stringify({ name: 'only_on_b' }));
    expect(addB).toMatchObject({ text: 'added only_on_b', isError: false });
    expect(await waitUntil(() => hub.routes.has('only_on_b'))).toBe(true);
    const [connA, connB] = hub.connections;
    expect(connA!.tools.map((t) => t.name)).toContain('only_on_a');
    expect(connA!.tools.map((t) => t.name)).not.toContain('only_on_b');
    expect(connB!.tools.map((t) => t.name)).toContain('only_on_b');
    expect(connB!.tools.map((t) => t.name)).not.toContain('only_on_a');
    expect(hub.routes.get('only_on_a')).toMatchObject({ server: 'a', originalName: 'only_on_a' });
    expect(await hub.call('only_on_a', JSON.stringify({ text: 'runtime tool' }))).toMatchObject({ text: 'runtime tool', server: 'a' });
    expect(toolsChanged).toEqual(expect.arrayContaining(['a', 'b']));

    // Proof from the processes themselves: b__crash kills b's process, not a's.
    const pidA = connA!.pid;
    const pidB = connB!.pid;
    const crash = await hub.call('b__crash', '{}');
    expect(crash.isError).toBe(true);
    expect(crash.server).toBe('b');
    expect(crash.text).toContain('"b"');
    expect(await waitForGone([pidB])).toEqual([]);
    expect(isAlive(pidA)).toBe(true);
    expect(await hub.call('a__echo', JSON.stringify({ text: 'a still here' }))).toMatchObject({ text: 'a still here', isError: false });
  });

  it('lists every tool of a server that pages tools/list', async () => {
    const hub = tracker.create([fixtureSpec('paged', '--page-size', '2')]);
    const report = await started(hub);
    expect(report.started).toEqual(['paged']);
    expect(hub.connections[0]!.tools.map((t) => t.name)).toEqual(FIXTURE_TOOLS);
    expect(names(hub)).toEqual(FIXTURE_TOOLS);
    // The last tool sits on the last page; it is routed and callable.
    expect(await hub.call('cancelled_count', '{}')).toMatchObject({ text: '0', isError: false, server: 'paged' });
  });
});

describe('ToolHub start-up failures', () => {
  it('reports servers that crash at start or during initialize, with name, command and stderr, and the others still work', async () => {
    const hub = tracker.create([
      temperatureSpec(),
      fixtureSpec('crasher', '--crash-at-start'),
      fixtureSpec('quitter', '--exit-during-init'),
      fixtureSpec('fine', '--tools', 'echo'),
    ]);
    const report = await started(hub);
    expect(report.started).toEqual(['temperature', 'fine']);
    expect(report.failed.map((e) => e.server)).toEqual(['crasher', 'quitter']);
    for (const error of report.failed) expect(error).toBeInstanceOf(ServerStartError);
    const failure = (server: string) => report.failed.find((e) => e.server === server)!;

    const crasher = failure('crasher');
    expect(crasher.command).toContain(FIXTURE_SERVER_PATH);
    expect(crasher.command).toContain('--crash-at-start');
    expect(crasher.stderrTail).toContain('fixture: fatal start error');
    expect(crasher.message).toContain('server "crasher" failed to start');
    expect(crasher.message).toContain('fixture: fatal start error');

    const quitter = failure('quitter');
    expect(quitter.command).toContain('--exit-during-init');
    expect(quitter.stderrTail).toContain('fixture: exiting during initialize');
    expect(quitter.message).toContain('server "quitter" failed to start');
    expect(quitter.message).toContain('fixture: exiting during initialize');

    // Their processes are gone; the healthy servers serve.
    const failedPids = hub.connections.filter((c) => c.state === 'down').map((c) => c.pid);
    expect(failedPids).toHaveLength(2);
    expect(await waitForGone(failedPids)).toEqual([]);
    expect(names(hub).sort()).toEqual(['echo', 'get_temperature']);
    expect(await hub.call('get_temperature', JSON.stringify({ city: 'Tokyo' }))).toMatchObject({
      text: 'The temperature in Tokyo is 73 °F.',
      isError: false,
      server: 'temperature',
    });
    expect(await hub.call('echo', JSON.stringify({ text: 'still fine' }))).toMatchObject({ text: 'still fine', isError: false, server: 'fine' });
    expect(await tracker.close(hub)).toBe('closed');
  });

  it('reports a server whose command does not exist, the others still work, and close() completes', async () => {
    const missingCommand = '/nonexistent/switchboard-no-such-server';
    const hub = tracker.create([temperatureSpec(), { name: 'missing', transport: 'stdio', command: missingCommand, args: ['--port', '1'], env: {} }]);
    const report = await started(hub);
    expect(report.started).toEqual(['temperature']);
    expect(report.failed).toHaveLength(1);
    const missing = report.failed[0]!;
    expect(missing).toBeInstanceOf(ServerStartError);
    expect(missing.server).toBe('missing');
    expect(missing.command).toBe(`${missingCommand} --port 1`);
    expect(missing.reason).toMatch(/command not found/);
    expect(missing.message).toContain('server "missing" failed to start');
    expect(missing.message).toContain(`command: ${missingCommand} --port 1`);
    expect(await hub.call('get_temperature', JSON.stringify({ city: 'Paris' }))).toMatchObject({ text: 'The temperature in Paris is 75 °F.', isError: false });
    // A host must be able to shut down after a start failure.
    expect(await tracker.close(hub)).toBe('closed');
  });
});

describe('ToolHub tool checks', () => {
  it('leaves out a tool whose schema is not an object, tells the observer, and keeps the others', async () => {
    const skipped: Array<{ server: string; tool: string; reason: string }> = [];
    const hub = tracker.create([fixtureSpec('fx', '--bad-schema', '--tools', 'echo,add')], {
      observer: { toolSkipped: (server, tool, reason) => skipped.push({ server, tool, reason }) },
    });
    await started(hub);
    expect(hub.connections[0]!.tools.map((t) => t.name)).toContain('bad_schema');
    expect(skipped).toHaveLength(1);
    expect(skipped[0]).toMatchObject({ server: 'fx', tool: 'bad_schema' });
    expect(skipped[0]!.reason).toMatch(/object schema/);
    expect(names(hub)).toEqual(['echo', 'add']);
    const call = await hub.call('bad_schema', '{}');
    expect(call.isError).toBe(true);
    expect(call.text).toContain('no tool named "bad_schema"');
    expect(await hub.call('echo', JSON.stringify({ text: 'ok' }))).toMatchObject({ text: 'ok', isError: false });
    expect(await hub.call('add', JSON.stringify({ a: 2, b: 3 }))).toMatchObject({ text: '5', isError: false });
  });

  it('rejects arguments that do not fit the schema without calling the server', async () => {
    const hub = tracker.create([fixtureSpec('fx', '--tools', 'add,add_tool,echo')]);
    await started(hub);

    const wrongType = await hub.call('add', JSON.stringify({ a: 'two', b: 3 }));
    expect(wrongType.isError).toBe(true);
    expect(wrongType.server).toBe('fx');
    expect(wrongType.text).toContain('Error calling add');
    expect(wrongType.text).toMatch(/\ba\b.*must be number/);
    expect(wrongType.text).toContain('The tool was not run');
    const missing = await hub.call('add', JSON.stringify({ a: 1 }));
    expect(missing.isError).toBe(true);
    expect(missing.text).toMatch(/required property 'b'|must have required property/);

    // Server-side proof that nothing was sent: add_tool changes the server's own tool list
    // when it runs. A rejected add_tool({name: 42}) must leave no tool "42" behind, as the
    // server's next tools/list (triggered by a valid add_tool) shows.
    const rejected = await hub.call('add_tool', JSON.stringify({ name: 42 }));
    expect(rejected.isError).toBe(true);
    expect(rejected.text).toContain('The tool was not run');
    const accepted = await hub.call('add_tool', JSON.stringify({ name: 'after_rejection' }));
    expect(accepted).toMatchObject({ text: 'added after_rejection', isError: false });
    expect(await waitUntil(() => hub.routes.has('after_rejection'))).toBe(true);
    const listed = hub.connections[0]!.tools.map((t) => t.name);
    expect(listed).toContain('after_rejection');
    expect(listed).not.toContain('42');
  });

  it('answers an unknown tool and malformed arguments with an error outcome', async () => {
    const hub = tracker.create([fixtureSpec('fx', '--tools', 'add,echo'), temperatureSpec()]);
    await started(hub);

    const unknown = await hub.call('get_weather', JSON.stringify({ city: 'Paris' }));
    expect(unknown.isError).toBe(true);
    expect(unknown.server).toBeUndefined();
    expect(unknown.text).toContain('no tool named "get_weather"');
    for (const name of ['add', 'echo', 'get_temperature']) expect(unknown.text).toContain(name);

    const badJson = await hub.call('get_temperature', '{"city": "Paris"');
    expect(badJson).toMatchObject({ isError: true, server: 'temperature' });
    expect(badJson.text).toContain('Error calling get_temperature');
    expect(badJson.text).toMatch(/not valid JSON/);

    const notObject = await hub.call('echo', '["hello"]');
    expect(notObject.isError).toBe(true);
    expect(notObject.text).toMatch(/must be a JSON object, not an array/);

    // The servers are unharmed.
    expect(await hub.call('get_temperature', '{"city": "Paris"}')).toMatchObject({ text: 'The temperature in Paris is 75 °F.', isError: false });
  });

  it('turns images, audio and resources into placeholders, never base64', async () => {
    const hub = tracker.create([fixtureSpec('media', '--tools', 'image')]);
    await started(hub);
    const outcome = await hub.call('image', '{}');
    expect(outcome.isError).toBe(false);
    expect(outcome.text).toMatch(/\[image: image\/png, \d+ bytes, 1x1 px\]/);
    expect(outcome.text).toContain('[audio: audio/wav, 52 bytes]');
    expect(outcome.text).toContain('[resource link: file:///tmp/x.txt (x.txt)]');
    expect(outcome.text).toContain('[resource mem://note]\nembedded note');
    expect(outcome.text).not.toContain(PNG_BASE64_PREFIX);
    expect(outcome.text).not.toContain(WAV_BASE64_PREFIX);
  });
});

describe('ToolHub shutdown', () => {
  it('close() takes the server and its grandchild down', async () => {
    const pidfile = join(tmp, `grandchild-${process.pid}.pid`);
    const hub = tracker.create([fixtureSpec('parent', '--grandchild', pidfile, '--tools', 'echo')]);
    await started(hub);
    const serverPid = hub.connections[0]!.pid!;
    const grandchild = await readPidFile(pidfile);
    tracker.notePid(grandchild);
    expect(grandchild).toBeDefined();
    expect(isAlive(grandchild)).toBe(true);
    expect(descendantsOf(serverPid)).toContain(grandchild);
    expect(procStat(grandchild!)?.pgid).toBe(serverPid); // the server leads its own group
    expect(await hub.call('echo', JSON.stringify({ text: 'hi' }))).toMatchObject({ text: 'hi' });

    expect(await tracker.close(hub)).toBe('closed');
    expect(isAlive(serverPid)).toBe(false);
    expect(await waitForGone([grandchild], { timeoutMs: 5000 })).toEqual([]);
  });

  it('close() still completes for a server that ignores SIGTERM, and the process is dead', async () => {
    const stderr: string[] = [];
    const hub = tracker.create([fixtureSpec('stubborn', '--ignore-sigterm', '--tools', 'echo')], {
      observer: { stderrLine: (_server, line) => stderr.push(line) },
    });
    await started(hub);
    const pid = hub.connections[0]!.pid!;
    expect(await hub.call('echo', JSON.stringify({ text: 'hi' }))).toMatchObject({ text: 'hi' });

    // Bounded (CLOSE_BOUND_MS): stdin EOF is ignored, SIGTERM is ignored, SIGKILL must follow.
    expect(await tracker.close(hub)).toBe('closed');
    expect(isAlive(pid)).toBe(false);
    // It did get (and ignore) SIGTERM: the SIGKILL stage is what ended it.
    expect(stderr).toContain('fixture: ignoring SIGTERM');
  });
});
