/**
 * Nothing outlives Switchboard, even when it is killed: a server that left its process
 * group (setsid) is found by its run marker and killed at shutdown, and when the CLI is
 * SIGKILLed mid-call (no exit handler can run) the watchdog kills the servers it leaves.
 */
import { describe, expect, it } from 'vitest';
import { describeProcesses, isAlive, readPidFile, readPidFileNow, waitForGone } from '../support/processes.js';
import { fixtureServer, useE2eHarness } from './harness.js';

const h = useE2eHarness();

describe('the watchdog and the run marker', () => {
  it('a server child that left the process group (setsid) is killed at shutdown, and the user is told', async () => {
    const setsidPidfile = h.pidfile('setsid-child.pid');
    const config = h.file('setsid.json', { mcpServers: { daemonish: fixtureServer('--tools', 'echo', '--setsid-child', setsidPidfile) } });
    const r = await h.run(['call', '--config', config, 'echo', '{"text": "hi"}']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain('hi');
    const escaped = readPidFileNow(setsidPidfile);
    expect(escaped).toBeDefined();
    const survivors = await waitForGone([escaped!], { timeoutMs: 5_000 });
    expect(survivors, describeProcesses(survivors)).toEqual([]);
    expect(r.stderr).toMatch(new RegExp(`server "daemonish" left process ${escaped} .*outside its process group; Switchboard killed it`));
  });

  it('SIGKILL of the CLI mid-call: the stubborn server, its grandchild and its setsid child are all killed', async () => {
    const serverPidfile = h.pidfile('stubborn.pid');
    const grandchildPidfile = h.pidfile('stubborn-grandchild.pid');
    const setsidPidfile = h.pidfile('stubborn-setsid.pid');
    const config = h.file('stubborn.json', {
      mcpServers: {
        stubborn: fixtureServer('--tools', 'hang', '--ignore-sigterm', '--pidfile', serverPidfile, '--grandchild', grandchildPidfile, '--setsid-child', setsidPidfile),
      },
    });
    const cli = h.start(['call', '--config', config, 'hang', '{}']);
    const serverPid = await readPidFile(serverPidfile, 15_000);
    const grandchildPid = await readPidFile(grandchildPidfile, 15_000);
    const setsidPid = await readPidFile(setsidPidfile, 15_000);
    expect([serverPid, grandchildPid, setsidPid].every((pid) => pid !== undefined && isAlive(pid)), cli.stderr).toBe(true);

    // Nothing of Switchboard's own can run after SIGKILL: only the watchdog is left to act.
    cli.child.kill('SIGKILL');
    const r = await cli.done;
    expect(r.signal).toBe('SIGKILL');
    const survivors = await waitForGone([serverPid!, grandchildPid!, setsidPid!], { timeoutMs: 10_000 });
    expect(survivors, describeProcesses(survivors)).toEqual([]);
  });
});
