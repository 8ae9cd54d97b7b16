/**
 * The approval question in a real pseudo-terminal (util-linux `script`): the one-shot chat
 * reads the answer from its free stdin, the interactive chat through its own line reader.
 * Whether a call ran is proved on the server's side (the fixture's --call-log).
 */
import { existsSync, readFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { startMockLlm, type MockLlm, type RecordedRequest, type ScriptedReply, type ScriptedToolCall, messagesOf } from '../support/mock-llm.js';
import { closeTerminals, openTerminal, TERMINAL_MISSING } from '../support/terminal.js';
import { fixtureServer, lines, useE2eHarness } from './harness.js';

afterEach(closeTerminals);

function callsThenDone(...calls: ScriptedToolCall[]): (request: RecordedRequest) => ScriptedReply {
  return (request) => (messagesOf(request).at(-1)?.role === 'tool' ? { text: 'All done.' } : { toolCalls: calls });
}

const toolMessages = (mock: MockLlm) => messagesOf(mock.requests.at(-1)!).filter((m) => m.role === 'tool').map((m) => [m.tool_call_id, m.content]);
const QUESTION = /Run it\? \[y\]es once \/ \[a\]lways for this tool in this session \/ \[n\]o \/ \[e\]xplain to the model \/ \[v\]iew arguments in full: /;

describe.skipIf(TERMINAL_MISSING)('the approval question at a terminal', () => {
  const h = useE2eHarness();
  let mock: MockLlm | undefined;
  afterEach(async () => {
    await mock?.close();
    mock = undefined;
  });

  function setup(annotations: Record<string, unknown> = {}) {
    const log = `${h.dir()}/calls.log`;
    const config = h.file('config.json', { mcpServers: { fixture: fixtureServer('--tools', 'echo', '--call-log', log, '--annotations', JSON.stringify({ echo: annotations })) } });
    const ran = () => (existsSync(log) ? lines(readFileSync(log, 'utf8')) : []);
    return { config, ran };
  }

  it('parallel calls are asked one after another; "no" and "explain" reach the model as declined, with the reason; nothing runs', async () => {
    const { config, ran } = setup({ destructiveHint: true, readOnlyHint: true });
    mock = await startMockLlm({ script: callsThenDone({ id: 'c1', name: 'echo', arguments: { text: 'first' } }, { id: 'c2', name: 'echo', arguments: { text: 'second' } }) });
    const t = openTerminal(['chat', '--config', config, '--endpoint-url', mock.url, '--model', 'test-model', 'Echo twice']);
    await t.waitFor(QUESTION);
    const first = t.screen();
    expect(first).toMatch(/\? fixture\/echo\s+server "fixture", not trusted; server "fixture" is not trusted/);
    expect(first).toMatch(/hints from the server \(unverified\): read-only, destructive/);
    expect(first).toMatch(/"text": "first"/);
    expect(first).not.toMatch(/"text": "second"/); // the second question waits for the first answer
    expect(await t.typeAndWait('n\r', QUESTION)).toMatch(/"text": "second"/);
    await t.typeAndWait('e\r', /Your reason, for the model \(Enter for none\): /);
    await t.typeAndWait('not on a Friday\r', /All done\./);
    expect(await t.exit).toBe(0);
    expect(ran()).toEqual([]);
    expect(toolMessages(mock)).toEqual([
      ['c1', 'The user declined this call to echo; it was not run.'],
      ['c2', "The user declined this call to echo; it was not run. The user's reason: not on a Friday"],
    ]);
  });

  it('long arguments are cut and [v] shows them whole; "always" allows the tool for the rest of the session (asked once for three calls)', async () => {
    const { config, ran } = setup();
    const long = `${'x'.repeat(300)}END`;
    mock = await startMockLlm({
      script: callsThenDone({ id: 'c1', name: 'echo', arguments: { text: long } }, { id: 'c2', name: 'echo', arguments: { text: 'b' } }, { id: 'c3', name: 'echo', arguments: { text: 'c' } }),
    });
    const t = openTerminal(['chat', '--config', config, '--endpoint-url', mock.url, '--model', 'test-model', 'Echo thrice']);
    await t.waitFor(QUESTION);
    expect(t.screen()).toMatch(/x… \(103 more characters: \[v\] shows all\)/);
    expect(t.screen()).not.toMatch(/xEND/);
    expect((await t.typeAndWait('v\r', QUESTION)).replace(/\r?\n/g, '')).toMatch(/xEND/);
    await t.typeAndWait('a\r', /All done\./);
    expect(await t.exit).toBe(0);
    expect(ran().map((line) => line.split(' ')[0])).toEqual(['echo', 'echo', 'echo']);
    expect(t.screen().match(/Run it\?/g)).toHaveLength(2); // the first question, and again after [v]
  });

  it('Ctrl+C at the question cancels the run: exit 130, the call never ran', async () => {
    const { config, ran } = setup();
    mock = await startMockLlm({ script: callsThenDone({ id: 'c1', name: 'echo', arguments: { text: 'x' } }) });
    const t = openTerminal(['chat', '--config', config, '--endpoint-url', mock.url, '--model', 'test-model', 'Echo']);
    await t.waitFor(QUESTION);
    t.type('\x03');
    expect(await t.exit).toBe(130);
    expect(ran()).toEqual([]);
    expect(mock.requests).toHaveLength(1);
  });

  it('in the interactive chat the question reads from the chat\'s own input; "y" runs the call once; the chat goes on', async () => {
    const { config, ran } = setup();
    mock = await startMockLlm({ script: callsThenDone({ id: 'c1', name: 'echo', arguments: { text: 'from the repl' } }) });
    const t = openTerminal(['chat', '--config', config, '--endpoint-url', mock.url, '--model', 'test-model']);
    await t.waitFor(/you> /);
    await t.typeAndWait('Echo please\r', QUESTION);
    await t.typeAndWait('y\r', /All done\.[\s\S]*you> /);
    expect(ran()).toEqual(['echo {"text":"from the repl"}']);
    expect(toolMessages(mock)).toEqual([['c1', 'from the repl']]);
    // "y" was an answer, not a message: the next message is the model's next request, asked again (once means once).
    await t.typeAndWait('Again\r', QUESTION);
    await t.typeAndWait('n\r', /All done\.[\s\S]*you> /);
    expect(messagesOf(mock.requests.at(-1)!).filter((m) => m.role === 'user').map((m) => m.content)).toEqual(['Echo please', 'Again']);
    expect(ran()).toHaveLength(1);
    t.type('\x04');
    expect(await t.exit).toBe(0);
  });

  it('in the interactive chat, Ctrl+C at the question cancels the turn (not run) and returns to the prompt', async () => {
    const { config, ran } = setup();
    mock = await startMockLlm({ script: (request) => (messagesOf(request).at(-1)?.content === 'Echo please' ? { toolCalls: [{ id: 'c1', name: 'echo', arguments: { text: 'x' } }] } : { text: 'Second turn.' }) });
    const t = openTerminal(['chat', '--config', config, '--endpoint-url', mock.url, '--model', 'test-model']);
    await t.waitFor(/you> /);
    await t.typeAndWait('Echo please\r', QUESTION);
    await t.typeAndWait('\x03', /turn cancelled[\s\S]*you> /);
    await t.typeAndWait('Hello again\r', /Second turn\.[\s\S]*you> /);
    expect(ran()).toEqual([]);
    // The cancelled turn was taken back: the second request has only the second message.
    expect(messagesOf(mock.requests.at(-1)!).map((m) => [m.role, m.content])).toEqual([['user', 'Hello again']]);
    t.type('\x04');
    expect(await t.exit).toBe(0);
  });

  it('a tool that appears mid-session is asked about on its first call even from a trusted server with readOnlyHint', async () => {
    const log = `${h.dir()}/calls.log`;
    const annotations = JSON.stringify({ exfiltrate: { readOnlyHint: true }, add_tool: { readOnlyHint: true } });
    const config = h.file('config.json', { mcpServers: { fixture: { ...fixtureServer('--tools', 'add_tool', '--call-log', log, '--annotations', annotations), trust: true } } });
    mock = await startMockLlm({
      script: (request) => {
        const done = messagesOf(request).filter((m) => m.role === 'tool').length;
        if (done === 0) return { toolCalls: [{ id: 'c1', name: 'add_tool', arguments: { name: 'exfiltrate' } }] };
        if (done === 1) return { toolCalls: [{ id: 'c2', name: 'exfiltrate', arguments: { text: 'the secrets' } }] };
        return { text: 'All done.' };
      },
    });
    const t = openTerminal(['chat', '--config', config, '--endpoint-url', mock.url, '--model', 'test-model', 'Go']);
    await t.waitFor(QUESTION);
    const screen = t.screen();
    expect(screen).toMatch(/\+ new tool from server "fixture": exfiltrate \(readOnly\)/);
    expect(screen).toMatch(/\? fixture\/exfiltrate[\s\S]*new: this tool appeared during the session/);
    expect(screen.match(/Run it\?/g)).toHaveLength(1); // add_tool (trusted, read-only, known at start) was not asked about
    t.type('n\r');
    expect(await t.exit).toBe(0);
    expect(lines(readFileSync(log, 'utf8')).map((line) => line.split(' ')[0])).toEqual(['add_tool']);
  });
});
