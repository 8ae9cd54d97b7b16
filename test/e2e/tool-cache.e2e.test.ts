/**
 * The tool-listing cache and the start-up overlap, through the built CLI, a real fixture
 * server and the loopback model server. No timing: the fixture server waits for a gate
 * file before it connects, and the test opens the gate when the order it checks has been
 * seen (a host that waited for the server before its first model request would never get
 * there). Each test has its own XDG_CACHE_HOME; the first run of a test warms it.
 */
import { existsSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startMockLlm, type MockLlm, type RecordedRequest, type ScriptedReply } from '../support/mock-llm.js';
import { expectInterrupted, expectNoStackTrace, fixtureServer, useE2eHarness } from './harness.js';

const h = useE2eHarness();

let mock: MockLlm;
let script: (request: RecordedRequest, index: number) => ScriptedReply;
beforeEach(async () => {
  mock = await startMockLlm({ script: (request, index) => script(request, index) });
});
afterEach(async () => {
  await mock.close();
});

interface Setup {
  config: string;
  env: Record<string, string>;
  cacheFiles(): string[];
  gate: string;
  initializedCount(): number;
  chat(args: string[], prompt?: string): Promise<import('../support/cli.js').CliResult>;
  start(args: string[], prompt?: string): import('../support/cli.js').CliProcess;
}

/** A config with one fixture server behind a gate, a cache folder of the test's own, and the gate open. */
function setup(fixtureFlags: string[] = ['--tools', 'echo'], extra: Record<string, unknown> = {}): Setup {
  const dir = h.dir();
  const gate = join(dir, 'gate');
  const events = join(dir, 'events.log');
  const cache = join(dir, 'cache');
  writeFileSync(gate, '');
  const config = h.file(`config-${Math.random().toString(36).slice(2)}.json`, {
    mcpServers: { fixture: fixtureServer(...fixtureFlags, '--start-gate', gate, '--event-log', events, '--log-initialized') },
    ...extra,
  });
  const env = { XDG_CACHE_HOME: cache };
  const base = ['chat', '--config', config, '--endpoint-url', mock.url, '--model', 'test-model', '--yes']; // --yes: these tests are about the cache, not approvals
  return {
    config,
    env,
    gate,
    cacheFiles: () => (existsSync(join(cache, 'switchboard')) ? readdirSync(join(cache, 'switchboard')).map((name) => join(cache, 'switchboard', name)) : []),
    initializedCount: () => (existsSync(events) ? readFileSync(events, 'utf8').split('\n').filter((line) => line === 'initialized').length : 0),
    chat: (args, prompt = 'Hello') => h.run([...base, ...args, prompt], { env }),
    start: (args, prompt = 'Hello') => h.start([...base, ...args, prompt], { env }),
  };
}

const toolNames = (request: RecordedRequest): string[] => ((request.body.tools ?? []) as Array<{ function: { name: string } }>).map((t) => t.function.name).sort();
const lastToolMessage = (request: RecordedRequest): string => String((request.body.messages as Array<{ role: string; content: string }>).filter((m) => m.role === 'tool').at(-1)?.content);

/** Runs once with the gate open, so the cache holds the server's listing; then closes the gate. */
async function warm(s: Setup): Promise<RecordedRequest> {
  script = () => ({ text: 'warm' });
  const r = await s.chat([]);
  expect(r.code, r.stderr).toBe(0);
  expect(s.cacheFiles()).toHaveLength(1);
  rmSync(s.gate);
  const first = mock.requests.at(-1)!;
  mock.requests.length = 0;
  return first;
}

describe('start-up overlap (warm cache)', () => {
  it('the first model request reaches the model server before the server answered initialize, with the cached tools; the answer follows', async () => {
    const s = setup();
    await warm(s);
    expect(s.initializedCount()).toBe(1);
    let initializedAtRequest = -1;
    script = (_request, index) => {
      if (index === 0) {
        initializedAtRequest = s.initializedCount();
        writeFileSync(s.gate, ''); // now the server may come up
      }
      return { text: 'The answer.' };
    };
    const r = await s.chat([]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toBe('The answer.\n');
    // Only the warm-up run's server had been initialized when the request arrived.
    expect(initializedAtRequest).toBe(1);
    expect(toolNames(mock.requests[0]!)).toEqual(['echo']);
    expect(mock.requests).toHaveLength(1);
  });

  it('when nothing changed, the requests are the ones a run without the cache sends: same count, same bytes', async () => {
    const s = setup();
    const cold = await warm(s);
    writeFileSync(s.gate, '');
    script = () => ({ text: 'warm' });
    const r = await s.chat([]);
    expect(r.code, r.stderr).toBe(0);
    expect(mock.requests).toHaveLength(1);
    expect(mock.requests[0]!.body).toEqual(cold.body);
    expect(mock.requests[0]!.bytes).toBe(cold.bytes);
    expect(r.stderr).not.toMatch(/sent again/);
  });

  it('a server whose tools changed since the cache: the request in flight is cancelled and sent again with the fresh tools, the answer uses them, the cache is updated', async () => {
    const toolsFile = h.file('tools.txt', 'echo');
    const s = setup(['--tools-file', toolsFile]);
    await warm(s);
    writeFileSync(toolsFile, 'echo,add');
    script = (request, index) => {
      if (index === 0) {
        writeFileSync(s.gate, '');
        return { fault: 'hang' }; // still out when the server comes up with its new list
      }
      if (index === 1) return { toolCalls: [{ name: 'add', arguments: { a: 2, b: 3 } }] };
      return { text: `The sum is ${lastToolMessage(request)}.` };
    };
    const r = await s.chat(['--verbose'], 'Add 2 and 3');
    expect(r.code, r.stderr).toBe(0);
    expect(toolNames(mock.requests[0]!)).toEqual(['echo']);
    expect(toolNames(mock.requests[1]!)).toEqual(['add', 'echo']);
    expect(mock.requests).toHaveLength(3);
    expect(r.stdout).toBe('The sum is 5.\n');
    expect(r.stderr).toMatch(/model call 1 sent again \(1 re-sent this turn\)/);
    // The next run starts from the fresh list.
    expect(readFileSync(s.cacheFiles()[0]!, 'utf8')).toContain('"add"');
  });

  it('a tool call for a server still starting waits for it (and says so), then succeeds', async () => {
    const s = setup();
    await warm(s);
    script = (request, index) => (index === 0 ? { toolCalls: [{ name: 'echo', arguments: { text: 'ping' } }] } : { text: `echoed ${lastToolMessage(request)}` });
    const cli = s.start([], 'Echo ping');
    await cli.waitForStderr(/waiting for server "fixture" to start/, 20_000);
    expect(s.initializedCount()).toBe(1);
    writeFileSync(s.gate, '');
    const r = await cli.done;
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toBe('echoed ping\n');
    expect(mock.requests).toHaveLength(2);
  });

  it('Ctrl+C while a tool call waits for its server: exit 130, no process left', async () => {
    const s = setup();
    await warm(s);
    script = () => ({ toolCalls: [{ name: 'echo', arguments: { text: 'ping' } }] });
    const cli = s.start([], 'Echo ping');
    await cli.waitForStderr(/waiting for server "fixture" to start/, 20_000);
    cli.child.kill('SIGINT');
    expectInterrupted(await cli.done);
    expect(mock.requests).toHaveLength(1);
    // The harness checks that every process the run started is gone.
  });

  it('a server that fails to start answers its cached tools with the start failure', async () => {
    const toolsFile = h.file('tools.txt', 'echo');
    const s = setup(['--tools-file', toolsFile]);
    await warm(s);
    rmSync(toolsFile); // the fixture server now exits at start (it cannot read its tool list)
    script = (request, index) => (index === 0 ? { toolCalls: [{ name: 'echo', arguments: { text: 'ping' } }] } : { text: `Tool said: ${lastToolMessage(request)}` });
    const r = await s.chat([], 'Echo ping');
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^Tool said: Error: echo cannot run: server "fixture" failed to start: /);
    expect(r.stderr).toMatch(/✗ server "fixture" failed to start/);
    expectNoStackTrace(r.stderr);
    expect(mock.requests).toHaveLength(2);
  });
});

describe('the cache file', () => {
  it('a corrupt cache file is ignored with a notice, never fatal, and rewritten', async () => {
    const s = setup();
    await warm(s);
    writeFileSync(s.gate, '');
    for (const file of s.cacheFiles()) writeFileSync(file, '{"format": 1, "tools": [tru');
    script = () => ({ text: 'Still fine.' });
    const r = await s.chat([]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toBe('Still fine.\n');
    expect(r.stderr).toMatch(/the cached tool list of server "fixture" \(.*\) is corrupt; it is ignored/);
    expectNoStackTrace(r.stderr);
    expect(JSON.parse(readFileSync(s.cacheFiles()[0]!, 'utf8')).tools[0].name).toBe('echo');
  });

  it('--no-cache neither reads nor writes it', async () => {
    const s = setup();
    await warm(s);
    writeFileSync(s.gate, '');
    const [file] = s.cacheFiles();
    writeFileSync(file!, 'corrupt');
    script = () => ({ text: 'ok' });
    const r = await s.chat(['--no-cache']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).not.toMatch(/cached tool list/);
    expect(readFileSync(file!, 'utf8')).toBe('corrupt');
  });

  it('"cache": false in the config does not write it', async () => {
    const off = setup(['--tools', 'echo'], { cache: false });
    script = () => ({ text: 'ok' });
    const r2 = await off.chat([]);
    expect(r2.code, r2.stderr).toBe(0);
    expect(off.cacheFiles()).toEqual([]);
  });

  it('holds no env value in clear: the values are only hashed into the key', async () => {
    const secret = 'sk-live-4f9c2e7a1b';
    const dir = h.dir();
    const config = h.file('secret.json', { mcpServers: { fixture: { ...fixtureServer('--tools', 'echo'), env: { API_TOKEN: secret } } } });
    script = () => ({ text: 'ok' });
    const env = { XDG_CACHE_HOME: dir };
    const r = await h.run(['chat', '--config', config, '--endpoint-url', mock.url, '--model', 'test-model', '--yes', 'Hi'], { env });
    expect(r.code, r.stderr).toBe(0);
    const files = readdirSync(join(dir, 'switchboard'));
    expect(files).toHaveLength(1);
    expect(files[0]).toMatch(/^tools-[0-9a-f]{64}\.json$/);
    expect(readFileSync(join(dir, 'switchboard', files[0]!), 'utf8')).not.toContain(secret);
  });
});
