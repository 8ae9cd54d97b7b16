/**
 * The question asked before a project config is used for the first time (or after it
 * changed): what the file would start and where it would send things, then one y/N
 * question on stderr. Nothing has been expanded or started when it is asked; only "y"
 * or "yes" approves, anything else (Enter included) declines.
 */
import { createInterface } from 'node:readline/promises';
import { SwitchboardError } from '../errors.js';

export async function askTrust(path: string, changed: boolean, summary: readonly string[]): Promise<boolean> {
  const out = process.stderr;
  out.write(`${changed ? 'This config has changed since you trusted it' : 'This config was found in the current folder and is not trusted yet'}:\n  ${path}\n`);
  out.write('It would:\n');
  for (const line of summary) out.write(`  - ${line}\n`);
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
