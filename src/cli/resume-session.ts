/**
 * Resuming a recorded chat (`--resume`, the REPL's `/resume`): finding the session file,
 * reading it back into a history, and putting that history into the agent. Loaded only when
 * a chat resumes (the session reader, lister and repairs are not needed otherwise).
 */
import type { Agent } from '../agent/loop.js';
import { UserInputError } from '../errors.js';
import type { ChatMessage } from '../llm/model.js';
import { listSessions } from '../session/list.js';
import { defaultSessionDir, findSession } from '../session/paths.js';
import { readSessionFile } from '../session/reader.js';
import { historyFromSession } from '../session/resume.js';

/** A recorded session read back for resuming. */
export interface LoadedSession {
  path: string;
  history: ChatMessage[];
  /** Damaged lines skipped and repairs made, one sentence each. */
  warnings: string[];
}

/** The session file `--resume`/`/resume` names: an id in the sessions folder, a path, or the latest. */
export function findResumable(idOrPath: string, dir: string = defaultSessionDir()): string {
  if (idOrPath === '' || idOrPath === 'latest') {
    const latest = listSessions(dir)[0];
    if (!latest) throw new UserInputError('USAGE', `There is no recorded session to resume (folder: ${dir}).`);
    return latest.path;
  }
  const path = findSession(idOrPath, dir);
  if (!path) {
    throw new UserInputError(
      'USAGE',
      `No session "${idOrPath}": it is neither a file nor an id in ${dir}. Run "switchboard sessions" to list the recorded ones (to go on with the latest and ask something: --resume latest "your question").`,
    );
  }
  return path;
}

/** Reads a session file back into a history (repaired: see session/resume.ts). */
export function loadSession(path: string): LoadedSession {
  let read: ReturnType<typeof readSessionFile>;
  try {
    read = readSessionFile(path);
  } catch (error) {
    throw new UserInputError('USAGE', `Cannot read the session file ${path}: ${(error as Error).message}`);
  }
  if (!read.records.some((r) => r.type === 'session_start')) {
    throw new UserInputError('USAGE', `${path} is not a Switchboard session file (no session_start record in it).`);
  }
  const { history, warnings } = historyFromSession(read.records);
  return { path, history, warnings: [...read.warnings, ...warnings] };
}

/**
 * Puts a loaded history into the agent: the configured system prompt (if any) replaces the
 * recorded one. Returns whether the agent's history differs from what the file holds.
 */
export function restoreInto(agent: Agent, loaded: LoadedSession, system: string | undefined): boolean {
  const recordedSystem = loaded.history[0]?.role === 'system' ? loaded.history[0] : undefined;
  const replaced = system !== undefined && recordedSystem !== undefined && recordedSystem.content !== system;
  const added = system !== undefined && recordedSystem === undefined;
  agent.restore(system !== undefined && recordedSystem ? loaded.history.slice(1) : loaded.history);
  return replaced || added || loaded.warnings.length > 0;
}
