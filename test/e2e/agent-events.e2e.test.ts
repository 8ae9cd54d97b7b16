/**
 * What the agent loop's events look like through the built CLI (pipes, not a terminal):
 * a cut-off answer, tool progress, server log messages, step counts, and the `error`
 * event that ends a failed `--json` run. The model is the loopback mock; the servers are
 * real child processes (the fixture server, the bundled temperature server).
 */
import { describe, expect, it } from 'vitest';
import { startMockLlm, type MockLlm, type MockLlmOptions, type RecordedRequest, type ScriptedReply, type ScriptedToolCall } from '../support/mock-llm.js';
import { DEMO_SCRIPT_PATH } from '../support/paths.js';
import { expectNoStackTrace, fixtureServer, lines, useE2eHarness } from './harness.js';

const h = useE2eHarness();

/** Calls `call` for the user message; once a tool message is in, answers `text`. */
function toolThenText(call: ScriptedToolCall, text: string): (request: RecordedRequest) => ScriptedReply {
  return (request) => {
    const messages: Array<{ role: string }> = request.body?.messages ?? [];
    return messages.at(-1)?.role === 'tool' ? { text } : { toolCalls: [call] };
  };
}

async function withMock<T>(options: MockLlmOptions, body: (mock: MockLlm) => Promise<T>): Promise<T> {
  const mock = await startMockLlm(options);
  try {
    return await body(mock);
  } finally {
    await mock.close();
  }
}

function fixtureConfig(...flags: string[]): string {
  return h.file('fixture.json', { mcpServers: { fixture: fixtureServer(...flags) } });
}

/** Every stdout line parsed as JSON (a line that is not JSON fails the test). */
function jsonEvents(stdout: string): Array<Record<string, any>> {
  return lines(stdout).map((line) => {
    try {
      return JSON.parse(line) as Record<string, any>;
    } catch {
      throw new Error(`stdout line is not JSON: ${line}`);
    }
  });
}

// --yes: the fixture server is not trusted; these tests are about the events of calls that run.
const chatArgs = (mock: MockLlm, config: string, ...rest: string[]) => ['chat', '--config', config, '--endpoint-url', mock.url, '--model', 'test-model', '--yes', ...rest];

describe('an answer cut off at the model token limit (finish_reason "length")', () => {
  it('is printed, with a warning on stderr, exit 0; --json marks the final event truncated', async () => {
    const config = fixtureConfig('--tools', 'echo');
    await withMock({ script: () => ({ text: 'The answer is forty', finishReason: 'length' }) }, async (mock) => {
      const r = await h.run(chatArgs(mock, config, 'What is the answer?'), { cwd: h.dir() });
      expect(r.code, r.stderr).toBe(0);
      expect(r.stdout).toBe('The answer is forty\n');
      expect(r.stderr).toMatch(/cut off.*output token limit/);

      const j = await h.run(chatArgs(mock, config, '--json', 'What is the answer?'), { cwd: h.dir() });
      expect(j.code, j.stderr).toBe(0);
      const final = jsonEvents(j.stdout).find((e) => e.type === 'final');
      expect(final).toMatchObject({ text: 'The answer is forty', truncated: true });
    });
  });

  it('a complete answer gets no warning and no truncated field', async () => {
    const config = fixtureConfig('--tools', 'echo');
    await withMock({ script: () => ({ text: 'Forty-two.' }) }, async (mock) => {
      const j = await h.run(chatArgs(mock, config, '--json', 'What is the answer?'), { cwd: h.dir() });
      expect(j.code, j.stderr).toBe(0);
      const final = jsonEvents(j.stdout).find((e) => e.type === 'final');
      expect(final).toBeDefined();
      expect(final).not.toHaveProperty('truncated');
      expect(j.stderr).not.toMatch(/cut off/);
    });
  });
});

describe('tool progress notifications', () => {
  const sleep = { id: 'call_sleep', name: 'sleep', arguments: { ms: 700, progress: true } };

  it('are shown on stderr as plain lines (not a terminal), in order, before the result', async () => {
    const config = fixtureConfig('--tools', 'sleep');
    await withMock({ script: toolThenText(sleep, 'Slept.') }, async (mock) => {
      const r = await h.run(chatArgs(mock, config, 'Sleep a bit'), { cwd: h.dir() });
      expect(r.code, r.stderr).toBe(0);
      const err = lines(r.stderr);
      const progress = err.map((line, i) => ({ line, i })).filter(({ line }) => /^▸ sleep \d+\/700 slept \d+ ms$/.test(line));
      expect(progress.length, r.stderr).toBeGreaterThan(0);
      const call = err.findIndex((line) => line.startsWith('→ sleep'));
      const result = err.findIndex((line) => line.startsWith('← sleep'));
      expect(call).toBeGreaterThanOrEqual(0);
      expect(progress[0]!.i).toBeGreaterThan(call);
      expect(progress.at(-1)!.i).toBeLessThan(result);
      expect(r.stderr).not.toMatch(/\r|\u001b\[/); // no line rewriting on a pipe
    });
  });

  it('--json: tool_progress events for the call, in order, before its tool_result', async () => {
    const config = fixtureConfig('--tools', 'sleep');
    await withMock({ script: toolThenText(sleep, 'Slept.') }, async (mock) => {
      const r = await h.run(chatArgs(mock, config, '--json', 'Sleep a bit'), { cwd: h.dir() });
      expect(r.code, r.stderr).toBe(0);
      const events = jsonEvents(r.stdout);
      const types = events.map((e) => e.type);
      const progress = events.filter((e) => e.type === 'tool_progress');
      expect(progress.length, r.stdout).toBeGreaterThan(0);
      for (const event of progress) {
        expect(event).toMatchObject({ id: 'call_sleep', name: 'sleep', server: 'fixture', total: 700 });
        expect(event.message).toMatch(/^slept \d+ ms$/);
      }
      const values = progress.map((e) => e.progress as number);
      expect(values).toEqual([...values].sort((a, b) => a - b));
      expect(types.indexOf('tool_progress')).toBeGreaterThan(types.indexOf('tool_call'));
      expect(types.lastIndexOf('tool_progress')).toBeLessThan(types.indexOf('tool_result'));
    });
  });
});

describe('server log messages (notifications/message)', () => {
  const log = { name: 'log', arguments: { level: 'warning', message: 'disk almost full', logger: 'disk' } };

  it('are shown with --verbose, with the server name and level, and not without it', async () => {
    const config = fixtureConfig('--tools', 'echo', '--log-tool');
    await withMock({ script: toolThenText(log, 'Logged.') }, async (mock) => {
      const verbose = await h.run(chatArgs(mock, config, '--verbose', 'Log something'), { cwd: h.dir() });
      expect(verbose.code, verbose.stderr).toBe(0);
      expect(verbose.stderr).toMatch(/^\[fixture\] warning disk: disk almost full$/m);
      expect(verbose.stdout).toBe('Logged.\n');

      const quiet = await h.run(chatArgs(mock, config, 'Log something'), { cwd: h.dir() });
      expect(quiet.code, quiet.stderr).toBe(0);
      expect(quiet.stderr).not.toMatch(/\[fixture\] warning/);
    });
  });

  it('--json: a server_log event on stdout, every line still JSON', async () => {
    const config = fixtureConfig('--tools', 'echo', '--log-tool');
    await withMock({ script: toolThenText(log, 'Logged.') }, async (mock) => {
      const r = await h.run(chatArgs(mock, config, '--json', 'Log something'), { cwd: h.dir() });
      expect(r.code, r.stderr).toBe(0);
      const events = jsonEvents(r.stdout);
      expect(events.filter((e) => e.type === 'server_log')).toEqual([{ v: 1, type: 'server_log', server: 'fixture', level: 'warning', logger: 'disk', data: 'disk almost full' }]);
      expect(r.stderr).not.toMatch(/\[fixture\] warning/);
    });
  });
});

describe('--verbose step counts', () => {
  it('shows every model call, the first one included', async () => {
    const r = await h.run(['chat', '--verbose', '--model', `scripted:${DEMO_SCRIPT_PATH}`, 'What is the temperature in San Francisco?'], { cwd: h.dir() });
    expect(r.code, r.stderr).toBe(0);
    const err = lines(r.stderr);
    const first = err.findIndex((line) => line === '· model call 1/20');
    const second = err.findIndex((line) => line === '· model call 2/20');
    const call = err.findIndex((line) => line.startsWith('→ get_temperature'));
    expect(first, r.stderr).toBeGreaterThanOrEqual(0);
    expect(first).toBeLessThan(call);
    expect(second).toBeGreaterThan(call);
  });
});

describe('--json: a fatal error ends stdout with an error event', () => {
  function expectErrorLast(r: { code: number | null; stdout: string; stderr: string }, code: string): void {
    const events = jsonEvents(r.stdout);
    expect(events.at(-1), r.stdout).toMatchObject({ type: 'error', code, exitCode: r.code });
    expect(typeof events.at(-1)!.message).toBe('string');
    // The message is on stderr too, for a person watching.
    expect(r.stderr).toContain(events.at(-1)!.message);
    expectNoStackTrace(r.stderr);
  }

  it('401 from the model server', async () => {
    const config = fixtureConfig('--tools', 'echo');
    await withMock({ script: () => ({ fault: 'http', status: 401 }) }, async (mock) => {
      const r = await h.run(chatArgs(mock, config, '--json', 'Hello'), { cwd: h.dir() });
      expect(r.code).toBe(1);
      expectErrorLast(r, 'MODEL_AUTH');
      expect(jsonEvents(r.stdout).map((e) => e.type)).toEqual(['session_start', 'model_request', 'error']);
    });
  });

  it('a model request that fails after its retries', async () => {
    const config = fixtureConfig('--tools', 'echo');
    await withMock({ script: () => ({ fault: 'http', status: 500 }) }, async (mock) => {
      const r = await h.run(chatArgs(mock, config, '--json', '--retries', '0', 'Hello'), { cwd: h.dir() });
      expect(r.code).toBe(1);
      expectErrorLast(r, 'MODEL_REQUEST');
    });
  });

  it('--strict with a server that fails to start (before any turn)', async () => {
    const config = h.file('strict.json', { mcpServers: { broken: fixtureServer('--crash-at-start') } });
    await withMock({ script: () => ({ text: 'unused' }) }, async (mock) => {
      const r = await h.run(chatArgs(mock, config, '--json', '--strict', 'Hello'), { cwd: h.dir() });
      expect(r.code).toBe(1);
      expectErrorLast(r, 'SERVER_START');
      expect(jsonEvents(r.stdout)).toHaveLength(1);
      expect(mock.requests).toHaveLength(0);
    });
  });
});

describe('colour: Node decides (hasColors), FORCE_COLOR forces it even on a pipe', () => {
  const run = (env: Record<string, string | undefined>) =>
    h.run(['chat', '--model', `scripted:${DEMO_SCRIPT_PATH}`, 'What is the temperature in San Francisco?'], { cwd: h.dir(), env });

  it('FORCE_COLOR=1 colours stderr; NO_COLOR or TERM=dumb (without FORCE_COLOR) do not; stdout stays plain', async () => {
    const forced = await run({ NO_COLOR: undefined, FORCE_COLOR: '1' });
    expect(forced.code, forced.stderr).toBe(0);
    expect(forced.stderr).toContain('\u001b[36m→\u001b[39m get_temperature');
    expect(forced.stdout).toMatch(/\b72\b/);
    expect(forced.stdout).not.toContain('\u001b[');

    const noColor = await run({ NO_COLOR: '1' });
    expect(noColor.stderr).not.toContain('\u001b[');
    const dumb = await run({ NO_COLOR: undefined, TERM: 'dumb' });
    expect(dumb.stderr).not.toContain('\u001b[');
  });
});
