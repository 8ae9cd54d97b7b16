/**
 * Chats recorded as session files and resumed, through the built CLI with the loopback model
 * and real MCP servers: --session, --no-session, config saveSessions, --resume (id, path,
 * latest), a torn last line, --trace, and kill -9 at random moments of a multi-call turn.
 */
import { appendFileSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { readSessionFile } from '../../src/session/reader.js';
import { sessionIdOf } from '../../src/session/paths.js';
import { startMockLlm, type RecordedRequest, type ScriptedReply, messagesOf, type RequestMessage } from '../support/mock-llm.js';
import { sleep, waitUntil } from '../support/processes.js';
import { expectNoStackTrace, fixtureServer, temperatureServer, useE2eHarness } from './harness.js';

const states: string[] = [];
afterAll(() => {
  for (const dir of states) rmSync(dir, { recursive: true, force: true });
});
/** A fresh XDG_STATE_HOME and its sessions folder. */
function freshState(): { env: { XDG_STATE_HOME: string }; sessions: string } {
  const dir = mkdtempSync(join(tmpdir(), 'switchboard-state-'));
  states.push(dir);
  return { env: { XDG_STATE_HOME: dir }, sessions: join(dir, 'switchboard', 'sessions') };
}
const filesIn = (dir: string) => (existsSync(dir) ? readdirSync(dir) : []);

/** Answers with the name told in an EARLIER user message: a resumed chat that lost the history cannot. */
function rememberingModel(request: RecordedRequest): ScriptedReply {
  const users = messagesOf(request).filter((m) => m.role === 'user').map((m) => String(m.content));
  const last = users.at(-1) ?? '';
  if (/what is my name/i.test(last)) {
    const told = users.slice(0, -1).map((text) => /my name is (\w+)/i.exec(text)?.[1]).find(Boolean);
    return { text: told ? `Your name is ${told}.` : 'I do not know your name.' };
  }
  return { text: 'Nice to meet you.' };
}

describe('chat sessions', () => {
  const h = useE2eHarness();

  // Each test runs the CLI several times: limits that only catch a hang, on a busy machine.
  it('records every chat in the state folder; --resume ID goes on with it in a new process; --resume latest too', { timeout: 180_000 }, async () => {
    const mock = await startMockLlm({ script: rememberingModel });
    const { env, sessions } = freshState();
    try {
      const config = h.file('c.json', { mcpServers: { temperature: temperatureServer() } });
      const base = ['chat', '--config', config, '--endpoint-url', mock.url, '--model', 'test-model'];
      const first = await h.run([...base, 'My name is Ada.'], { env, timeoutMs: 60_000 });
      expect(first.code, first.stderr).toBe(0);
      const files = filesIn(sessions);
      expect(files).toHaveLength(1);
      const id = sessionIdOf(files[0]!);

      const second = await h.run([...base, '--resume', id, 'What is my name?'], { env, timeoutMs: 60_000 });
      expect(second.code, second.stderr).toBe(0);
      expect(second.stdout).toContain('Your name is Ada.');
      expect(messagesOf(mock.requests[1]!).map((m) => [m.role, m.content])).toEqual([
        ['user', 'My name is Ada.'],
        ['assistant', 'Nice to meet you.'],
        ['user', 'What is my name?'],
      ]);
      expect(filesIn(sessions), 'a resumed chat appends to its file').toHaveLength(1);

      const third = await h.run([...base, '--resume', 'latest', 'What is my name, again?'], { env, timeoutMs: 60_000 });
      expect(third.code, third.stderr).toBe(0);
      expect(messagesOf(mock.requests[2]!).filter((m) => m.role === 'user')).toHaveLength(3);
      const read = readSessionFile(join(sessions, files[0]!));
      expect(read.warnings).toEqual([]);
      expect(read.records.filter((r) => r.type === 'session_start')).toHaveLength(3);
    } finally {
      await mock.close();
    }
  });

  it('--session PATH picks the file, which holds no credentials; --no-session and "saveSessions": false record nothing', { timeout: 180_000 }, async () => {
    const mock = await startMockLlm({ script: () => ({ text: 'Fine.' }) });
    const { env, sessions } = freshState();
    try {
      const secret = 'sk-test-0123456789abcdef';
      const config = h.file('c.json', { mcpServers: { fixture: fixtureServer('--tools', 'echo', '--token', secret) } });
      const path = join(h.dir(), 'mine.jsonl');
      const keyed = { ...env, SWITCHBOARD_API_KEY: secret };
      const r = await h.run(['chat', '--config', config, '--endpoint-url', mock.url, '--model', 'test-model', '--session', path, 'Hello?'], { env: keyed, timeoutMs: 60_000 });
      expect(r.code, r.stderr).toBe(0);
      const text = readFileSync(path, 'utf8');
      const { records, warnings } = readSessionFile(path);
      expect(warnings).toEqual([]);
      expect(records.map((rec) => rec.type)).toEqual(expect.arrayContaining(['session_start', 'message', 'model_request', 'final']));
      expect(records[0]).toMatchObject({ type: 'session_start', model: 'test-model', servers: [{ name: 'fixture', tools: ['echo'] }] });
      expect(text).not.toContain(secret);
      expect(text).not.toContain(mock.url);
      expect(filesIn(sessions), '--session PATH writes nothing in the sessions folder').toEqual([]);

      const off = await h.run(['chat', '--config', config, '--endpoint-url', mock.url, '--model', 'test-model', '--no-session', 'Hello?'], { env, timeoutMs: 60_000 });
      expect(off.code, off.stderr).toBe(0);
      const quiet = h.file('quiet.json', { saveSessions: false, mcpServers: { fixture: fixtureServer('--tools', 'echo') } });
      const offByConfig = await h.run(['chat', '--config', quiet, '--endpoint-url', mock.url, '--model', 'test-model', 'Hello?'], { env, timeoutMs: 60_000 });
      expect(offByConfig.code, offByConfig.stderr).toBe(0);
      expect(filesIn(sessions)).toEqual([]);
      expect(mock.requests).toHaveLength(3);
    } finally {
      await mock.close();
    }
  });

  it('a torn last line is skipped with a warning on resume; an unknown session is a usage error that says how to find one', { timeout: 180_000 }, async () => {
    const mock = await startMockLlm({ script: rememberingModel });
    const { env } = freshState();
    try {
      const config = h.file('c.json', { mcpServers: { temperature: temperatureServer() } });
      const path = join(h.dir(), 's.jsonl');
      const base = ['chat', '--config', config, '--endpoint-url', mock.url, '--model', 'test-model'];
      expect((await h.run([...base, '--system', 'Old rules.', '--session', path, 'My name is Bo.'], { env, timeoutMs: 60_000 })).code).toBe(0);
      appendFileSync(path, '{"type":"message","t":1,"message":{"role":"user","content":"cut sh');
      const r = await h.run([...base, '--system', 'New rules.', '--resume', path, '--no-session', 'What is my name?'], { env, timeoutMs: 60_000 });
      expect(r.code, r.stderr).toBe(0);
      expect(r.stderr).toMatch(/s\.jsonl: the last line \(\d+\) was cut short, probably by a crash; it was skipped\./);
      expect(r.stdout).toContain('Your name is Bo.');
      // This run's system prompt replaces the recorded one.
      expect(messagesOf(mock.requests[1]!).map((m) => [m.role, m.content])).toEqual([
        ['system', 'New rules.'],
        ['user', 'My name is Bo.'],
        ['assistant', 'Nice to meet you.'],
        ['user', 'What is my name?'],
      ]);

      const missing = await h.run([...base, '--resume', 'no-such-session', 'hello'], { env, timeoutMs: 60_000 });
      expect(missing.code).toBe(2);
      expect(missing.stderr).toMatch(/No session "no-such-session": it is neither a file nor an id in .*switchboard\/sessions\. Run "switchboard sessions"/);
      expectNoStackTrace(missing.stderr);
      const none = await h.run([...base, '--resume', 'hello'], { env: freshState().env, timeoutMs: 60_000 });
      expect(none.code).toBe(2);
      expect(none.stderr).toMatch(/--resume latest "your question"/);
      const empty = await h.run([...base, '--resume'], { env: freshState().env, input: 'hello', timeoutMs: 60_000 });
      expect(empty.code).toBe(2);
      expect(empty.stderr).toMatch(/There is no recorded session to resume/);
      expect(mock.requests, 'a failed resume asks the model nothing').toHaveLength(2);
    } finally {
      await mock.close();
    }
  });

  it('--trace out.html writes the picture of the run, one arrow per tool call, even with --no-session (nothing left behind)', { timeout: 180_000 }, async () => {
    const mock = await startMockLlm({
      script: [
        { toolCalls: [{ name: 'get_temperature', arguments: { city: 'Paris' } }, { name: 'get_temperature', arguments: { city: 'Oslo' } }] },
        { toolCalls: [{ name: 'get_temperature', arguments: { city: 'Rome' } }] },
        { text: 'Warm enough.' },
      ],
    });
    const { env, sessions } = freshState();
    try {
      const config = h.file('c.json', { mcpServers: { temperature: temperatureServer() } });
      const out = join(h.dir(), 'run.html');
      const r = await h.run(['chat', '--config', config, '--endpoint-url', mock.url, '--model', 'test-model', '--no-session', '--trace', out, 'Weather?'], { env, timeoutMs: 60_000 });
      expect(r.code, r.stderr).toBe(0);
      const html = readFileSync(out, 'utf8');
      expect(html.startsWith('<!DOCTYPE html>')).toBe(true);
      expect(html.split('data-kind="tool-call"').length - 1).toBe(3);
      expect(html).not.toMatch(/<script/i);
      expect(filesIn(sessions)).toEqual([]);

      const bad = await h.run(['chat', '--config', config, '--endpoint-url', mock.url, '--model', 'test-model', '--trace', join(h.dir(), 'no', 'such', 'x.html'), 'Weather?'], { env, timeoutMs: 60_000 });
      expect(bad.code).toBe(2);
      expect(bad.stderr).toMatch(/--trace .*x\.html: the folder .* does not exist; create it or pick another path\./);
      expect(mock.requests).toHaveLength(3);
    } finally {
      await mock.close();
    }
  });
});

/**
 * Checks what a provider insists on: every assistant tool call answered by one tool message,
 * in call order, right after it; no tool message elsewhere; user and assistant turns alternate.
 */
function expectWellFormed(messages: RequestMessage[]): void {
  let i = 0;
  let lastTurn: 'user' | 'assistant' | undefined;
  while (i < messages.length) {
    const m = messages[i]!;
    if (m.role === 'system') {
      expect(i, 'system only first').toBe(0);
      i++;
      continue;
    }
    expect(m.role, `message ${i}: a tool message without its call`).not.toBe('tool');
    if (m.role === 'user') {
      expect(lastTurn, `message ${i}: two user messages in a row`).not.toBe('user');
      lastTurn = 'user';
      i++;
      continue;
    }
    expect(m.role).toBe('assistant');
    expect(lastTurn, `message ${i}: an assistant message without a user message before it`).toBeDefined();
    const calls = m.tool_calls ?? [];
    const answers = messages.slice(i + 1, i + 1 + calls.length);
    expect(answers.map((a) => [a.role, a.tool_call_id]), `message ${i}: tool calls without their tool messages`).toEqual(calls.map((c) => ['tool', c.id]));
    i += 1 + calls.length;
    if (calls.length === 0) lastTurn = 'assistant';
  }
  expect(lastTurn).toBe('user');
}

describe('crash safety', () => {
  const h = useE2eHarness();

  it('kill -9 at random moments of a multi-call turn, 20 times: every file resumes into a history the provider accepts', { timeout: 600_000 }, async () => {
    // Two rounds of parallel slow calls, then an answer; "next" (the resume) gets a plain answer.
    const mock = await startMockLlm({
      script: (request) => {
        const messages = messagesOf(request);
        const last = messages.at(-1);
        if (last?.role === 'user') {
          if (last.content === 'next') return { text: 'Resumed.' };
          return { toolCalls: [{ name: 'sleep', arguments: { ms: 150 } }, { name: 'sleep', arguments: { ms: 300 } }, { name: 'sleep', arguments: { ms: 220 } }] };
        }
        const rounds = messages.filter((m) => m.role === 'assistant' && (m.tool_calls?.length ?? 0) > 0).length;
        return rounds < 2 ? { toolCalls: [{ name: 'sleep', arguments: { ms: 200 } }, { name: 'sleep', arguments: { ms: 120 } }] } : { text: 'All done.' };
      },
    });
    const { env } = freshState();
    const config = h.file('slow.json', { mcpServers: { fixture: fixtureServer('--tools', 'sleep') } });
    // --yes: the fixture's sleep tool is not read-only; without it every call is denied at once
    // (no terminal to ask) and the turn ends before most kills.
    const base = ['chat', '--config', config, '--endpoint-url', mock.url, '--model', 'test-model', '--yes'];
    const dir = h.dir();
    let tornSeen = 0;
    let cutMidTurn = 0;
    try {
      const one = async (n: number) => {
        const path = join(dir, `s${n}.jsonl`);
        const cli = h.start([...base, '--json', '--session', path, `question ${n}`], { env, timeoutMs: 60_000 });
        const started = await waitUntil(() => cli.stdout.includes('"type":"tool_call"') || cli.child.exitCode !== null, 60_000);
        expect(started, `run ${n} never made a tool call:\n${cli.stderr}`).toBe(true);
        // A random moment of the turn: the calls of the first round take 300 ms, the second 200 ms.
        await sleep(Math.floor(Math.random() * 700));
        cli.child.kill('SIGKILL');
        await cli.done;
        const read = readSessionFile(path);
        // Only the last line can be damaged by a kill.
        expect(read.warnings.every((w) => /the last line/.test(w)), read.warnings.join('\n')).toBe(true);
        tornSeen += read.warnings.length;

        const before = mock.requests.length;
        const resumed = await h.run([...base, '--resume', path, '--no-session', 'next'], { env, timeoutMs: 60_000 });
        expect(resumed.code, resumed.stderr).toBe(0);
        expect(resumed.stdout).toContain('Resumed.');
        if (/marked as interrupted|A turn without an answer/.test(resumed.stderr)) cutMidTurn++;
        const request = mock.requests.slice(before).find((r) => messagesOf(r).at(-1)?.content === 'next' && messagesOf(r).some((m) => m.content === `question ${n}`));
        expect(request, 'the resumed run asked the model').toBeDefined();
        const messages = messagesOf(request!);
        expect(messages.filter((m) => m.role === 'user').map((m) => m.content)).toEqual([`question ${n}`, 'next']);
        expectWellFormed(messages);
      };
      // Four at a time: each run is mostly waiting (on the tools, on process start-up).
      for (let n = 0; n < 20; n += 4) await Promise.all([one(n), one(n + 1), one(n + 2), one(n + 3)]);
      console.log(`crash safety: ${cutMidTurn} of 20 kills cut the turn short; ${tornSeen} torn last line(s)`);
      expect(cutMidTurn, 'the kills land inside the turn').toBeGreaterThan(0);
    } finally {
      await mock.close();
    }
  });
});
