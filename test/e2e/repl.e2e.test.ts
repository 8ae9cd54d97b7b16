/**
 * The interactive chat, driven through a real pseudo-terminal: util-linux `script` gives the
 * built CLI a terminal on stdin and stdout, and the test types into it as a person would
 * (Enter is "\r", Ctrl+C is "\x03", Ctrl+D is "\x04").
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startMockLlm, type MockLlm, type RecordedRequest, type ScriptedReply, messagesOf } from '../support/mock-llm.js';
import { readPidFile, waitForGone } from '../support/processes.js';
import { closeTerminals, openTerminal, TERMINAL_MISSING } from '../support/terminal.js';
import { fixtureServer, temperatureServer, useE2eHarness } from './harness.js';

afterEach(closeTerminals);

/**
 * A model that only knows what the history tells it: asked for the name, it answers with the
 * name given in an EARLIER user message, or says it does not know. A REPL that loses the
 * history between messages therefore answers differently, whatever was scripted.
 */
function rememberingModel(request: RecordedRequest): ScriptedReply {
  const users = messagesOf(request).filter((m) => m.role === 'user').map((m) => String(m.content));
  const last = users.at(-1) ?? '';
  if (/what is my name/i.test(last)) {
    const told = users.slice(0, -1).map((text) => /my name is (\w+)/i.exec(text)?.[1]).find(Boolean);
    return { text: told ? `Your name is ${told}.` : 'I do not know your name.' };
  }
  return { text: 'Nice to meet you.' };
}

describe.skipIf(TERMINAL_MISSING)('switchboard chat (interactive)', () => {
  const h = useE2eHarness();

  it('keeps the conversation across messages (the second request carries the first exchange); /clear forgets it but keeps --system; /help', async () => {
    const mock = await startMockLlm({ script: rememberingModel });
    try {
      const config = h.file('history.json', { mcpServers: { temperature: temperatureServer() } });
      const t = openTerminal(['chat', '--config', config, '--endpoint-url', mock.url, '--model', 'test-model', '--system', 'You are a test.']);
      await t.waitFor(/you> /);

      let mark = t.screen().length;
      t.type('My name is Ada.\r');
      await t.waitFor(/Nice to meet you\.[\s\S]*you> /, mark);
      mark = t.screen().length;
      t.type('What is my name?\r');
      await t.waitFor(/Your name is Ada\.[\s\S]*you> /, mark);
      expect(mock.requests).toHaveLength(2);
      expect(messagesOf(mock.requests[1]!).map((m) => [m.role, m.content])).toEqual([
        ['system', 'You are a test.'],
        ['user', 'My name is Ada.'],
        ['assistant', 'Nice to meet you.'],
        ['user', 'What is my name?'],
      ]);

      mark = t.screen().length;
      t.type('/clear\r');
      await t.waitFor(/cleared[\s\S]*you> /i, mark);
      mark = t.screen().length;
      t.type('What is my name?\r');
      await t.waitFor(/I do not know your name\.[\s\S]*you> /, mark);
      expect(mock.requests).toHaveLength(3);
      expect(messagesOf(mock.requests[2]!).map((m) => [m.role, m.content])).toEqual([
        ['system', 'You are a test.'],
        ['user', 'What is my name?'],
      ]);

      mark = t.screen().length;
      t.type('/help\r');
      await t.waitFor(/\/tools[\s\S]*\/clear[\s\S]*\/help[\s\S]*\/exit[\s\S]*you> /, mark);
      expect(mock.requests, 'a command is not sent to the model').toHaveLength(3);

      t.type('\x04');
      expect(await t.exit).toBe(0);
    } finally {
      await mock.close();
    }
  });

  it('Ctrl+D during a turn: the answer still arrives, then the chat leaves (exit 0) without another prompt', async () => {
    // The answer streams in 10 chunks 300 ms apart; Ctrl+D is typed once the first chunk is shown.
    const mock = await startMockLlm({ script: [{ text: 'first-chunk and then the rest of a slowly streamed answer.', chunkSize: 6, delayMs: 300 }] });
    try {
      const config = h.file('ctrl-d.json', { mcpServers: { temperature: temperatureServer() } });
      const t = openTerminal(['chat', '--config', config, '--endpoint-url', mock.url, '--model', 'test-model']);
      await t.waitFor(/you> /);
      const mark = t.screen().length;
      t.type('Stream slowly.\r');
      await t.waitFor(/first-/, mark);
      t.type('\x04');
      expect(await t.exit).toBe(0);
      const after = t.screen().slice(mark);
      expect(after).toContain('slowly streamed answer.');
      expect(after.slice(after.indexOf('slowly streamed answer.'))).not.toMatch(/you> /);
      expect(mock.requests).toHaveLength(1);
    } finally {
      await mock.close();
    }
  });

  it('answers with a tool call, lists tools, takes a second message, and leaves with Ctrl+D (exit 0)', async () => {
    const serverPid = h.pidfile('temperature-wrapper.pid');
    const script = h.file('repl.script.json', [
      { toolCalls: [{ name: 'get_temperature', arguments: { city: 'Paris' } }] },
      { text: 'Paris: {{last_tool_result}}' },
      { text: 'Second answer, same session.' },
    ]);
    // A fixture that writes its pid, beside the temperature server, shows the servers are closed on exit.
    const config = h.file('repl.json', { mcpServers: { temperature: temperatureServer(), fixture: fixtureServer('--tools', 'echo', '--pidfile', serverPid) } });
    const t = openTerminal(['chat', '--config', config, '--model', `scripted:${script}`]);
    await t.waitFor(/you> /);
    expect(t.screen()).toMatch(/scripted model .* not an LLM/);

    let mark = t.screen().length;
    t.type('What is the temperature in Paris?\r');
    await t.waitFor(/Paris: The temperature in Paris is 75 °F\.[\s\S]*you> /, mark);
    expect(t.screen().slice(mark)).toMatch(/→ \S*get_temperature/);

    mark = t.screen().length;
    t.type('/tools\r');
    await t.waitFor(/get_temperature\s+temperature\s+get_temperature[\s\S]*you> /, mark);

    mark = t.screen().length;
    t.type('And again?\r');
    await t.waitFor(/Second answer, same session\.[\s\S]*you> /, mark);

    const fixturePid = await readPidFile(serverPid);
    t.type('\x04');
    expect(await t.exit).toBe(0);
    expect(await waitForGone([fixturePid])).toEqual([]);
  });

  it('Ctrl+C cancels a running turn (and what was typed ahead) and returns to the prompt; /exit then leaves (exit 0), no server left', async () => {
    const serverPid = h.pidfile('hang.pid');
    const grandchildPid = h.pidfile('hang-grandchild.pid');
    const script = h.file('hang.script.json', [{ toolCalls: [{ name: 'hang', arguments: {} }] }, { text: 'Still here after the cancelled turn.' }]);
    const config = h.file('hang.json', { mcpServers: { fx: fixtureServer('--tools', 'hang', '--pidfile', serverPid, '--grandchild', grandchildPid) } });
    const t = openTerminal(['chat', '--config', config, '--model', `scripted:${script}`, '--yes']);
    await t.waitFor(/you> /);

    let mark = t.screen().length;
    t.type('Please hang.\r');
    await t.waitFor(/→ \S*hang/, mark);
    // A message typed ahead is cancelled with the turn, and the user is told.
    t.type('Queued behind the hang.\r');
    await t.waitFor(/queued: Queued behind the hang\./, mark);
    t.type('\x03');
    await t.waitFor(/cancelled[\s\S]*turn cancelled; not sent: 1 queued message[\s\S]*you> /, mark);

    mark = t.screen().length;
    t.type('Are you there?\r');
    await t.waitFor(/Still here after the cancelled turn\.[\s\S]*you> /, mark);

    const pids = [await readPidFile(serverPid), await readPidFile(grandchildPid)];
    t.type('/exit\r');
    expect(await t.exit).toBe(0);
    expect(await waitForGone(pids, { groups: true })).toEqual([]);
  });

  it('Ctrl+C at the prompt clears what is typed; at an empty prompt it leaves with exit code 130', async () => {
    const t = openTerminal(['chat', '--model', 'scripted:config/demo.script.json']);
    await t.waitFor(/you> /);
    const mark = t.screen().length;
    t.type('half a thought');
    await t.waitFor(/half a thought/, mark);
    t.type('\x03');
    await t.waitFor(/half a thought[^\n]*\r?\n[\s\S]*you> /, mark);
    expect(t.child.exitCode).toBeNull();
    t.type('\x03');
    expect(await t.exit).toBe(130);
  });
});

function userMessages(mock: MockLlm): string[] {
  return mock.requests.map((request) => {
    const users = (request.body.messages as Array<{ role: string; content: string }>).filter((m) => m.role === 'user');
    return users[users.length - 1]!.content;
  });
}

/** What the terminal shows with cursor and mode escape sequences removed. */
function plain(text: string): string {
  return text.replace(/\x1b\[[0-9;?]*[A-Za-z~]/g, '');
}

describe.skipIf(TERMINAL_MISSING)('switchboard chat (interactive): input', () => {
  useE2eHarness();
  let mock: MockLlm;
  beforeAll(async () => {
    mock = await startMockLlm();
  });
  afterAll(async () => {
    await mock.close();
  });
  const openChat = () => {
    mock.requests.length = 0;
    return openTerminal(['chat', '--endpoint-url', mock.url, '--model', 'test-model']);
  };

  it('a bracketed paste is one message with all its lines; a trailing \\ continues the line; bracketed paste is off again on exit', async () => {
    mock.enqueue({ text: 'Got the paste.' }, { text: 'Got the continued line.' });
    const t = openChat();
    await t.waitFor(/you> /);

    let mark = t.screen().length;
    // What a terminal sends for a paste of three lines; then Enter sends the message.
    t.type('\x1b[200~Here is my text:\nline two\n[[x]]\x1b[201~');
    t.type('\r');
    await t.waitFor(/Got the paste\.[\s\S]*you> /, mark);

    mark = t.screen().length;
    t.type('first part \\\r');
    await t.waitFor(/\.\.\.> /, mark);
    t.type('second part\r');
    await t.waitFor(/Got the continued line\.[\s\S]*you> /, mark);

    expect(userMessages(mock)).toEqual(['Here is my text:\nline two\n[[x]]', 'first part \nsecond part']);
    // Bracketed paste was asked for before the first prompt.
    expect(t.screen().indexOf('\x1b[?2004h')).toBeGreaterThanOrEqual(0);
    expect(t.screen().indexOf('\x1b[?2004h')).toBeLessThan(t.screen().indexOf('you> '));

    mark = t.screen().length;
    t.type('\x04');
    expect(await t.exit).toBe(0);
    // Leaving switches bracketed paste off and ends the prompt's line (no "you> $ " for the shell).
    const tail = t.screen().slice(mark);
    expect(tail).toContain('\x1b[?2004l');
    expect(plain(tail)).toMatch(/^\r?\n/);
  });

  it('messages typed while a turn runs are queued and sent after it, in order', async () => {
    // The first answer streams in 8 chunks 700 ms apart: the typing below lands while it runs.
    mock.enqueue({ text: 'First answer, streamed slowly.', chunkSize: 4, delayMs: 700 }, { text: 'Answer two.' }, { text: 'Answer three.' });
    const t = openChat();
    await t.waitFor(/you> /);
    const mark = t.screen().length;
    t.type('first message\r');
    await t.waitFor(/Firs/, mark);
    t.type('second message\r');
    t.type('third message\r');
    await t.waitFor(/Answer three\.[\s\S]*you> /, mark);

    const screen = plain(t.screen().slice(mark));
    // Both were acknowledged while the first answer was still streaming...
    expect(screen.indexOf('queued: second message')).toBeGreaterThan(-1);
    expect(screen.indexOf('queued: third message')).toBeGreaterThan(screen.indexOf('queued: second message'));
    expect(screen.indexOf('queued: third message')).toBeLessThan(screen.indexOf('slowly.'));
    // ...and each is shown at the prompt when it is sent.
    expect(screen).toMatch(/you> second message[\s\S]*Answer two\.[\s\S]*you> third message[\s\S]*Answer three\./);
    expect(userMessages(mock)).toEqual(['first message', 'second message', 'third message']);

    t.type('/exit\r');
    expect(await t.exit).toBe(0);
  });

  it('an unknown /command is refused, never sent; /help lists /quit; // sends text that starts with /', async () => {
    mock.enqueue({ text: 'A path, then.' });
    const t = openChat();
    await t.waitFor(/you> /);

    let mark = t.screen().length;
    t.type('/frobnicate\r');
    await t.waitFor(/unknown command \/frobnicate; \/help lists them[\s\S]*you> /, mark);

    mark = t.screen().length;
    t.type('/help\r');
    await t.waitFor(/\/exit, \/quit[\s\S]*you> /, mark);
    expect(mock.requests).toHaveLength(0);

    mark = t.screen().length;
    t.type('//etc/hosts is empty\r');
    await t.waitFor(/A path, then\.[\s\S]*you> /, mark);
    expect(userMessages(mock)).toEqual(['/etc/hosts is empty']);

    t.type('/quit\r');
    expect(await t.exit).toBe(0);
  });

  it('--json with no prompt at a terminal is a usage error (exit 2), before any server starts', async () => {
    const t = openTerminal(['chat', '--json', '--model', 'scripted:config/demo.script.json']);
    expect(await t.exit).toBe(2);
    expect(t.screen()).toMatch(/--json needs a prompt/);
    expect(t.screen()).not.toMatch(/you> |servers? ready/);
    expect(t.screen()).not.toMatch(/^\s{4}at /m);
  });
});
