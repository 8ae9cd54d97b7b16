/**
 * `switchboard trace SESSION > out.html`: the HTML picture of a recorded session (a path to
 * a session file, or an id as `switchboard sessions` lists it), on stdout. Damaged lines are
 * skipped with a warning on stderr; the page shows what could be read.
 */
import { UserInputError } from '../errors.js';
import { defaultSessionDir, findSession } from '../session/paths.js';
import { readSessionFile } from '../session/reader.js';
import { renderTraceHtml } from '../trace/html.js';

export function traceCommand(flags: { session: string }): number {
  if (process.stdout.isTTY) {
    throw new UserInputError('USAGE', `The trace is an HTML page: send it to a file, e.g. switchboard trace ${flags.session} > trace.html`);
  }
  const dir = defaultSessionDir();
  const path = findSession(flags.session, dir);
  if (!path) {
    throw new UserInputError('USAGE', `No session "${flags.session}": it is neither a file nor an id in ${dir}. Run "switchboard sessions" to list the recorded ones.`);
  }
  let read: ReturnType<typeof readSessionFile>;
  try {
    read = readSessionFile(path);
  } catch (error) {
    throw new UserInputError('USAGE', `Cannot read the session file ${path}: ${(error as Error).message}`);
  }
  for (const warning of read.warnings) process.stderr.write(`switchboard: ${warning}\n`);
  if (!read.records.some((r) => r.type === 'session_start')) {
    throw new UserInputError('USAGE', `${path} is not a Switchboard session file (no session_start record in it).`);
  }
  process.stdout.write(renderTraceHtml(read.records));
  return 0;
}
