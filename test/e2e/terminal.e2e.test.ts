/**
 * The terminal renderer on a real pseudo-terminal (util-linux `script`, as in
 * repl.e2e.test.ts): tool progress and the retry countdown rewrite one status line; an
 * interrupt does not glue "Interrupted." to streamed text; leaving the chat ends its line.
 * The pty turns "\n" into "\r\n"; Ctrl+C is "\x03", Ctrl+D "\x04".
 */
import { afterEach, describe, expect, it } from 'vitest';
import { startMockLlm, type MockLlm, type MockLlmOptions, type RecordedRequest, type ScriptedReply } from '../support/mock-llm.js';
import { closeTerminals, openTerminal as openSharedTerminal, TERMINAL_MISSING } from '../support/terminal.js';
import { fixtureServer, useE2eHarness } from './harness.js';

const mocks: MockLlm[] = [];

/** The shared pseudo-terminal (test/support/terminal.ts), 120 columns wide. */
function openTerminal(args: string[]) {
  return openSharedTerminal(args, { env: { COLUMNS: '120' } });
}

async function mockLlm(options: MockLlmOptions): Promise<MockLlm> {
  const mock = await startMockLlm(options);
  mocks.push(mock);
  return mock;
}

afterEach(async () => {
  closeTerminals();
  for (const mock of mocks.splice(0)) await mock.close();
});

const CLEAR_LINE = '\r\u001b[2K';

describe.skipIf(TERMINAL_MISSING)('the terminal renderer on a TTY', () => {
  const h = useE2eHarness();

  it('shows tool progress on one line rewritten in place, then the result on a line of its own', async () => {
    const config = h.file('sleep.json', { mcpServers: { fixture: fixtureServer('--tools', 'sleep') } });
    const mock = await mockLlm({
      script: (request: RecordedRequest): ScriptedReply =>
        request.body.messages.at(-1).role === 'tool' ? { text: 'Slept.' } : { toolCalls: [{ name: 'sleep', arguments: { ms: 700, progress: true } }] },
    });
    const t = openTerminal(['chat', '--config', config, '--endpoint-url', mock.url, '--model', 'test-model', '--yes', 'Sleep a bit']);
    expect(await t.exit).toBe(0);
    const screen = t.screen();
    // The activity line: a spinner, the call, its progress and its elapsed time.
    expect(screen).toMatch(new RegExp(`${CLEAR_LINE.replace(/[[\]\\]/g, '\\$&')}[⠋⠙⠹⠸⠼⠴⠦⠧⠇⠏] sleep \\d+/700 slept \\d+ ms \\(\\d+\\.\\d s\\)`));
    // No progress update ends with a newline: each is replaced by the next, or cleared.
    expect(screen).not.toMatch(/ sleep \d+\/700 [^\r\n\u001b]*\r?\n/);
    expect(screen).toMatch(new RegExp(`${CLEAR_LINE.replace(/[[\]\\]/g, '\\$&')}← sleep \\d+ ms slept 700 ms\\r?\\n`));
    expect(screen).toMatch(/Slept\.\r?\n/);
  });

  it('counts down to a model retry on one line, then leaves a plain line saying what happened', async () => {
    const config = h.file('echo.json', { mcpServers: { fixture: fixtureServer('--tools', 'echo') } });
    const mock = await mockLlm({ script: [{ fault: 'http', status: 429, retryAfterSeconds: 3 }, { text: 'Answer after the wait.' }] });
    const t = openTerminal(['chat', '--config', config, '--endpoint-url', mock.url, '--model', 'test-model', '--yes', 'Hello']);
    expect(await t.exit).toBe(0);
    const screen = t.screen();
    const counts = [...screen.matchAll(/↻ model request failed \([^)]*\); retry 1 in (\d+) s/g)].map((m) => Number(m[1]));
    expect(counts.length, JSON.stringify(screen)).toBeGreaterThanOrEqual(2);
    expect(counts[0]).toBeGreaterThanOrEqual(3);
    expect(counts.at(-1)!).toBeLessThan(counts[0]!);
    expect(counts).toEqual([...counts].sort((a, b) => b - a));
    // The countdown is rewritten in place; what stays is one plain line, before the answer.
    expect(screen).not.toMatch(/retry 1 in \d+ s\r?\n/);
    expect(screen).toMatch(/↻ model request failed \([^)]*\); retry 1 after \d+\.\d s\r?\n[\s\S]*Answer after the wait\./);
  });

  it('a request that fails for good after a countdown: the error starts a line of its own, exit 1', async () => {
    const config = h.file('echo.json', { mcpServers: { fixture: fixtureServer('--tools', 'echo') } });
    const mock = await mockLlm({ script: [{ fault: 'http', status: 429, retryAfterSeconds: 2 }, { fault: 'http', status: 500 }] });
    const t = openTerminal(['chat', '--config', config, '--endpoint-url', mock.url, '--model', 'test-model', '--yes', '--retries', '1', 'Hello']);
    expect(await t.exit).toBe(1);
    expect(t.screen()).toMatch(/retry 1 after \d+\.\d s\r?\nswitchboard: /);
  });

  it('Ctrl+C while an answer streams: "Interrupted." starts a line of its own, exit 130', async () => {
    const mock = await mockLlm({ script: [{ text: 'Once upon a time there was a very long story that never ends in time.', chunkSize: 4, delayMs: 300 }] });
    const config = h.file('echo.json', { mcpServers: { fixture: fixtureServer('--tools', 'echo') } });
    const t = openTerminal(['chat', '--config', config, '--endpoint-url', mock.url, '--model', 'test-model', '--yes', 'Tell me a story']);
    await t.waitFor(/Once/);
    t.type('\x03');
    expect(await t.exit).toBe(130);
    const screen = t.screen();
    expect(screen).toMatch(/Once[^\r\n]*(\^C)?\r?\nInterrupted\.\r?\n/);
    expect(screen).not.toMatch(/[^\n]Interrupted\./);
  });

  it('leaving the interactive chat with Ctrl+D ends the prompt line', async () => {
    const t = openTerminal(['chat', '--model', 'scripted:config/demo.script.json']);
    await t.waitFor(/you> /);
    t.type('\x04');
    expect(await t.exit).toBe(0);
    // readline may put the cursor back first; bracketed paste is switched off as the chat leaves
    expect(t.screen()).toMatch(/you> (\u001b\[\d+G)?(\u001b\[\?2004l)?\r?\n(\u001b\[\?2004l)?$/);
  });
});
