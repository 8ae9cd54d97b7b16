/**
 * `switchboard sessions` and `switchboard trace` through the built CLI, on session files
 * written by the real writer (a recorded run with the temperature server and the loopback
 * model: test/support/record-session.ts). The sessions folder comes from XDG_STATE_HOME.
 */
import { spawnSync } from 'node:child_process';
import { appendFileSync, copyFileSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newSessionId } from '../../src/session/paths.js';
import { SessionWriter } from '../../src/session/writer.js';
import { cliEnv, runCli } from '../support/cli.js';
import { CLI_PATH } from '../support/paths.js';
import { recordRealSession } from '../support/record-session.js';

const state = mkdtempSync(join(tmpdir(), 'switchboard-state-'));
const sessions = join(state, 'switchboard', 'sessions');
const env = { XDG_STATE_HOME: state };
const recentId = newSessionId(new Date(Date.UTC(2026, 10, 2, 10, 0)));
const olderId = newSessionId(new Date(Date.UTC(2026, 10, 1, 9, 0)));
let toolCalls = 0;

beforeAll(async () => {
  const run = await recordRealSession(join(sessions, `${recentId}.jsonl`));
  toolCalls = run.toolCalls;
  const older = new SessionWriter(join(sessions, `${olderId}.jsonl`), () => Date.UTC(2026, 10, 1, 9, 0));
  older.start({ model: 'other-model', servers: [] });
  older.syncHistory([{ role: 'user', content: 'an older\nquestion \u001b[31mred' }]);
  older.close();
}, 60_000);

afterAll(() => rmSync(state, { recursive: true, force: true }));

const countOf = (text: string, needle: string) => text.split(needle).length - 1;

describe('switchboard sessions', () => {
  it('lists the sessions newest first with start time, turns and first prompt', async () => {
    const r = await runCli(['sessions'], { env });
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const lines = r.stdout.trimEnd().split('\n');
    expect(lines[0]).toMatch(/^ID\s+STARTED\s+TURNS\s+FIRST PROMPT$/);
    expect(lines[1]).toMatch(new RegExp(`^${recentId}\\s+\\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d\\s+2\\s+How warm is it in Paris and San Francisco\\?$`));
    // The prompt is shown on one line, with no escape sequence reaching the terminal.
    expect(lines[2]).toMatch(new RegExp(`^${olderId}\\s+.*\\s1\\s+an older question .*red$`));
    expect(r.stdout).not.toContain('\u001b');
  });

  it('--json lists the same sessions as data', async () => {
    const r = await runCli(['sessions', '--json'], { env });
    expect(r.code).toBe(0);
    const list = JSON.parse(r.stdout) as Array<{ id: string; turns: number; model?: string }>;
    expect(list.map((s) => [s.id, s.turns, s.model])).toEqual([
      [recentId, 2, 'test-model'],
      [olderId, 1, 'other-model'],
    ]);
  });

  it('says so when there is none yet', async () => {
    const empty = mkdtempSync(join(tmpdir(), 'switchboard-state-'));
    try {
      const r = await runCli(['sessions'], { env: { XDG_STATE_HOME: empty } });
      expect(r.code).toBe(0);
      expect(r.stdout).toMatch(/^No sessions recorded yet \(folder: .*switchboard\/sessions\)\.$/m);
    } finally {
      rmSync(empty, { recursive: true, force: true });
    }
  });
});

describe('switchboard trace', () => {
  it('writes the HTML page of a session named by id, one tool-call arrow per call', async () => {
    const r = await runCli(['trace', recentId], { env });
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout.startsWith('<!DOCTYPE html>')).toBe(true);
    expect(toolCalls).toBe(4);
    expect(countOf(r.stdout, 'data-kind="tool-call"')).toBe(toolCalls);
    expect(r.stdout).not.toMatch(/<script|<img|<iframe/i);
    expect(r.stdout).toContain('temperature (1 tool)');
  });

  it('takes a path too, and skips a torn last line with a warning', async () => {
    const copy = join(state, 'copy.jsonl');
    copyFileSync(join(sessions, `${recentId}.jsonl`), copy);
    appendFileSync(copy, '{"type":"tool_call","t":1,"id":"cut sh');
    const r = await runCli(['trace', copy], { env });
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/copy\.jsonl: the last line \(\d+\) was cut short, probably by a crash; it was skipped\./);
    expect(countOf(r.stdout, 'data-kind="tool-call"')).toBe(toolCalls);
  });

  it('an unknown session is a usage error that says how to find one', async () => {
    const r = await runCli(['trace', 'no-such-session'], { env });
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(/^switchboard: No session "no-such-session": it is neither a file nor an id in .*\. Run "switchboard sessions" to list the recorded ones\.\n$/);
  });

  it('a file that is not a session is a usage error, without a stack trace', async () => {
    const other = join(state, 'notes.jsonl');
    writeFileSync(other, '{"hello": "world"}\n');
    const r = await runCli(['trace', other], { env });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/is not a Switchboard session file \(no session_start record in it\)/);
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });

  it('refuses to print the page to a terminal (a pseudo-terminal via script(1))', () => {
    const r = spawnSync('script', ['-qec', `${process.execPath} ${CLI_PATH} trace ${recentId}`, '/dev/null'], { env: cliEnv(env), encoding: 'utf8', timeout: 20_000, stdio: ['ignore', 'pipe', 'pipe'] });
    expect(r.status).toBe(2);
    expect(r.stdout).toContain(`The trace is an HTML page: send it to a file, e.g. switchboard trace ${recentId} > trace.html`);
    expect(r.stdout).not.toContain('<html');
  });

  it('a missing argument is a usage error', async () => {
    const r = await runCli(['trace'], { env });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/Not enough non-option arguments: got 0, need at least 1/);
  });
});
