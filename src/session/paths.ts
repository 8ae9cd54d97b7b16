/**
 * Where session files live and what they are called.
 *
 * Folder: `$XDG_STATE_HOME/switchboard/sessions/`, else `~/.local/state/switchboard/sessions/`.
 * Name: `<UTC timestamp, sortable>-<6 hex chars>.jsonl`, e.g. `20261129T220905123Z-a1b2c3.jsonl`;
 * the session's id is the name without `.jsonl`. Names sort in start order.
 */
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import { basename, isAbsolute, join, resolve } from 'node:path';

export const SESSION_EXTENSION = '.jsonl';

/** Switchboard's state folder: `$XDG_STATE_HOME/switchboard/`, else `~/.local/state/switchboard/`. */
export function defaultStateDir(env: NodeJS.ProcessEnv = process.env, home: string = homedir()): string {
  // The XDG spec: a relative XDG_STATE_HOME is invalid and must be ignored.
  const state = env.XDG_STATE_HOME && isAbsolute(env.XDG_STATE_HOME) ? env.XDG_STATE_HOME : join(home, '.local', 'state');
  return join(state, 'switchboard');
}

export function defaultSessionDir(env: NodeJS.ProcessEnv = process.env, home: string = homedir()): string {
  return join(defaultStateDir(env, home), 'sessions');
}

/** `20261129T220905123Z-a1b2c3`: sortable by start time, unique enough for one user's runs. */
export function newSessionId(now: Date = new Date(), random: Buffer = randomBytes(3)): string {
  const stamp = now.toISOString().replace(/[-:.]/g, '');
  return `${stamp}-${random.toString('hex')}`;
}

/** The start time encoded in an id made by `newSessionId`, if it is one. */
export function timeOfSessionId(id: string): Date | undefined {
  const m = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})(\d{3})Z-/.exec(id);
  if (!m) return undefined;
  const [, y, mo, d, h, mi, s, ms] = m.map(Number) as [number, number, number, number, number, number, number, number];
  return new Date(Date.UTC(y, mo - 1, d, h, mi, s, ms));
}

export function sessionIdOf(path: string): string {
  const name = basename(path);
  return name.endsWith(SESSION_EXTENSION) ? name.slice(0, -SESSION_EXTENSION.length) : name;
}

/**
 * A session named by the user: a path to a file (as given, relative to `cwd`), else an id
 * in `dir` (with or without `.jsonl`). Undefined when neither exists.
 */
export function findSession(idOrPath: string, dir: string, cwd: string = process.cwd()): string | undefined {
  const asPath = resolve(cwd, idOrPath);
  if (existsSync(asPath)) return asPath;
  if (idOrPath.includes('/')) return undefined;
  const inDir = join(dir, idOrPath.endsWith(SESSION_EXTENSION) ? idOrPath : `${idOrPath}${SESSION_EXTENSION}`);
  return existsSync(inDir) ? inDir : undefined;
}
