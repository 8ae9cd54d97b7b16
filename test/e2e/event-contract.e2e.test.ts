/**
 * The `--json` event contract through the built CLI: `"v": 1` on every line, `session_start`
 * first, `server_state` when a server crashes and restarts, and one `error` event as the last
 * line of every failed run, including failures before the chat starts (bad flags) and a turn
 * that stops without an answer. (test/support/cli.ts also checks every `chat --json` run of
 * every e2e test against config/events.v1.schema.json.)
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { startMockLlm, type MockLlm, type RecordedRequest, type ScriptedReply } from '../support/mock-llm.js';
import { fixtureServer, lines, useE2eHarness } from './harness.js';

const h = useE2eHarness();

type Event = Record<string, any>;
const events = (stdout: string): Event[] => lines(stdout).map((line) => JSON.parse(line) as Event);
const toolMessages = (request: RecordedRequest) => ((request.body?.messages ?? []) as Array<{ role: string }>).filter((m) => m.role === 'tool').length;

async function withMock<T>(script: (request: RecordedRequest) => ScriptedReply, body: (mock: MockLlm) => Promise<T>): Promise<T> {
  const mock = await startMockLlm({ script });
  try {
    return await body(mock);
  } finally {
    await mock.close();
  }
}


/** Calls `crash` (the server dies mid-call), then `echo` (it is restarted for it), then answers. */
function crashThenEcho(request: RecordedRequest): ScriptedReply {
  const done = toolMessages(request);
  if (done === 0) return { toolCalls: [{ id: 'c1', name: 'crash', arguments: {} }] };
  if (done === 1) return { toolCalls: [{ id: 'c2', name: 'echo', arguments: { text: 'again' } }] };
  return { text: 'Recovered.' };
}

describe('chat --json events', () => {
  it('start with session_start (version, model, each server with its state and tools), every line with "v": 1', async () => {
    const config = h.file('two.json', { mcpServers: { fixture: fixtureServer('--tools', 'echo,add'), broken: fixtureServer('--crash-at-start') } });
    await withMock(() => ({ text: 'Hi.' }), async (mock) => {
      const r = await h.run(['chat', '--config', config, '--endpoint-url', mock.url, '--model', 'test-model', '--json', 'Hello'], { cwd: h.dir() });
      expect(r.code, r.stderr).toBe(0);
      const all = events(r.stdout);
      expect(all.every((e) => e.v === 1)).toBe(true);
      expect(all[0]).toMatchObject({
        type: 'session_start',
        version: expect.stringMatching(/^\d+\.\d+\.\d+/),
        model: expect.stringContaining('test-model'),
        toolCount: 2,
        servers: [
          { name: 'fixture', state: 'ready', toolCount: 2 },
          { name: 'broken', state: 'down', toolCount: 0 },
        ],
      });
      expect(all.at(-1)).toMatchObject({ type: 'final', text: 'Hi.' });
    });
  });

  it('report a server that crashes during a call, then restarts, as server_state events in order', async () => {
    const config = h.file('crash.json', { mcpServers: { fixture: fixtureServer('--tools', 'crash,echo') } });
    await withMock(crashThenEcho, async (mock) => {
      const r = await h.run(['chat', '--config', config, '--endpoint-url', mock.url, '--model', 'test-model', '--yes', '--json', 'Crash it'], { cwd: h.dir() });
      expect(r.code, r.stderr).toBe(0);
      const seq = events(r.stdout)
        .filter((e) => e.type === 'server_state' || e.type === 'tool_result')
        .map((e) => (e.type === 'server_state' ? `${e.server}:${e.previous}->${e.state}` : `result:${e.id}`));
      // The crash is seen when the process exits (before or after c1's result, a race), the
      // restart only when c2 arrives: starting, then ready, then c2's result.
      expect(seq.filter((s) => s !== 'result:c1')).toEqual(['fixture:ready->crashed', 'fixture:crashed->starting', 'fixture:starting->ready', 'result:c2']);
      expect(seq).toContain('result:c1');
    });
  });

  it('records the server_state events in the session file (without --json too), and the trace shows them', async () => {
    const config = h.file('crash-recorded.json', { mcpServers: { fixture: fixtureServer('--tools', 'crash,echo') } });
    await withMock(crashThenEcho, async (mock) => {
      const dir = h.dir();
      const session = join(dir, 'crash.jsonl');
      const trace = join(dir, 'crash.html');
      const r = await h.run(['chat', '--config', config, '--endpoint-url', mock.url, '--model', 'test-model', '--yes', '--session', session, '--trace', trace, 'Crash it'], { cwd: dir });
      expect(r.code, r.stderr).toBe(0);
      const records = lines(readFileSync(session, 'utf8')).map((line) => JSON.parse(line) as Event);
      const states = records.filter((e) => e.type === 'server_state');
      expect(states.map((e) => `${e.server}:${e.previous}->${e.state}`)).toEqual(['fixture:ready->crashed', 'fixture:crashed->starting', 'fixture:starting->ready']);
      for (const record of states) expect(typeof record.t).toBe('number');
      // After the header, before the final answer.
      expect(records.findIndex((e) => e.type === 'server_state')).toBeGreaterThan(0);
      expect(records.findLastIndex((e) => e.type === 'server_state')).toBeLessThan(records.findIndex((e) => e.type === 'final'));
      const html = readFileSync(trace, 'utf8');
      expect(html).toContain('server fixture: ready -&gt; crashed');
      expect(html).toContain('server fixture: starting -&gt; ready');
    });
  });
});

describe('a failed chat --json run ends with exactly one error event', () => {
  const expectOneErrorLine = (stdout: string, code: string, exitCode: number) => {
    const all = events(stdout);
    expect(all.filter((e) => e.type === 'error')).toHaveLength(1);
    expect(all.at(-1)).toMatchObject({ v: 1, type: 'error', code, exitCode });
    return all.at(-1)!;
  };

  it('for a flag value that does not parse (before any server starts)', async () => {
    const r = await h.run(['chat', '--json', '--max-steps', 'many', 'Hello'], { cwd: h.dir() });
    expect(r.code).toBe(2);
    const error = expectOneErrorLine(r.stdout, 'USAGE', 2);
    expect(error.message).toMatch(/--max-steps must be a whole number/);
    expect(lines(r.stdout)).toHaveLength(1);
    expect(r.stderr).toContain(error.message);
  });

  it('for an unknown flag (the full parser\'s usage error)', async () => {
    const r = await h.run(['chat', '--json', '--modle', 'x', 'Hello'], { cwd: h.dir() });
    expect(r.code).toBe(2);
    expectOneErrorLine(r.stdout, 'USAGE', 2);
    expect(lines(r.stdout)).toHaveLength(1);
  });

  it('for a turn stopped at --max-steps: the stopped event, then the error (exit 1)', async () => {
    const config = h.file('echo.json', { mcpServers: { fixture: fixtureServer('--tools', 'echo') } });
    await withMock(() => ({ toolCalls: [{ name: 'echo', arguments: { text: 'again' } }] }), async (mock) => {
      const r = await h.run(['chat', '--config', config, '--endpoint-url', mock.url, '--model', 'test-model', '--json', '--max-steps', '2', 'Loop'], { cwd: h.dir() });
      expect(r.code).toBe(1);
      const all = events(r.stdout);
      expect(all.at(-2)).toMatchObject({ type: 'stopped', reason: 'max_steps', steps: 2 });
      expectOneErrorLine(r.stdout, 'TURN_STOPPED', 1);
      expect(all.at(-1)!.message).toBe(all.at(-2)!.message);
    });
  });

  it('but `tools --json` and `call --json` print one JSON document, never an event line', async () => {
    const r = await h.run(['call', '--json', 'nope', '{}', '--config', h.file('t.json', { mcpServers: { fixture: fixtureServer('--tools', 'echo') } })], { cwd: h.dir() });
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
  });
});
