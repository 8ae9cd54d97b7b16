/**
 * Crash safety of the session file: a child process writes a session through the real
 * writer in a tight loop and is SIGKILLed at 20 random moments. Each time, every line but
 * the last must parse, and the resumed history must be one a provider accepts: roles in
 * order, every assistant tool call followed by exactly one tool message per call, every
 * user message answered, no user message lost.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { ChatMessage } from '../../src/llm/model.js';
import { readSessionFile } from '../../src/session/reader.js';
import { historyFromSession } from '../../src/session/resume.js';
import { REPO_ROOT } from '../support/paths.js';

const CHILD = resolve(REPO_ROOT, 'dist/test/support/session-crash-child.js');
const dir = mkdtempSync(join(tmpdir(), 'switchboard-crash-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Starts the writer, waits for its header, lets it write for `delayMs`, then SIGKILLs it. */
async function writeAndKill(path: string, delayMs: number): Promise<void> {
  const child = spawn(process.execPath, [CHILD, path], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = new Promise<NodeJS.Signals | null>((resolveExit) => child.once('exit', (_code, signal) => resolveExit(signal)));
  await new Promise<void>((resolveReady, rejectReady) => {
    child.stdout.on('data', (chunk: Buffer) => {
      if (chunk.toString().includes('ready')) resolveReady();
    });
    child.once('exit', () => rejectReady(new Error(`the writer exited before it was killed:\n${stderr}`)));
  });
  await new Promise((r) => setTimeout(r, delayMs));
  child.kill('SIGKILL');
  expect(await exited, stderr).toBe('SIGKILL');
}

/** Throws with the reason when `history` is not a well-formed conversation. */
function checkConversation(history: readonly ChatMessage[]): void {
  let i = history[0]?.role === 'system' ? 1 : 0;
  while (i < history.length) {
    expect(history[i]!.role, `message ${i} should be a user message`).toBe('user');
    i++;
    // The answer: rounds of tool calls with all their results, then a plain assistant message.
    for (;;) {
      const message = history[i];
      expect(message?.role, `message ${i} should be the assistant's`).toBe('assistant');
      i++;
      if (message?.role !== 'assistant' || !message.toolCalls?.length) break;
      for (const call of message.toolCalls) {
        const reply = history[i];
        expect(reply, `tool call ${call.id} has no tool message`).toMatchObject({ role: 'tool', toolCallId: call.id });
        i++;
      }
    }
  }
}

describe('session file after SIGKILL', () => {
  it('parses up to the last line and resumes into a valid history, 20 random kills', { timeout: 120_000 }, async () => {
    let repaired = 0;
    for (let run = 0; run < 20; run++) {
      const path = join(dir, `run-${run}.jsonl`);
      await writeAndKill(path, Math.floor(Math.random() * 40));
      const { records, warnings } = readSessionFile(path);
      // Only the last line may be damaged.
      expect(warnings.filter((w) => !/the last line/.test(w)), `run ${run}`).toEqual([]);
      expect(records[0]?.type, `run ${run}: the header comes first`).toBe('session_start');
      const resumed = historyFromSession(records);
      checkConversation(resumed.history);
      const users = records.filter((r) => r.type === 'message' && (r as { message: ChatMessage }).message.role === 'user').length;
      expect(resumed.history.filter((m) => m.role === 'user'), `run ${run}: no question lost`).toHaveLength(users);
      if (resumed.warnings.length > 0) repaired++;
    }
    // The kills land mid-turn most of the time (a turn is ~10-30 records): the repairs ran.
    expect(repaired).toBeGreaterThan(0);
  });
});
