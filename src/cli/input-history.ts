/**
 * The interactive chat's input history across runs (the up and down arrows): the lines typed,
 * newest first, one per line, in `history` in Switchboard's state folder (mode 0o600: it
 * holds what was typed). Reading a missing or unreadable file gives an empty history; a
 * failed write is reported once and the chat goes on.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { defaultStateDir } from '../session/paths.js';
import { HISTORY_SIZE } from './repl-input.js';

export function inputHistoryPath(env: NodeJS.ProcessEnv = process.env): string {
  return join(defaultStateDir(env), 'history');
}

export function loadInputHistory(path: string): string[] {
  try {
    return readFileSync(path, 'utf8').split('\n').filter(Boolean).slice(0, HISTORY_SIZE);
  } catch {
    return [];
  }
}

/** A saver for `MessageReader`'s `onHistory`; `warn` hears of the first failure only. */
export function inputHistorySaver(path: string, warn: (message: string) => void): (history: string[]) => void {
  let failed = false;
  return (history) => {
    if (failed) return;
    try {
      mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
      writeFileSync(path, history.map((line) => `${line}\n`).join(''), { mode: 0o600 });
    } catch (error) {
      failed = true;
      warn(`the input history could not be saved to ${path} (${(error as Error).message}).`);
    }
  };
}
