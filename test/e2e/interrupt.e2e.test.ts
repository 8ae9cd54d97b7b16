/**
 * Ctrl+C (SIGINT) during a run: exit 130, and every server process, grandchildren included,
 * is gone afterwards.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startMockLlm, type MockLlm } from '../support/mock-llm.js';
import { describeProcesses, groupMembers, isAlive, readPidFileNow, sleep, waitForGone, waitUntil } from '../support/processes.js';
import { expectInterrupted, fixtureServer, temperatureServer, useE2eHarness } from './harness.js';

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
    const cli = h.start(['chat', '--config', config, '--endpoint-url', mock.url, '--model', 'test-model', 'Call the hanging tool']);
    // The tool call is in flight once the CLI has shown it.
    await cli.waitForStderr(/→ hang\b/);
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
    const cli = h.start(['chat', '--config', config, '--endpoint-url', mock.url, '--model', 'test-model', 'Hello?']);
    expect(await waitUntil(() => mock.requests.length === 1 || cli.child.exitCode !== null, 10_000), 'the model request').toBe(true);
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

  it('a second Ctrl+C while shutting down a server that ignores SIGTERM: still exit 130, nothing left', async () => {
    const serverPidfile = h.pidfile('stubborn.pid');
    const grandchildPidfile = h.pidfile('stubborn-grandchild.pid');
    const config = h.file('stubborn.json', {
      mcpServers: {
        stubborn: fixtureServer('--tools', 'hang', '--ignore-sigterm', '--pidfile', serverPidfile, '--grandchild', grandchildPidfile),
      },
    });
    mock.enqueue({ toolCalls: [{ name: 'hang', arguments: {} }] });
    const cli = h.start(['chat', '--config', config, '--endpoint-url', mock.url, '--model', 'test-model', 'Call the hanging tool']);
    await cli.waitForStderr(/→ hang\b/);
    const serverPid = readPidFileNow(serverPidfile)!;
    const grandchildPid = readPidFileNow(grandchildPidfile)!;
    cli.child.kill('SIGINT');
    // The first interrupt starts a graceful shutdown that this server resists; the second one is final.
    await sleep(200);
    if (cli.child.exitCode === null) cli.child.kill('SIGINT');
    const r = await cli.done;
    expect(r.code, r.stderr).toBe(130);
    const survivors = await waitForGone([serverPid, grandchildPid], { timeoutMs: 4_000 });
    expect(survivors, describeProcesses(survivors)).toEqual([]);
  });
});
