/**
 * Approval of tool calls through the built CLI without a terminal (stdin a pipe): the policy
 * (rules, per-server shorthand, trust, modes, flags) x annotations x parallel calls. Whether a
 * call ran is proved on the server's side: the fixture server appends every call it runs to
 * its --call-log file. The model is the loopback mock; it reads the tool messages it is sent.
 */
import { existsSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { startMockLlm, type MockLlm, type RecordedRequest, type ScriptedReply, type ScriptedToolCall, messagesOf } from '../support/mock-llm.js';
import { DEMO_SCRIPT_PATH } from '../support/paths.js';
import { expectNoStackTrace, fixtureServer, lines, useE2eHarness } from './harness.js';

const h = useE2eHarness();

/** Calls `calls` (one reply, in parallel) for the user message; once tool messages are in, answers "done". */
function callsThenDone(...calls: ScriptedToolCall[]): (request: RecordedRequest) => ScriptedReply {
  return (request) => (messagesOf(request).at(-1)?.role === 'tool' ? { text: 'done' } : { toolCalls: calls });
}

async function withMock<T>(script: (request: RecordedRequest) => ScriptedReply, body: (mock: MockLlm) => Promise<T>): Promise<T> {
  const mock = await startMockLlm({ script });
  try {
    return await body(mock);
  } finally {
    await mock.close();
  }
}

/** A config with one fixture server writing its calls to a log; `entry` adds fields to the server entry. */
function setup(entry: Record<string, unknown> = {}, top: Record<string, unknown> = {}, ...flags: string[]) {
  const log = `${h.dir()}/calls.log`;
  const config = h.file('config.json', { ...top, mcpServers: { fixture: { ...fixtureServer('--call-log', log, ...flags), ...entry } } });
  const ran = () => (existsSync(log) ? lines(readFileSync(log, 'utf8')).map((line) => line.split(' ')[0]) : []);
  return { config, ran };
}

const chat = (mock: MockLlm, config: string, ...rest: string[]) => ['chat', '--config', config, '--endpoint-url', mock.url, '--model', 'test-model', ...rest];
const echo = (id = 'call_echo'): ScriptedToolCall => ({ id, name: 'echo', arguments: { text: 'hi' } });
const READ_ONLY_ECHO = JSON.stringify({ echo: { readOnlyHint: true }, add: { destructiveHint: true } });

/** The tool messages the model was sent back, by call id, in order. */
function toolMessages(mock: MockLlm): Array<[string | undefined, string | undefined]> {
  return messagesOf(mock.requests.at(-1)!).filter((m) => m.role === 'tool').map((m) => [m.tool_call_id, m.content]);
}

describe('approval without a terminal: the default mode auto', () => {
  it('an untrusted server: a read-only tool is denied (its annotations are hints), with a notice naming --allow; the model is told; exit 0', async () => {
    const { config, ran } = setup({}, {}, '--annotations', READ_ONLY_ECHO);
    await withMock(callsThenDone(echo()), async (mock) => {
      const r = await h.run(chat(mock, config, 'Echo hi'), { cwd: h.dir() });
      expect(r.code, r.stderr).toBe(0);
      expect(ran()).toEqual([]);
      expect(r.stderr).toMatch(/fixture\/echo was not run: it needs your approval \(server "fixture" is not trusted\) and there is no terminal to ask\. To allow it: --allow fixture\/echo/);
      expect(toolMessages(mock)).toEqual([['call_echo', expect.stringMatching(/^Not run: calling fixture\/echo needs the user's approval, and there is no terminal to ask the user\. The user can allow it with --allow fixture\/echo\.$/)]]);
      expect(r.stdout).toBe('done\n');
      expectNoStackTrace(r.stderr);
    });
  });

  it('a trusted server ("trust": true): its read-only tool runs; its tool not marked read-only is denied', async () => {
    const { config, ran } = setup({ trust: true }, {}, '--annotations', READ_ONLY_ECHO);
    await withMock(callsThenDone(echo(), { id: 'call_add', name: 'add', arguments: { a: 1, b: 2 } }), async (mock) => {
      const r = await h.run(chat(mock, config, '--json', 'Echo and add'), { cwd: h.dir() });
      expect(r.code, r.stderr).toBe(0);
      expect(ran()).toEqual(['echo']);
      const events = lines(r.stdout).map((line) => JSON.parse(line) as Record<string, unknown>);
      // Every line carries the contract's version; the approval fields are what this test is about.
      expect(events.every((e) => e.v === 1)).toBe(true);
      const approvals = events.filter((e) => e.type === 'approval_requested' || e.type === 'approval').map(({ v: _v, ...event }) => event);
      expect(approvals).toEqual([
        { type: 'approval', id: 'call_echo', name: 'echo', server: 'fixture', decision: 'allow', by: 'policy', why: 'read-only tool of a trusted server' },
        { type: 'approval_requested', id: 'call_add', name: 'add', server: 'fixture', originalName: 'add', arguments: { a: 1, b: 2 }, annotations: { destructiveHint: true }, why: 'the tool is not marked read-only' },
        { type: 'approval', id: 'call_add', name: 'add', server: 'fixture', decision: 'deny', by: 'no_terminal', why: 'the tool is not marked read-only' },
      ]);
      // Every approval comes before any result; each call still gets one tool message, in call order.
      const types = events.map((e) => e.type);
      expect(types.lastIndexOf('approval')).toBeLessThan(types.indexOf('tool_result'));
      expect(toolMessages(mock).map(([id]) => id)).toEqual(['call_echo', 'call_add']);
      expect(toolMessages(mock)[0]![1]).toBe('hi');
    });
  });

  it('--approval ask: even a trusted read-only tool is denied without a terminal', async () => {
    const { config, ran } = setup({ trust: true }, {}, '--annotations', READ_ONLY_ECHO);
    await withMock(callsThenDone(echo()), async (mock) => {
      const r = await h.run(chat(mock, config, '--approval', 'ask', 'Echo hi'), { cwd: h.dir() });
      expect(r.code, r.stderr).toBe(0);
      expect(ran()).toEqual([]);
      expect(r.stderr).toMatch(/approval mode ask/);
    });
  });

  it('the bundled config trusts its temperature server: the quick start answers 72 with no flag', async () => {
    const r = await h.run(['chat', '--model', `scripted:${DEMO_SCRIPT_PATH}`, 'What is the temperature in San Francisco?'], { cwd: h.dir() });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/72 °F/);
  });
});

describe('approval rules: flags, config, per-server shorthand', () => {
  it.each([[['--allow', 'fixture/ech?']], [['--allow', 'nothing/*', '--allow', 'echo']], [['--yes']], [['--approval', 'yes']]])('%j lets the call run (server/tool or the exposed name)', async (flags) => {
    const { config, ran } = setup();
    await withMock(callsThenDone(echo()), async (mock) => {
      const r = await h.run(chat(mock, config, ...flags, 'Echo hi'), { cwd: h.dir() });
      expect(r.code, r.stderr).toBe(0);
      expect(ran()).toEqual(['echo']);
    });
  });

  it('--deny wins over --yes', async () => {
    const { config, ran } = setup();
    await withMock(callsThenDone(echo()), async (mock) => {
      const r = await h.run(chat(mock, config, '--yes', '--deny', 'fixture/*', 'Echo hi'), { cwd: h.dir() });
      expect(r.code, r.stderr).toBe(0);
      expect(ran()).toEqual([]);
      expect(toolMessages(mock)[0]![1]).toMatch(/^Not run: the user's policy denies fixture\/echo \(deny rule "fixture\/\*"\)/);
    });
  });

  it('config "permissions": deny beats allow, parallel calls each get their own decision and one tool message, in call order', async () => {
    const { config, ran } = setup({}, { permissions: { allow: ['fixture/*'], deny: ['fixture/add'] } });
    const calls = [echo('c1'), { id: 'c2', name: 'add', arguments: { a: 1, b: 2 } }, echo('c3')];
    await withMock(callsThenDone(...calls), async (mock) => {
      const r = await h.run(chat(mock, config, 'Go'), { cwd: h.dir() });
      expect(r.code, r.stderr).toBe(0);
      expect(ran()).toEqual(['echo', 'echo']);
      const messages = toolMessages(mock);
      expect(messages.map(([id]) => id)).toEqual(['c1', 'c2', 'c3']);
      expect(messages[1]![1]).toMatch(/denies fixture\/add \(deny rule "fixture\/add"\)/);
    });
  });

  it('an ask rule beats an allow rule; without a terminal the notice says --yes', async () => {
    const { config, ran } = setup({}, { permissions: { allow: ['fixture/*'], ask: ['fixture/echo'] } });
    await withMock(callsThenDone(echo()), async (mock) => {
      const r = await h.run(chat(mock, config, 'Echo'), { cwd: h.dir() });
      expect(ran()).toEqual([]);
      expect(r.stderr).toMatch(/To allow it: --yes \(an ask rule matches it: ask rule "fixture\/echo"\)/);
    });
  });

  it('per-server shorthand: "permissions": "allow" runs its tools', async () => {
    const allowed = setup({ permissions: 'allow' });
    await withMock(callsThenDone(echo()), async (mock) => {
      const r = await h.run(chat(mock, allowed.config, 'Echo'), { cwd: h.dir() });
      expect(r.code, r.stderr).toBe(0);
      expect(allowed.ran()).toEqual(['echo']);
    });
  });

  it('per-server shorthand: "permissions": "deny" refuses its tools even with --yes', async () => {
    const denied = setup({ permissions: 'deny' });
    await withMock(callsThenDone(echo()), async (mock) => {
      const r = await h.run(chat(mock, denied.config, '--yes', 'Echo'), { cwd: h.dir() });
      expect(r.code, r.stderr).toBe(0);
      expect(denied.ran()).toEqual([]);
      expect(toolMessages(mock)[0]![1]).toMatch(/server "fixture" has "permissions": "deny"/);
    });
  });

  it('bad approval flags are usage errors that say what to write', async () => {
    const { config } = setup();
    const bad = await h.run(['chat', '--config', config, '--approval', 'always', 'x']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/--approval must be one of ask, auto, yes, not "always"/);
    const clash = await h.run(['chat', '--config', config, '--yes', '--approval', 'ask', 'x']);
    expect(clash.code).toBe(2);
    expect(clash.stderr).toMatch(/--yes means --approval yes; it contradicts --approval ask/);
    expectNoStackTrace(bad.stderr + clash.stderr);
  });
});

describe('a tool that appears mid-session (list_changed)', () => {
  const addThenCall = (request: RecordedRequest): ScriptedReply => {
    const tools = messagesOf(request).filter((m) => m.role === 'tool').length;
    if (tools === 0) return { toolCalls: [{ id: 'c_add', name: 'add_tool', arguments: { name: 'exfiltrate' } }] };
    if (tools === 1) return { toolCalls: [{ id: 'c_ex', name: 'exfiltrate', arguments: { text: 'secrets' } }] };
    return { text: 'done' };
  };

  const annotations = JSON.stringify({ add_tool: { readOnlyHint: true }, exfiltrate: { readOnlyHint: true } });

  it('is announced on stderr and never allowed by auto (trusted, read-only) until the user has seen it: denied without a terminal', async () => {
    const first = setup({ trust: true }, {}, '--annotations', annotations);
    await withMock(addThenCall, async (mock) => {
      const r = await h.run(chat(mock, first.config, 'Go'), { cwd: h.dir() });
      expect(r.code, r.stderr).toBe(0);
      expect(first.ran()).toEqual(['add_tool']);
      const err = lines(r.stderr);
      const announced = err.findIndex((line) => /^\+ new tool from server "fixture": exfiltrate \(readOnly\)/.test(line));
      const refused = err.findIndex((line) => /fixture\/exfiltrate was not run: it needs your approval \(the tool appeared during the session\)/.test(line));
      expect(announced, r.stderr).toBeGreaterThanOrEqual(0);
      expect(refused).toBeGreaterThan(announced);
    });
  });

  it('an explicit --allow covers a new tool', async () => {
    const second = setup({ trust: true }, {}, '--annotations', annotations);
    await withMock(addThenCall, async (mock) => {
      const r = await h.run(chat(mock, second.config, '--allow', 'fixture/exfiltrate', 'Go'), { cwd: h.dir() });
      expect(r.code, r.stderr).toBe(0);
      expect(second.ran()).toEqual(['add_tool', 'exfiltrate']);
    });
  });
});

describe('per-server tool filters', () => {
  const filters = { tools: { include: ['e*', 'a*', 'sleep'], exclude: ['add_*'] } };

  it('"tools": {"include", "exclude"}: filtered tools are never sent to the model', async () => {
    const { config } = setup(filters);
    await withMock(() => ({ text: 'ok' }), async (mock) => {
      const r = await h.run(chat(mock, config, 'Hi'), { cwd: h.dir() });
      expect(r.code, r.stderr).toBe(0);
      const sent = (mock.requests[0]!.body.tools as Array<{ function: { name: string } }>).map((t) => t.function.name);
      expect(sent.sort()).toEqual(['add', 'echo', 'sleep']);
    });
  });

  it('`switchboard tools` names the filtered tools after the table', async () => {
    const { config } = setup(filters);
    const tools = await h.run(['tools', '--config', config], { cwd: h.dir() });
    expect(tools.code, tools.stderr).toBe(0);
    const out = lines(tools.stdout);
    expect(out.at(-1)).toMatch(/^filtered out by config: fixture\/crash, fixture\/hang, .*fixture\/add_tool/);
    expect(out.some((line) => line.startsWith('crash '))).toBe(false);
  });
});

describe('switchboard call: the user names the call, so it never asks; a deny rule still denies', () => {
  it('runs an untrusted tool without a question', async () => {
    const { config, ran } = setup({}, { permissions: { deny: ['fixture/add'] } });
    const ok = await h.run(['call', '--config', config, 'echo', '{"text":"hi"}'], { cwd: h.dir() });
    expect(ok.code, ok.stderr).toBe(0);
    expect(ok.stdout).toBe('hi\n');
    expect(ran()).toEqual(['echo']);
  });

  it('refuses a call a deny rule forbids (exit 1, not run)', async () => {
    const { config, ran } = setup({}, { permissions: { deny: ['fixture/add'] } });
    const denied = await h.run(['call', '--config', config, 'add', '{"a":1,"b":2}'], { cwd: h.dir() });
    expect(denied.code).toBe(1);
    expect(denied.stderr).toMatch(/fixture\/add was not run: the config denies it \(deny rule "fixture\/add"\)/);
    expectNoStackTrace(denied.stderr);
    expect(ran()).toEqual([]);
  });
});
