/**
 * The question asked before a project config is used for the first time (or after it
 * changed): what the file would start and where it would send things, then one y/N
 * question on stderr. Nothing has been expanded or started when it is asked; only "y"
 * or "yes" approves, anything else (Enter included) declines.
 */
import { createInterface } from 'node:readline/promises';
import { SwitchboardError } from '../errors.js';
import { terminalSafe } from './sanitize.js';

/**
 * The summary (config/summary.ts) as bullet lines. Its lines carry the untrusted file's text
 * raw: each is made terminal-safe and kept on one line here (a U+202E in a server name shows
 * as `<U+202E>`, an escape sequence is removed, a newline shows as `␊`).
 */
export function summaryBullets(summary: readonly string[]): string {
  return summary.map((line) => `  - ${terminalSafe(line, { singleLine: true })}\n`).join('');
}

export async function askTrust(path: string, changed: boolean, summary: readonly string[]): Promise<boolean> {
  const out = process.stderr;
  out.write(`${changed ? 'This config has changed since you trusted it' : 'This config was found in the current folder and is not trusted yet'}:\n  ${terminalSafe(path, { singleLine: true })}\n`);
  out.write(`It would:\n${summaryBullets(summary)}`);
  const rl = createInterface({ input: process.stdin, output: out, terminal: true });
  // In raw mode Ctrl+C reaches readline, not the process: it cancels the question.
  const cancel = new AbortController();
  rl.on('SIGINT', () => cancel.abort());
  try {
    const answer = await rl.question('Trust this config and start its servers? [y/N] ', { signal: cancel.signal });
    return /^\s*y(es)?\s*$/i.test(answer);
  } catch (error) {
    if (cancel.signal.aborted) throw new SwitchboardError('INTERRUPTED', 'Interrupted.');
    throw error;
  } finally {
    rl.close();
  }
}
