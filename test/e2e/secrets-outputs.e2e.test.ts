/**
 * A config secret that a server hands back in a tool result, and the model then repeats (in
 * a tool call's arguments and in its answer), is masked (`***`) in every output of the run:
 * stdout, stderr (the tool lines, --verbose server stderr), the --log-file, the session file,
 * and the trace page made from that session; with and without --json; and at a terminal
 * (the call lines cut to the width, the approval question's arguments, the streamed answer).
 * Built CLI, loopback model, the fixture server as a child process.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startMockLlm, type MockLlm } from '../support/mock-llm.js';
import { closeTerminals, openTerminal, TERMINAL_MISSING } from '../support/terminal.js';
import { fixtureServer, lines, useE2eHarness } from './harness.js';
import { leakyModel } from './leaky-model.js';

const h = useE2eHarness();
afterEach(closeTerminals);

/** Letters, digits and dashes only: HTML escaping (the trace page) leaves it as it is, so a leak would show. */
const SECRET = 'sbE2eLeakCanary-0123456789-xyz';

const script = leakyModel({ ids: true });

describe('a secret a server echoes back in a tool result', () => {
  let mock: MockLlm;
  beforeAll(async () => {
    mock = await startMockLlm({ script });
  });
  afterAll(async () => {
    await mock.close();
  });

  function setup() {
    const server = fixtureServer('--tools', 'echo', '--env-tool', '--echo-env', 'API_KEY');
    const config = h.file('leaky.json', { mcpServers: { leaky: { ...server, env: { API_KEY: '${env:SB_E2E_SECRET}' } } } });
    const dir = h.dir();
    return { config, log: join(dir, 'run.log'), session: join(dir, 'chat.jsonl') };
  }

  /** The session file and log: the secret nowhere, `***` in its place; then the trace page of the session. */
  async function checkFiles(files: { log: string; session: string }): Promise<void> {
    const session = readFileSync(files.session, 'utf8');
    const log = readFileSync(files.log, 'utf8');
    expect(session).toContain('"API_KEY=***"');
    expect(log).toContain('API_KEY=***');
    for (const text of [session, log]) expect(text).not.toContain(SECRET);
    const deltas = lines(session).map((line) => JSON.parse(line) as { type: string; text?: string }).filter((r) => r.type === 'text_delta');
    expect(deltas.map((r) => r.text).join('')).toBe('The key is ***.');
    // Still JSON lines.
    for (const line of lines(session)) JSON.parse(line);
    const trace = await h.run(['trace', files.session]);
    expect(trace.code, trace.stderr).toBe(0);
    expect(trace.stdout).toContain('API_KEY=***');
    expect(trace.stdout).not.toContain(SECRET);
    expect(trace.stderr).not.toContain(SECRET);
  }

  it('is masked on stdout, in the tool lines and --verbose output on stderr, the log, the session file and its trace', async () => {
    const files = setup();
    const args = ['chat', '--config', files.config, '--endpoint-url', mock.url, '--model', 'm', '--yes', '--verbose', '--log-file', files.log, '--log-level', 'debug', '--session', files.session, 'What is the key?'];
    const r = await h.run(args, { cwd: h.dir(), env: { SB_E2E_SECRET: SECRET } });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toBe('The key is ***.\n');
    // The tool lines: the result of env_value, the call of echo with the value as its argument, and its result.
    expect(r.stderr).toContain('API_KEY=***');
    expect(r.stderr).toMatch(/→ echo \[leaky\] \{"text":"\*\*\*"\}/);
    expect(r.stderr).toMatch(/← echo \(\d+ ms\) \*\*\*/);
    expect(r.stderr).toContain('[leaky] fixture env API_KEY=***');
    expect(r.stdout).not.toContain(SECRET);
    expect(r.stderr).not.toContain(SECRET);
    await checkFiles(files);
  });

  it('is masked with --json too (events, session file, log, trace)', async () => {
    const files = setup();
    const args = ['chat', '--json', '--config', files.config, '--endpoint-url', mock.url, '--model', 'm', '--yes', '--verbose', '--log-file', files.log, '--session', files.session, 'What is the key?'];
    const r = await h.run(args, { cwd: h.dir(), env: { SB_E2E_SECRET: SECRET } });
    expect(r.code, r.stderr).toBe(0);
    const events = lines(r.stdout).map((line) => JSON.parse(line) as { type: string; text?: string; arguments?: unknown });
    expect(events.find((e) => e.type === 'tool_call' && JSON.stringify(e.arguments) === '{"text":"***"}')).toBeDefined();
    expect(events.find((e) => e.type === 'final')?.text).toBe('The key is ***.');
    // The answer streams in 8-character deltas, which split the secret: the deltas are re-cut, so they add up to the masked answer.
    expect(events.filter((e) => e.type === 'text_delta').map((e) => e.text).join('')).toBe('The key is ***.');
    expect(r.stdout).not.toContain(SECRET);
    expect(r.stderr).not.toContain(SECRET);
    await checkFiles(files);
  });

  it.skipIf(TERMINAL_MISSING)('is masked at a terminal: the approval question, the call lines and the streamed answer', async () => {
    const files = setup();
    const question = /Run it\? \[y\]es once/;
    const t = openTerminal(['chat', '--config', files.config, '--endpoint-url', mock.url, '--model', 'm', '--session', files.session, 'What is the key?'], { env: { SB_E2E_SECRET: SECRET } });
    await t.waitFor(question);
    // The second call's arguments are the secret the model read: the question shows them masked.
    expect(await t.typeAndWait('y\r', question)).toMatch(/"text": "\*\*\*"/);
    await t.typeAndWait('y\r', /The key is \*\*\*\./);
    expect(await t.exit).toBe(0);
    const screen = t.screen();
    expect(screen).toMatch(/→ leaky\/echo .*\{"text":"\*\*\*"\}/);
    expect(screen).toMatch(/← env_value \d+ ms API_KEY=\*\*\*/);
    expect(screen).not.toContain(SECRET);
    // The session it recorded, approvals of the secret argument included.
    const session = readFileSync(files.session, 'utf8');
    expect(session).toContain('"API_KEY=***"');
    expect(session).toMatch(/"type":"approval_requested"[^\n]*"text":"\*\*\*"/);
    expect(session).not.toContain(SECRET);
  });
});
