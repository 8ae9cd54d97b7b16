/**
 * The interactive chat's session commands in a real pseudo-terminal (util-linux `script`):
 * /servers, /usage, /model, /save, /sessions, /resume, and the input history kept across
 * runs (the up arrow). Assertions are on what the screen shows and what the model was sent.
 */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { readSessionFile } from '../../src/session/reader.js';
import { startMockLlm, type RecordedRequest, type ScriptedReply, messagesOf, type RequestMessage } from '../support/mock-llm.js';
import { closeTerminals, openTerminal, TERMINAL_MISSING } from '../support/terminal.js';
import { fixtureServer, temperatureServer, useE2eHarness } from './harness.js';

afterEach(closeTerminals);
const states: string[] = [];
afterAll(() => {
  for (const dir of states) rmSync(dir, { recursive: true, force: true });
});

function rememberingModel(request: RecordedRequest): ScriptedReply {
  const users = messagesOf(request).filter((m) => m.role === 'user').map((m) => String(m.content));
  const last = users.at(-1) ?? '';
  if (/what is my name/i.test(last)) {
    const told = users.slice(0, -1).map((text) => /my name is (\w+)/i.exec(text)?.[1]).find(Boolean);
    return { text: told ? `Your name is ${told}.` : 'I do not know your name.' };
  }
  return { text: 'Nice to meet you.' };
}

const UP = '\u001b[A';

describe.skipIf(TERMINAL_MISSING)('interactive chat: session commands', () => {
  const h = useE2eHarness();

  it('/servers shows each state and tool count; /usage adds up the model calls; /model switches the model and keeps the conversation', { timeout: 120_000 }, async () => {
    const mock = await startMockLlm({ script: (request) => ({ text: `Answer from ${String(request.body?.model)}.` }) });
    try {
      const config = h.file('c.json', {
        mcpServers: { temperature: temperatureServer(), fixture: fixtureServer('--tools', 'echo,add'), broken: fixtureServer('--crash-at-start') },
      });
      const t = openTerminal(['chat', '--config', config, '--endpoint-url', mock.url, '--model', 'model-a']);
      await t.waitFor(/you> /, 0, 60_000);

      let mark = t.screen().length;
      t.type('/servers\r');
      await t.waitFor(/temperature\s+ready, 1 tool\r?\n[\s\S]*fixture\s+ready, 2 tools\r?\n[\s\S]*broken\s+down \(its tools answer "server down"\), 0 tools[\s\S]*you> /, mark);

      mark = t.screen().length;
      t.type('/usage\r');
      await t.waitFor(/No model calls yet\.[\s\S]*you> /, mark);

      mark = t.screen().length;
      t.type('Hello\r');
      await t.waitFor(/Answer from model-a\.[\s\S]*you> /, mark);
      mark = t.screen().length;
      t.type('/usage\r');
      // The loopback model reports usage when asked for it (stream_options.include_usage): counted as reported.
      await t.waitFor(/1 model call: \d+ tokens in, \d+ out\s[\s\S]*you> /, mark);

      mark = t.screen().length;
      t.type('/model model-b\r');
      await t.waitFor(/model: [^\n]*model-b[\s\S]*you> /, mark);
      mark = t.screen().length;
      t.type('Hello again\r');
      await t.waitFor(/Answer from model-b\.[\s\S]*you> /, mark);
      expect(mock.requests.map((r) => r.body.model)).toEqual(['model-a', 'model-b']);
      expect(messagesOf(mock.requests[1]!).map((m) => [m.role, m.content])).toEqual([
        ['user', 'Hello'],
        ['assistant', 'Answer from model-a.'],
        ['user', 'Hello again'],
      ]);

      mark = t.screen().length;
      t.type('/usage\r');
      await t.waitFor(/2 model calls: \d+ tokens in/, mark);
      mark = t.screen().length;
      t.type('/model\r');
      await t.waitFor(/✗ \/model needs an id: \/model ID[\s\S]*you> /, mark);
      t.type('\x04');
      expect(await t.exit).toBe(0);
    } finally {
      await mock.close();
    }
  });

  it('/save copies the session, /sessions lists it, the next run recalls typed lines with the up arrow and /resume ID goes on with it', { timeout: 120_000 }, async () => {
    const mock = await startMockLlm({ script: rememberingModel });
    const state = mkdtempSync(join(tmpdir(), 'switchboard-state-'));
    states.push(state);
    const env = { XDG_STATE_HOME: state };
    try {
      const config = h.file('c.json', { mcpServers: { temperature: temperatureServer() } });
      const args = ['chat', '--config', config, '--endpoint-url', mock.url, '--model', 'test-model'];
      const saved = join(h.dir(), 'saved.jsonl');

      const first = openTerminal(args, { env });
      await first.waitFor(/you> /, 0, 60_000);
      const id = /session: \S*\/([^/\s]+)\.jsonl/.exec(first.screen())?.[1];
      expect(id, first.screen()).toBeDefined();
      let mark = first.screen().length;
      first.type('My name is Ada.\r');
      await first.waitFor(/Nice to meet you\.[\s\S]*you> /, mark);
      mark = first.screen().length;
      first.type(`/save ${saved}\r`);
      await first.waitFor(/Saved to .*saved\.jsonl\.[\s\S]*you> /, mark);
      mark = first.screen().length;
      first.type(`/save ${saved}\r`);
      await first.waitFor(/✗ .*saved\.jsonl exists; \/save does not overwrite a file[\s\S]*you> /, mark);
      mark = first.screen().length;
      first.type('/sessions\r');
      await first.waitFor(new RegExp(`${id}\\s+\\S+ \\S+\\s+1\\s+My name is Ada\\.[\\s\\S]*you> `), mark);
      first.type('\x04');
      expect(await first.exit).toBe(0);
      expect(existsSync(saved)).toBe(true);
      expect(readSessionFile(saved).records.filter((r) => r.type === 'message').map((r) => (r as { message: RequestMessage }).message.content)).toEqual(['My name is Ada.', 'Nice to meet you.']);

      const second = openTerminal(args, { env });
      await second.waitFor(/you> /, 0, 60_000);
      // Newest first: /sessions, /save (typed twice, kept once), the message.
      mark = second.screen().length;
      second.type(UP);
      await second.waitFor(/\/sessions/, mark);
      mark = second.screen().length;
      second.type(`${UP}${UP}`);
      await second.waitFor(/My name is Ada\./, mark);
      second.type('\x03'); // drop the recalled line
      mark = second.screen().length;
      second.type('/resume no-such-id\r');
      await second.waitFor(/✗ No session "no-such-id"[\s\S]*you> /, mark);
      mark = second.screen().length;
      second.type(`/resume ${id}\r`);
      await second.waitFor(/Resumed .*\.jsonl \(1 turn\)\.[\s\S]*you> /, mark);
      mark = second.screen().length;
      second.type('What is my name?\r');
      await second.waitFor(/Your name is Ada\.[\s\S]*you> /, mark);
      expect(messagesOf(mock.requests.at(-1)!).map((m) => [m.role, m.content])).toEqual([
        ['user', 'My name is Ada.'],
        ['assistant', 'Nice to meet you.'],
        ['user', 'What is my name?'],
      ]);
      expect(mock.requests, 'commands and recalled lines are not sent').toHaveLength(2);
      second.type('\x04');
      expect(await second.exit).toBe(0);
    } finally {
      await mock.close();
    }
  });
});
