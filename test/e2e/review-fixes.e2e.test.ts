/**
 * The review fixes seen from the command line (the built CLI, real servers):
 * - `switchboard call` interrupted while the tool call is in flight exits 130 with
 *   "Interrupted." and prints no result, and the server is gone;
 * - `--endpoint-url` must be an http(s) URL, `--max-steps` at least 1, `--retries` at least 0:
 *   anything else is a usage error (exit 2) before anything is started.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { FIXTURE_SERVER_PATH } from '../support/paths.js';
import { describeProcesses, groupMembers, isAlive, readPidFileNow, waitForGone, waitUntil } from '../support/processes.js';
import { expectInterrupted, expectNoStackTrace, useE2eHarness } from './harness.js';

const h = useE2eHarness();

/**
 * A pass-through wrapper around the fixture server that writes `marker` once the host has sent
 * it a tools/call request: the test then knows the call is in flight (the fixture itself says
 * nothing when a tool is called). The wrapper leads the server's process group; the fixture
 * runs in it as its child.
 */
const SPY = `import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
const [fixture, marker, ...flags] = process.argv.slice(2);
const child = spawn(process.execPath, [fixture, ...flags], { stdio: ['pipe', 'inherit', 'inherit'] });
child.stdin.on('error', () => {});
let tail = '';
process.stdin.on('data', (chunk) => {
  child.stdin.write(chunk);
  const text = tail + chunk.toString('utf8');
  if (text.includes('"tools/call"')) writeFileSync(marker, 'tools/call\\n');
  tail = text.slice(-64);
});
process.stdin.on('end', () => child.stdin.end());
child.on('exit', (code) => process.exit(code ?? 1));
`;

describe('switchboard call, interrupted', () => {
  it('Ctrl+C while the tool call is in flight: exit 130, "Interrupted." on stderr, nothing on stdout, the server gone', async () => {
    const pidfile = h.pidfile('fixture.pid');
    const marker = h.file('called.marker', '');
    const spy = h.file('spy.mjs', SPY);
    const config = h.file('hang.json', {
      mcpServers: { fixture: { command: 'node', args: [spy, FIXTURE_SERVER_PATH, marker, '--tools', 'hang,echo', '--pidfile', pidfile] } },
    });
    const cli = h.start(['call', '--config', config, 'hang', '{}']);
    const inFlight = await waitUntil(() => readMarker(marker) || cli.child.exitCode !== null, 15_000);
    expect(readMarker(marker), `the tools/call request never reached the server\n--- stderr:\n${cli.stderr}`).toBe(true);
    expect(inFlight).toBe(true);
    const serverPid = readPidFileNow(pidfile);
    expect(serverPid).toBeDefined();
    expect(isAlive(serverPid!)).toBe(true);
    const group = cli.processes.filter((p) => isAlive(p.pid, p.startTime));
    expect(group.some((p) => p.cmdline.includes('spy.mjs'))).toBe(true);

    cli.child.kill('SIGINT');
    const r = await cli.done;
    // No result is printed: an interrupted call is not an error result.
    expectInterrupted(r);
    expect(r.stderr).not.toMatch(/cancelled/);
    const survivors = await waitForGone([...group, serverPid!], { timeoutMs: 4_000 });
    expect(survivors, describeProcesses(survivors)).toEqual([]);
    for (const leader of group) expect(groupMembers(leader.pid)).toEqual([]);
  });
});

describe('flag checks', () => {
  it.each([['not-a-url'], ['ftp://127.0.0.1/v1'], ['127.0.0.1:8080/v1']])('--endpoint-url %s: exit 2 naming --endpoint-url', async (value) => {
    const r = await h.run(['chat', '--endpoint-url', value, '--model', 'test-model', 'Hello?'], { cwd: h.dir() });
    expect(r.code, r.stderr).toBe(2);
    expect(r.stderr).toMatch(/--endpoint-url/);
    expect(r.stderr).toContain(value);
    expectNoStackTrace(r.stderr);
    expect(r.stdout).toBe('');
    // A usage error: no server was started.
    expect(r.processes, describeProcesses(r.processes)).toEqual([]);
  });

  it.each([
    [['--max-steps', '0'], /--max-steps/],
    [['--max-steps', '1.5'], /--max-steps/],
    [['--retries', '-1'], /--retries/],
    [['--retries=-1'], /--retries/],
  ])('chat %j: exit 2 naming the flag', async (flags, names) => {
    const r = await h.run(['chat', '--model', 'scripted:unused.json', ...flags, 'Hello?'], { cwd: h.dir() });
    expect(r.code, r.stderr).toBe(2);
    expect(r.stderr).toMatch(names);
    expectNoStackTrace(r.stderr);
    expect(r.stdout).toBe('');
    expect(r.processes, describeProcesses(r.processes)).toEqual([]);
  });
});

function readMarker(path: string): boolean {
  try {
    return readFileSync(path, 'utf8').includes('tools/call');
  } catch {
    return false;
  }
}
