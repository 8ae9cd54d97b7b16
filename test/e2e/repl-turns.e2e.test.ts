/**
 * The interactive chat after a turn goes wrong, and what it keeps, in a real pseudo-terminal
 * (util-linux `script`):
 * - a turn taken back out of the history (a failed request, an empty reply) is announced
 *   ("your message was not kept: ... send it again"), and the next request holds no trace of it;
 * - an error line masks the config's secrets as one-shot chat does;
 * - the answer to a question (an approval) stays out of the input history file and the up arrow.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { freePort } from '../support/server-processes.js';
import { startMockLlm, type MockLlm, type ScriptedReply, messagesOf } from '../support/mock-llm.js';
import { closeTerminals, openTerminal, TERMINAL_MISSING } from '../support/terminal.js';
import { fixtureServer, lines, useE2eHarness } from './harness.js';

afterEach(closeTerminals);

const QUESTION = /Run it\? \[y\]es once/;

describe.skipIf(TERMINAL_MISSING)('the interactive chat after a failed turn', () => {
  const h = useE2eHarness();
  let mock: MockLlm | undefined;
  afterEach(async () => {
    await mock?.close();
    mock = undefined;
  });

  it('says the message was not kept after a failed request and after an empty reply; the resent message follows the last answer', async () => {
    const replies: ScriptedReply[] = [{ text: 'Hello.' }, { fault: 'http', status: 500 }, { fault: 'empty' }, { fault: 'empty' }, { text: 'Sunny.' }];
    mock = await startMockLlm({ script: (_request, index) => replies[index] ?? { text: 'unexpected' } });
    const config = h.file('config.json', { mcpServers: {} });
    const t = openTerminal(['chat', '--config', config, '--endpoint-url', mock.url, '--model', 'test-model', '--retries', '0'], { env: { XDG_STATE_HOME: h.dir() } });
    await t.waitFor(/you> /);
    await t.typeAndWait('hi\r', /Hello\.[\s\S]*you> /);
    await t.typeAndWait('weather?\r', /✗ [^\n]*500[\s\S]*your message was not kept: the turn failed; send it again[\s\S]*you> /);
    await t.typeAndWait('weather??\r', /empty reply[\s\S]*your message was not kept: the model gave no answer; send it again[\s\S]*you> /);
    await t.typeAndWait('weather, please?\r', /Sunny\.[\s\S]*you> /);
    expect(messagesOf(mock.requests.at(-1)!).map((m) => [m.role, m.content])).toEqual([
      ['user', 'hi'],
      ['assistant', 'Hello.'],
      ['user', 'weather, please?'],
    ]);
    t.type('\x04');
    expect(await t.exit).toBe(0);
  });

  it("masks the config's secrets in the error line (a refused endpoint whose URL holds one), as one-shot chat does", async () => {
    const secret = 'repl-secret-4d1f9';
    const config = h.file('config.json', { endpointUrl: `http://127.0.0.1:${await freePort()}/\${env:SB_E2E_SECRET}/v1`, mcpServers: {} });
    const t = openTerminal(['chat', '--config', config, '--model', 'test-model', '--retries', '0'], { env: { SB_E2E_SECRET: secret, XDG_STATE_HOME: h.dir() } });
    await t.waitFor(/you> /);
    expect(await t.typeAndWait('hello\r', /✗ [^\n]*ECONNREFUSED[\s\S]*you> /)).toMatch(/✗ [^\n]*127\.0\.0\.1:\d+\/\*\*\*\/v1/);
    expect(t.screen()).not.toContain(secret);
    t.type('\x04');
    expect(await t.exit).toBe(0);
  });

  it('keeps the answer to an approval question out of the input history (the file and the up arrow)', async () => {
    // Calls echo after each user message, answers once the tool message is back.
    mock = await startMockLlm({ script: (request) => (messagesOf(request).at(-1)?.role === 'tool' ? { text: 'All done.' } : { toolCalls: [{ name: 'echo', arguments: { text: 'x' } }] }) });
    const config = h.file('config.json', { mcpServers: { fixture: fixtureServer('--tools', 'echo') } });
    const state = h.dir();
    const t = openTerminal(['chat', '--config', config, '--endpoint-url', mock.url, '--model', 'test-model', '--approval', 'ask'], { env: { XDG_STATE_HOME: state } });
    await t.waitFor(/you> /);
    await t.typeAndWait('Echo please\r', QUESTION);
    await t.typeAndWait('y\r', /All done\.[\s\S]*you> /);
    const historyFile = join(state, 'switchboard', 'history');
    expect(lines(readFileSync(historyFile, 'utf8'))).toEqual(['Echo please']);

    // The up arrow brings back the message, not the answer typed after it.
    await t.typeAndWait('\x1b[A\r', QUESTION);
    const users = messagesOf(mock.requests.at(-1)!).filter((m) => m.role === 'user').map((m) => m.content);
    expect(users).toEqual(['Echo please', 'Echo please']);
    await t.typeAndWait('n\r', /All done\.[\s\S]*you> /);
    t.type('\x04');
    expect(await t.exit).toBe(0);
    expect(lines(readFileSync(historyFile, 'utf8'))).toEqual(['Echo please']);
  });
});
