/**
 * On the terminal (issue 10): the built CLI in a real pseudo-terminal shows what it waits for
 * (a spinner with the elapsed time while servers start, while the model has not answered,
 * while tools run), the model's reasoning dimmed above the answer, one line per tool call
 * start and end, and a summary line after the turn; `--no-progress`, `TERM=dumb`,
 * `--hide-reasoning` and config `showReasoning: false` turn their parts off; and none of it
 * appears when stderr is not a terminal. Assertions are on the order of what the screen
 * shows, never on durations.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { startMockLlm, type MockLlm, type RecordedRequest, type ScriptedReply } from '../support/mock-llm.js';
import { closeTerminals, openTerminal, TERMINAL_MISSING } from '../support/terminal.js';
import { fixtureServer, useE2eHarness } from './harness.js';

const CLEAR_LINE = '\r\u001b[2K';
const SPINNER = /[⠋⠙⠹⠸⠼⠴⠦⠧⠇⠏]/;
const escape = (text: string) => text.replace(/[[\]\\()|.*+?^$]/g, '\\$&');
/** The screen without colours (the pty's `\r\n` kept). */
const plain = (screen: string) => screen.replace(/\u001b\[[0-9;]*m/g, '');

const mocks: MockLlm[] = [];
afterEach(async () => {
  closeTerminals();
  for (const mock of mocks.splice(0)) await mock.close();
});

/** A model that thinks, calls echo, then thinks again and answers. */
async function thinkingModel(): Promise<MockLlm> {
  const mock = await startMockLlm({
    script: (request: RecordedRequest): ScriptedReply =>
      request.body.messages.at(-1).role === 'tool'
        ? { reasoning: 'The echo came back.', text: 'The answer is hi.' }
        : { reasoning: 'I should echo the word.', toolCalls: [{ name: 'echo', arguments: { text: 'hi' } }] },
  });
  mocks.push(mock);
  return mock;
}

describe.skipIf(TERMINAL_MISSING)('activity on a real terminal', () => {
  const h = useE2eHarness();
  const slowConfig = () => h.file('slow.json', { mcpServers: { fixture: fixtureServer('--tools', 'echo', '--slow-start', '1500') } });

  it('a spinner while the server starts and while the model is waited for, gone after; reasoning dimmed; call lines; a summary', async () => {
    const mock = await thinkingModel();
    const t = openTerminal(['chat', '--config', slowConfig(), '--endpoint-url', mock.url, '--model', 'test-model', '--yes', 'Echo hi'], { env: { NO_COLOR: undefined, COLUMNS: '120' } });
    expect(await t.exit, t.screen()).toBe(0);
    const screen = t.screen();
    const text = plain(screen);
    // Servers starting: the line names the server and its elapsed time, redrawn in place (never ended by a newline).
    const starts = [...text.matchAll(/\r\u001b\[2K[⠋⠙⠹⠸⠼⠴⠦⠧⠇⠏] starting 1 server: fixture \((\d+\.\d) s\)/g)];
    expect(starts.length, JSON.stringify(screen)).toBeGreaterThanOrEqual(2);
    expect(text).not.toMatch(/starting 1 server[^\r\n\u001b]*\r?\n/);
    // ...and erased before anything else is written.
    const afterStart = text.slice(starts.at(-1)!.index! + starts.at(-1)![0].length);
    expect(afterStart.startsWith(CLEAR_LINE), JSON.stringify(afterStart.slice(0, 80))).toBe(true);
    // Waiting for the model, then the reasoning, dimmed and marked, above the call and the answer.
    expect(text).toMatch(new RegExp(`${escape(CLEAR_LINE)}${SPINNER.source} waiting for the model \\(\\d+\\.\\d s\\)`));
    expect(screen).toContain('\u001b[2mthinking: \u001b[22m');
    const order = ['thinking: ', 'I should echo the word.', '→ fixture/echo {"text":"hi"}', '← echo ', 'The echo came back.', 'The answer is hi.', '2 model calls · 1 tool call · '];
    const positions = order.map((part) => text.indexOf(part));
    expect(positions, JSON.stringify(text)).not.toContain(-1);
    expect(positions).toEqual([...positions].sort((a, b) => a - b));
    expect(text).toMatch(/← echo \d+ ms hi\r\n/);
    // The summary: provider usage (no ~), then the wall time; the last line on the screen.
    expect(text).toMatch(/2 model calls · 1 tool call · \d[\d,]* in \/ \d[\d,]* out tokens · \d+\.\d s\r\n$/);
    // No spinner is left on screen: nothing after the summary line.
    expect(text.slice(text.lastIndexOf('model calls'))).not.toMatch(SPINNER);
  });

  it('--no-progress: no spinner at all; --hide-reasoning: no reasoning; the call lines and the summary stay', async () => {
    const mock = await thinkingModel();
    const t = openTerminal(['chat', '--config', slowConfig(), '--endpoint-url', mock.url, '--model', 'test-model', '--yes', '--no-progress', '--hide-reasoning', 'Echo hi']);
    expect(await t.exit, t.screen()).toBe(0);
    const text = plain(t.screen());
    expect(text).not.toMatch(SPINNER);
    expect(text).not.toMatch(/starting 1 server|waiting for the model|thinking|I should echo/);
    expect(text).toMatch(/→ fixture\/echo \{"text":"hi"\}[\s\S]*The answer is hi\.[\s\S]*2 model calls · 1 tool call/);
  });

  it('TERM=dumb: no spinner (the line cannot be rewritten); config showReasoning false hides the reasoning', async () => {
    const mock = await thinkingModel();
    const config = h.file('quiet.json', { showReasoning: false, mcpServers: { fixture: fixtureServer('--tools', 'echo', '--slow-start', '500') } });
    const t = openTerminal(['chat', '--config', config, '--endpoint-url', mock.url, '--model', 'test-model', '--yes', 'Echo hi'], { env: { TERM: 'dumb' } });
    expect(await t.exit, t.screen()).toBe(0);
    const text = plain(t.screen());
    expect(text).not.toMatch(SPINNER);
    expect(text).not.toContain(CLEAR_LINE);
    expect(text).not.toMatch(/thinking|I should echo/);
    expect(text).toMatch(/The answer is hi\./);
  });

  it('a model that reports no usage: the token counts are estimated and marked ~', async () => {
    const t = openTerminal(['chat', '--model', 'scripted:config/demo.script.json', 'What is the temperature in San Francisco?']);
    expect(await t.exit, t.screen()).toBe(0);
    expect(plain(t.screen())).toMatch(/2 model calls · 1 tool call · ~\d[\d,]* in \/ ~\d[\d,]* out tokens · \d+\.\d s/);
  });

  it('the REPL: the wait for the model spins until Ctrl+C cancels the turn; after that no spinner is drawn over the prompt', async () => {
    const mock = await startMockLlm({ script: [{ fault: 'hang' }] });
    mocks.push(mock);
    const config = h.file('echo.json', { mcpServers: { fx: fixtureServer('--tools', 'echo') } });
    const t = openTerminal(['chat', '--config', config, '--endpoint-url', mock.url, '--model', 'test-model', '--yes']);
    await t.waitFor(/you> /);
    const mark = t.screen().length;
    t.type('Hello?\r');
    await t.waitFor(new RegExp(`${SPINNER.source} waiting for the model \\(\\d+\\.\\d s\\)`), mark);
    t.type('\x03');
    await t.waitFor(/turn cancelled[\s\S]*you> /, mark);
    const cancelled = t.screen().length;
    t.type('/help\r');
    await t.waitFor(/Commands:[\s\S]*you> /, cancelled);
    expect(t.screen().slice(cancelled)).not.toMatch(SPINNER);
    t.type('\x04');
    expect(await t.exit).toBe(0);
  });

  it('stderr not a terminal: no spinner, no reasoning, no summary, the plain call lines', async () => {
    const mock = await thinkingModel();
    const r = await h.run(['chat', '--config', slowConfig(), '--endpoint-url', mock.url, '--model', 'test-model', '--yes', 'Echo hi'], { env: { NO_COLOR: undefined, FORCE_COLOR: '1' } });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toBe('The answer is hi.\n');
    const err = plain(r.stderr);
    expect(err).not.toMatch(SPINNER);
    expect(err).not.toContain('\u001b[2K');
    expect(err).not.toMatch(/starting 1 server|waiting for the model|thinking|I should echo|model calls/);
    expect(err).toMatch(/→ echo \[fixture\] \{"text":"hi"\}\n← echo \(\d+ ms\) hi\n/);
  });
});
