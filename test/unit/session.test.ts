/**
 * The session file on disk (temp dirs): writer, reader, resume repair, listing, paths.
 * The crash test (SIGKILL while writing) is test/integration/session-crash.test.ts.
 */
import { appendFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ChatMessage } from '../../src/llm/model.js';
import { listSessions } from '../../src/session/list.js';
import { defaultSessionDir, findSession, newSessionId } from '../../src/session/paths.js';
import { parseSessionText, readSessionFile } from '../../src/session/reader.js';
import type { RecordedMessage, SessionRecord } from '../../src/session/records.js';
import { historyFromSession, INTERRUPTED_TOOL_RESULT, UNANSWERED_TURN } from '../../src/session/resume.js';
import { SessionRecorder, SessionWriter } from '../../src/session/writer.js';

// The record schema mirrors ChatMessage: each must be assignable to the other.
const toSchema = (m: ChatMessage): RecordedMessage => m;
const fromSchema = (m: RecordedMessage): ChatMessage => m;
void toSchema;
void fromSchema;

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'switchboard-session-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const msg = (message: ChatMessage, t = 1): SessionRecord => ({ type: 'message', t, message });
const user = (content: string): ChatMessage => ({ role: 'user', content });
const answer = (content: string): ChatMessage => ({ role: 'assistant', content });
const calls = (...ids: string[]): ChatMessage => ({ role: 'assistant', content: '', toolCalls: ids.map((id) => ({ id, name: 'get_temperature', arguments: `{"city":"${id}"}` })) });
const result = (id: string): ChatMessage => ({ role: 'tool', toolCallId: id, name: 'get_temperature', content: `result ${id}` });

describe('SessionWriter', () => {
  it('creates the folder, writes a header and one line per record, mode 0600', () => {
    const path = join(dir, 'deep', 'sessions', 'a.jsonl');
    let now = 1_700_000_000_000;
    const writer = new SessionWriter(path, () => now++);
    writer.start({ model: 'some/model', provider: 'auto', config: '/x/switchboard.json', servers: [{ name: 'temperature', tools: ['get_temperature'] }] });
    const history: ChatMessage[] = [{ role: 'system', content: 'sys' }];
    const recorder = new SessionRecorder(writer, history);
    history.push(user('hi'));
    recorder.observe({ type: 'model_request', step: 1, maxSteps: 5 });
    history.push(answer('hello'));
    recorder.observe({ type: 'final', text: 'hello', steps: 1 });
    recorder.flush();
    writer.close();

    expect(statSync(path).mode & 0o777).toBe(0o600);
    const lines = readFileSync(path, 'utf8').split('\n');
    expect(lines.pop()).toBe('');
    const types = lines.map((line) => (JSON.parse(line) as { type: string }).type);
    // History messages go out before the event that follows them.
    expect(types).toEqual(['session_start', 'message', 'message', 'model_request', 'message', 'final']);
    const { records, warnings } = readSessionFile(path);
    expect(warnings).toEqual([]);
    expect(records[0]).toMatchObject({ type: 'session_start', format: 1, model: 'some/model', startedAt: new Date(1_700_000_000_000).toISOString() });
    expect(records.map((r) => r.t)).toEqual([...records.map((r) => r.t)].sort((a, b) => a - b));
    expect(historyFromSession(records)).toEqual({ history, warnings: [] });
  });

  it('writes each history message once, also after the agent trims old ones', () => {
    const path = join(dir, 's.jsonl');
    const writer = new SessionWriter(path);
    const history: ChatMessage[] = [user('one'), answer('1')];
    writer.syncHistory(history);
    history.splice(0, 2, user('two'));
    writer.syncHistory(history);
    writer.syncHistory(history);
    writer.close();
    const messages = readSessionFile(path).records.filter((r) => r.type === 'message');
    expect(messages.map((r) => (r as { message: ChatMessage }).message.content)).toEqual(['one', '1', 'two']);
  });

  it('resuming into the same file: the restored history is not written again, only what follows', () => {
    const path = join(dir, 's.jsonl');
    const first = new SessionWriter(path);
    first.syncHistory([user('q1'), answer('a1')]);
    first.close();
    const { history } = historyFromSession(readSessionFile(path).records);
    const second = new SessionWriter(path);
    second.adoptHistory(history);
    history.push(user('q2'), answer('a2'));
    second.syncHistory(history);
    second.close();
    expect(historyFromSession(readSessionFile(path).records)).toEqual({ history: [user('q1'), answer('a1'), user('q2'), answer('a2')], warnings: [] });
  });

  it('a failing write (disk full: /dev/full) stops the recording once, without throwing', () => {
    const failures: string[] = [];
    const writer = new SessionWriter('/dev/full', Date.now, (error) => failures.push((error as NodeJS.ErrnoException).code ?? error.message));
    writer.start({ model: 'm', servers: [] });
    writer.syncHistory([user('q')]);
    writer.event({ type: 'notice', message: 'x' });
    writer.close();
    expect(failures).toEqual(['ENOSPC']);
    expect(writer.failure).toBeInstanceOf(Error);
  });

  it('appends to an existing file', () => {
    const path = join(dir, 's.jsonl');
    for (const text of ['a', 'b']) {
      const writer = new SessionWriter(path);
      writer.syncHistory([user(text)]);
      writer.close();
    }
    expect(readSessionFile(path).records).toHaveLength(2);
  });
});

describe('reading a session file', () => {
  const good = (n: number) => JSON.stringify({ type: 'message', t: n, message: user(`q${n}`) });

  it('skips a torn last line with a warning and keeps everything before it', () => {
    const { records, warnings } = parseSessionText(`${good(1)}\n${good(2)}\n${good(3).slice(0, 17)}`, 's.jsonl');
    expect(records).toHaveLength(2);
    expect(warnings).toEqual([expect.stringMatching(/s\.jsonl: the last line \(3\) was cut short/)]);
  });

  it('keeps a complete last record that lost only its newline', () => {
    expect(parseSessionText(`${good(1)}\n${good(2)}`)).toEqual({ records: [expect.anything(), expect.anything()], warnings: [] });
  });

  it('skips a bad line in the middle, naming its line number, and reads on', () => {
    const { records, warnings } = parseSessionText(`${good(1)}\n{"type": "message", "t": 2, "message": {"role": "robot"}}\nnot json\n${good(4)}\n`);
    expect(records.map((r) => r.t)).toEqual([1, 4]);
    expect(warnings).toEqual([expect.stringMatching(/line 2 skipped: invalid message record/), expect.stringMatching(/line 3 skipped: not valid JSON/)]);
  });

  it('keeps records of types it does not know (a newer writer)', () => {
    expect(parseSessionText('{"type":"usage","t":5,"promptTokens":3}\n').records).toEqual([{ type: 'usage', t: 5, promptTokens: 3 }]);
  });
});

describe('historyFromSession', () => {
  it('returns a complete conversation unchanged', () => {
    const history = [{ role: 'system', content: 's' } as ChatMessage, user('q'), calls('a', 'b'), result('a'), result('b'), answer('done'), user('q2'), answer('ok')];
    expect(historyFromSession(history.map((m) => msg(m)))).toEqual({ history, warnings: [] });
  });

  it('answers every unanswered tool call with an interrupted tool message, in call order', () => {
    const { history, warnings } = historyFromSession([msg(user('q')), msg(calls('a', 'b', 'c')), msg(result('b'))]);
    expect(history.map((m) => (m.role === 'tool' ? `${m.toolCallId}:${m.content === INTERRUPTED_TOOL_RESULT ? 'interrupted' : 'ok'}` : m.role))).toEqual([
      'user',
      'assistant',
      'a:interrupted',
      'b:ok',
      'c:interrupted',
      'assistant',
    ]);
    expect(history.at(-1)).toEqual(answer(UNANSWERED_TURN));
    expect(warnings.filter((w) => /1 tool call without a recorded result/.test(w))).toHaveLength(2);
  });

  it('closes a turn without an answer before the next user message and at the end, so roles alternate', () => {
    const { history } = historyFromSession([msg(user('q1')), msg(user('q2')), msg(answer('a2')), msg(user('q3'))]);
    expect(history).toEqual([user('q1'), answer(UNANSWERED_TURN), user('q2'), answer('a2'), user('q3'), answer(UNANSWERED_TURN)]);
  });

  it('drops a tool message that answers no pending call, and a late system message', () => {
    const { history, warnings } = historyFromSession([msg({ role: 'system', content: 's' }), msg(user('q')), msg(result('zzz')), msg({ role: 'system', content: 's2' }), msg(answer('a'))]);
    expect(history).toEqual([{ role: 'system', content: 's' }, user('q'), answer('a')]);
    expect(warnings).toHaveLength(2);
  });

  it('starts after the last history_reset (/clear)', () => {
    const { history } = historyFromSession([msg(user('old')), msg(answer('old')), { type: 'history_reset', t: 2 }, msg(user('new')), msg(answer('new'))]);
    expect(history).toEqual([user('new'), answer('new')]);
  });

  it('ignores events: only message records make the history', () => {
    expect(historyFromSession([{ type: 'model_request', t: 1, step: 1 }, msg(user('q')), { type: 'final', t: 2, text: 'x' }, msg(answer('x'))]).history).toEqual([user('q'), answer('x')]);
  });
});

describe('listSessions', () => {
  const write = (id: string, t: number, prompts: string[]) => {
    const writer = new SessionWriter(join(dir, `${id}.jsonl`), () => t);
    writer.start({ model: 'm', servers: [] });
    for (const p of prompts) writer.syncHistory([user(p)]);
    writer.close();
  };

  it('lists newest first with the first prompt (cut) and the number of turns; damaged files get a note', () => {
    write('20260101T000000000Z-aaaaaa', Date.UTC(2026, 0, 1), ['first question', 'second']);
    write('20260301T000000000Z-cccccc', Date.UTC(2026, 2, 1), [`a very long question ${'x'.repeat(200)}`]);
    write('20260201T000000000Z-bbbbbb', Date.UTC(2026, 1, 1), []);
    appendFileSync(join(dir, '20260201T000000000Z-bbbbbb.jsonl'), '{"type":"mess');
    writeFileSync(join(dir, 'garbage.jsonl'), 'not a session\n');
    writeFileSync(join(dir, 'notes.txt'), 'ignored');
    mkdirSync(join(dir, 'dir.jsonl'));
    // A file without a header is dated by its id, else by its modification time (now: newest).
    writeFileSync(join(dir, '20250101T000000000Z-dddddd.jsonl'), 'not a session either\n');
    const all = listSessions(dir);
    expect(all.slice(0, 2).map((s) => s.id).sort()).toEqual(['dir', 'garbage']);
    expect(all.at(-1)).toMatchObject({ id: '20250101T000000000Z-dddddd', startedAt: new Date(Date.UTC(2025, 0, 1)), note: expect.stringMatching(/no session_start header/) });
    const rest = Object.fromEntries(all.slice(0, 2).map((s) => [s.id, s.note]));
    expect(rest).toEqual({ garbage: 'no session_start header; 1 damaged line', dir: expect.stringMatching(/^unreadable: /) });
    const list = all.slice(2);
    expect(list.map((s) => s.id)).toEqual(['20260301T000000000Z-cccccc', '20260201T000000000Z-bbbbbb', '20260101T000000000Z-aaaaaa', '20250101T000000000Z-dddddd']);
    expect(list[0]).toMatchObject({ turns: 1, model: 'm', firstPrompt: expect.stringMatching(/^a very long question x+…$/) });
    expect(list[0]!.firstPrompt!.length).toBe(60);
    expect(list[0]!.note).toBeUndefined();
    expect(list[1]).toMatchObject({ turns: 0, note: '1 damaged line' });
    expect(list[2]).toMatchObject({ turns: 2, firstPrompt: 'first question' });
  });

  it('is empty when the folder does not exist', () => {
    expect(listSessions(join(dir, 'none'))).toEqual([]);
  });
});

describe('paths', () => {
  it('uses $XDG_STATE_HOME when it is absolute, else ~/.local/state', () => {
    expect(defaultSessionDir({ XDG_STATE_HOME: '/state' }, '/home/u')).toBe('/state/switchboard/sessions');
    expect(defaultSessionDir({ XDG_STATE_HOME: 'relative' }, '/home/u')).toBe('/home/u/.local/state/switchboard/sessions');
    expect(defaultSessionDir({}, '/home/u')).toBe('/home/u/.local/state/switchboard/sessions');
  });

  it('makes ids that sort by start time', () => {
    const a = newSessionId(new Date(Date.UTC(2026, 10, 29, 9, 5, 3, 7)), Buffer.from([0xff, 0, 1]));
    expect(a).toBe('20261129T090503007Z-ff0001');
    const b = newSessionId(new Date(Date.UTC(2026, 10, 29, 10, 0, 0, 0)), Buffer.from([0, 0, 0]));
    expect([b, a].sort()).toEqual([a, b]);
  });

  it('finds a session by path or by id in the folder', () => {
    const path = join(dir, '20260101T000000000Z-abcdef.jsonl');
    writeFileSync(path, '');
    expect(findSession(path, '/nowhere')).toBe(path);
    expect(findSession('20260101T000000000Z-abcdef', dir)).toBe(path);
    expect(findSession('20260101T000000000Z-abcdef.jsonl', dir, '/')).toBe(path);
    expect(findSession('nope', dir)).toBeUndefined();
  });
});
