/**
 * Ctrl+C (SIGINT) during a run: exit 130, and every server process, grandchildren included,
 * is gone afterwards.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startMockLlm, type MockLlm } from '../support/mock-llm.js';
import { describeProcesses, groupMembers, isAlive, readPidFileNow, waitForGone, waitUntil } from '../support/processes.js';
import { expectInterrupted, expectNoStackTrace, fixtureServer, temperatureServer, useE2eHarness } from './harness.js';

const h = useE2eHarness();

let mock: MockLlm;
beforeEach(async () => {
  mock = await startMockLlm();
});
afterEach(async () => {
  await mock.close();
});

describe('Ctrl+C', () => {
  it('while a tool call hangs: exit 130, the server and its grandchild are gone', async () => {
    const serverPidfile = h.pidfile('fixture.pid');
    const grandchildPidfile = h.pidfile('grandchild.pid');
    const config = h.file('hang.json', {
      mcpServers: { fixture: fixtureServer('--tools', 'hang,echo', '--pidfile', serverPidfile, '--grandchild', grandchildPidfile) },
    });
    mock.enqueue({ toolCalls: [{ name: 'hang', arguments: {} }] });
    const cli = h.start(['chat', '--config', config, '--endpoint-url', mock.url, '--model', 'test-model', '--yes', 'Call the hanging tool']);
    // The tool call is in flight once the CLI has shown it.
    await cli.waitForStderr(/→ hang\b/, 20_000);
    expect(mock.requests).toHaveLength(1);
    const serverPid = readPidFileNow(serverPidfile);
    const grandchildPid = readPidFileNow(grandchildPidfile);
    expect(serverPid).toBeDefined();
    expect(grandchildPid).toBeDefined();
    expect(isAlive(serverPid!)).toBe(true);
    expect(isAlive(grandchildPid!)).toBe(true);
    // The server leads its own process group, the grandchild is in it.
    expect(groupMembers(serverPid!)).toEqual(expect.arrayContaining([serverPid, grandchildPid]));

    cli.child.kill('SIGINT');
    const r = await cli.done;
    expectInterrupted(r);
    const survivors = await waitForGone([serverPid!, grandchildPid!], { timeoutMs: 4_000 });
    expect(survivors, describeProcesses(survivors)).toEqual([]);
    expect(groupMembers(serverPid!)).toEqual([]);
    // No second model request: the turn ended with the interrupt.
    expect(mock.requests).toHaveLength(1);
  });

  it('while the model request hangs: exit 130, no server left', async () => {
    const serverPidfile = h.pidfile('fixture.pid');
    const config = h.file('two.json', {
      mcpServers: { temperature: temperatureServer(), fixture: fixtureServer('--tools', 'echo', '--pidfile', serverPidfile) },
    });
    mock.enqueue({ fault: 'hang' });
    const cli = h.start(['chat', '--config', config, '--endpoint-url', mock.url, '--model', 'test-model', '--yes', 'Hello?']);
    expect(await waitUntil(() => mock.requests.length === 1 || cli.child.exitCode !== null, 20_000), 'the model request').toBe(true);
    expect(mock.requests, cli.stderr).toHaveLength(1);
    const serverPid = readPidFileNow(serverPidfile);
    expect(serverPid).toBeDefined();
    const children = cli.processes.filter((p) => isAlive(p.pid, p.startTime));
    expect(children.some((p) => p.cmdline.includes('servers/temperature/main.js'))).toBe(true);

    cli.child.kill('SIGINT');
    const r = await cli.done;
    expectInterrupted(r);
    const survivors = await waitForGone([...children, serverPid!], { timeoutMs: 4_000 });
    expect(survivors, describeProcesses(survivors)).toEqual([]);
  });

  it('a second Ctrl+C cuts short the staged shutdown of a server that ignores SIGTERM: exit 130 before the server is sent SIGTERM', async () => {
    // The first Ctrl+C starts the staged shutdown: stdin EOF, ~1 s grace, SIGTERM (ignored
    // here), ~1.5 s grace, SIGKILL. The server logs each step it receives. The second Ctrl+C
    // comes as soon as the server has seen stdin EOF, so only it can end the run before the
    // SIGTERM step; without it the run would still exit 130, just after the server logged SIGTERM.
    const serverPidfile = h.pidfile('stubborn.pid');
    const grandchildPidfile = h.pidfile('stubborn-grandchild.pid');
    const eventLog = join(h.dir(), 'stubborn.events');
    const config = h.file('stubborn.json', {
      mcpServers: {
        stubborn: fixtureServer('--tools', 'hang', '--ignore-sigterm', '--pidfile', serverPidfile, '--grandchild', grandchildPidfile, '--event-log', eventLog),
      },
    });
    mock.enqueue({ toolCalls: [{ name: 'hang', arguments: {} }] });
    const cli = h.start(['chat', '--config', config, '--endpoint-url', mock.url, '--model', 'test-model', '--yes', 'Call the hanging tool']);
    await cli.waitForStderr(/→ hang\b/, 20_000);
    const serverPid = readPidFileNow(serverPidfile)!;
    const grandchildPid = readPidFileNow(grandchildPidfile)!;
    expect(isAlive(serverPid)).toBe(true);

    cli.child.kill('SIGINT');
    const events = () => (existsSync(eventLog) ? readFileSync(eventLog, 'utf8').split('\n').filter(Boolean) : []);
    expect(await waitUntil(() => events().includes('stdin-eof') || cli.child.exitCode !== null, 20_000, 10), cli.stderr).toBe(true);
    expect(cli.child.exitCode, 'the first Ctrl+C alone ended the run before the server saw stdin EOF').toBeNull();
    cli.child.kill('SIGINT');

    const r = await cli.done;
    expect(r.code, r.stderr).toBe(130);
    expectNoStackTrace(r.stderr);
    const survivors = await waitForGone([serverPid, grandchildPid], { timeoutMs: 4_000 });
    expect(survivors, describeProcesses(survivors)).toEqual([]);
    // The server was SIGKILLed in its stdin-EOF grace: the staged SIGTERM never reached it.
    expect(events()).toEqual(['stdin-eof']);
  });
});
