/**
 * The chat's recording flags (`--session`, `--no-session`, `--resume`, `--trace`) and their
 * checks, made before anything starts. Apart from the recording itself (recording.ts), which
 * is loaded while the servers start.
 */
import { existsSync, statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { UserInputError } from '../errors.js';

export interface RecordingFlags {
  /** A path; `false` for --no-session; undefined for the default. */
  session?: string | false;
  /** An id, a path, `latest`, or '' (the flag without a value: the latest). */
  resume?: string;
  /** Where the trace page goes. */
  trace?: string;
}

/** Checks the flags before anything starts; throws usage errors that say what to do. */
export function checkRecordingFlags(flags: RecordingFlags): void {
  if (flags.session === '') throw new UserInputError('USAGE', '--session needs the path of the session file, e.g. --session chat.jsonl (or --no-session to record nothing).');
  if (flags.trace === '') throw new UserInputError('USAGE', '--trace needs the path of the HTML file to write, e.g. --trace run.html');
  if (flags.trace !== undefined && !isDirectory(dirname(resolve(flags.trace)))) {
    throw new UserInputError('USAGE', `--trace ${flags.trace}: the folder ${dirname(resolve(flags.trace))} does not exist; create it or pick another path.`);
  }
}

function isDirectory(path: string): boolean {
  return existsSync(path) && statSync(path).isDirectory();
}
