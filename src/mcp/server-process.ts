/**
 * Spawning a stdio server's process, and the process groups this host started.
 *
 * Kept apart from `stdio-transport.ts` (which needs the MCP SDK) and light on purpose (Node
 * built-ins only): a command can spawn its servers' processes BEFORE it loads the SDK, the
 * model client and its renderer, so each server's own start-up (often a second or more)
 * runs while the host loads the rest (issue 12). See `prelaunch`.
 *
 * Contract of `launchServerProcess`: the process leads a new process group (the group id is
 * its pid, so signalling -pid reaches an `npx` wrapper's grandchildren), its three stdio are
 * pipes, and the group is tracked at once (killed by `killAllGroupsNow` on a hard exit, and
 * by the watchdog if this process dies). Its lifecycle is also kept as promises, and its
 * output until it is adopted (`attach`), so whoever adopts the process later misses none of it.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { watchGroup } from './watchdog.js';

export interface ServerProcessOptions {
  command: string;
  args: string[];
  env: Record<string, string>;
  cwd?: string;
}

export interface LaunchedProcess {
  child: ChildProcess;
  /** Resolves on 'spawn'; rejects with the spawn error (ENOENT, EACCES). */
  spawned: Promise<void>;
  /** Resolves when the process has exited ('exit'); never for a process that could not be spawned. */
  exit: Promise<void>;
  /** Resolves when the process has exited or could not be spawned. */
  gone: Promise<void>;
  /** Resolves when its stdio streams are closed ('close'). */
  closed: Promise<void>;
  /**
   * Hands its stdout and stderr to the adopter: what arrived before is passed on first, in
   * order, then every later chunk. Until then it is kept here (Node throws away what nobody
   * listens to when the process exits: a crashed server's last words would be lost).
   */
  attach(readers: { stdout(chunk: Buffer): void; stderr(chunk: Buffer): void }): void;
}

/** What an unadopted process may write before the host reads it; past this its pipes are paused (it waits). */
const MAX_EARLY_BYTES = 16 * 1024 * 1024;

/** Every live process group this host started, killed on a hard exit (see `killAllGroupsNow`). */
export const liveGroups = new Set<number>();

/**
 * The environment a stdio server gets: the few variables the MCP SDK's stdio transport
 * passes on (`getDefaultEnvironment`: the SDK's module costs ~0.2 s to load, so its list
 * is repeated here; a unit test compares the two), then the config's `env`, then `extra`
 * (the run marker).
 */
export function serverEnvironment(env: Record<string, string>, extra: Record<string, string>, from: NodeJS.ProcessEnv = process.env): Record<string, string> {
  const inherited: Record<string, string> = {};
  const names = process.platform === 'win32' ? WINDOWS_INHERITED : POSIX_INHERITED;
  for (const name of names) {
    const value = from[name];
    // A shell function exported into the environment: never passed on (as the SDK does).
    if (value === undefined || value.startsWith('()')) continue;
    inherited[name] = value;
  }
  return { ...inherited, ...env, ...extra };
}

const POSIX_INHERITED = ['HOME', 'LOGNAME', 'PATH', 'SHELL', 'TERM', 'USER'];
const WINDOWS_INHERITED = ['APPDATA', 'HOMEDRIVE', 'HOMEPATH', 'LOCALAPPDATA', 'PATH', 'PROCESSOR_ARCHITECTURE', 'SYSTEMDRIVE', 'SYSTEMROOT', 'TEMP', 'USERNAME', 'USERPROFILE', 'PROGRAMFILES'];

export function launchServerProcess(options: ServerProcessOptions): LaunchedProcess {
  const child = spawn(options.command, options.args, {
    env: options.env,
    cwd: options.cwd,
    stdio: ['pipe', 'pipe', 'pipe'],
    // Own process group: the group id is the pid, and signalling -pid reaches grandchildren.
    detached: true,
    windowsHide: true,
  });
  // Tracked at once (not on 'spawn'), so a hard exit in between still kills the group.
  if (child.pid) {
    liveGroups.add(child.pid);
    watchGroup(child.pid); // and a watchdog kills it if this process dies without cleaning up
  }
  const spawned = new Promise<void>((resolve, reject) => {
    child.once('spawn', () => resolve());
    child.once('error', (error) => {
      if (child.pid === undefined) reject(error);
    });
  });
  spawned.catch(() => undefined); // the adopter reports it
  const exit = new Promise<void>((done) => child.once('exit', () => done()));
  // A spawn failure emits 'error' and 'close' but never 'exit'.
  const gone = Promise.race([exit, spawned.then(() => new Promise<void>(() => undefined), () => undefined)]);
  const closed = new Promise<void>((done) => child.once('close', () => done()));
  // Until adopted, a write error on its stdin (it exited) must not be an uncaught 'error'.
  child.stdin?.on('error', () => undefined);
  // Until adopted, its output is kept (bounded); see LaunchedProcess.attach.
  const early: Array<['stdout' | 'stderr', Buffer]> = [];
  let earlyBytes = 0;
  const keep = (stream: 'stdout' | 'stderr') => (chunk: Buffer) => {
    early.push([stream, chunk]);
    earlyBytes += chunk.length;
    if (earlyBytes > MAX_EARLY_BYTES) {
      child.stdout?.pause();
      child.stderr?.pause();
    }
  };
  const keepStdout = keep('stdout');
  const keepStderr = keep('stderr');
  child.stdout?.on('data', keepStdout);
  child.stderr?.on('data', keepStderr);
  const attach: LaunchedProcess['attach'] = (readers) => {
    child.stdout?.off('data', keepStdout);
    child.stderr?.off('data', keepStderr);
    for (const [stream, chunk] of early.splice(0)) readers[stream](chunk);
    child.stdout?.on('data', (chunk: Buffer) => readers.stdout(chunk));
    child.stderr?.on('data', (chunk: Buffer) => readers.stderr(chunk));
    child.stdout?.resume();
    child.stderr?.resume();
  };
  return { child, spawned, exit, gone, closed, attach };
}

/**
 * Processes spawned ahead of their transport, each under the exact options it was spawned
 * with: a transport takes one only when its own options are identical (command, arguments,
 * every environment variable, working folder), so adopting one is the same as spawning it.
 */
const prelaunched = new Map<string, LaunchedProcess[]>();

function keyOf(options: ServerProcessOptions): string {
  const env = Object.keys(options.env)
    .sort()
    .map((name) => [name, options.env[name]]);
  return JSON.stringify([options.command, options.args, env, options.cwd ?? null]);
}

/**
 * Spawns a server's process now, for a transport created later (`takePrelaunched`). The
 * caller must have made every decision a start needs first (the config trusted, the model
 * set up): this only moves the spawn earlier, it never starts what would not be started.
 */
export function prelaunch(options: ServerProcessOptions): void {
  const key = keyOf(options);
  const list = prelaunched.get(key) ?? [];
  list.push(launchServerProcess(options));
  prelaunched.set(key, list);
}

/** The process `prelaunch` spawned with exactly these options, if any (each is taken once). */
export function takePrelaunched(options: ServerProcessOptions): LaunchedProcess | undefined {
  if (prelaunched.size === 0) return undefined;
  const key = keyOf(options);
  const list = prelaunched.get(key);
  const launched = list?.shift();
  if (list && list.length === 0) prelaunched.delete(key);
  return launched;
}

/**
 * Stops the prelaunched processes nobody took (the run failed before its servers started):
 * SIGTERM to each group now; `killAllGroupsNow` SIGKILLs whatever is left at exit.
 */
export function discardPrelaunched(): void {
  for (const list of prelaunched.values()) {
    for (const { child } of list) {
      child.stdin?.end();
      if (child.pid) signalGroup(child.pid, 'SIGTERM');
    }
  }
  prelaunched.clear();
}

export function signalGroup(pid: number | undefined, signal: NodeJS.Signals): void {
  if (!pid) return;
  try {
    process.kill(-pid, signal);
  } catch {
    // the group is already gone
  }
}

export function groupAlive(pid: number): boolean {
  try {
    process.kill(-pid, 0);
    return true;
  } catch {
    return false;
  }
}

/**
 * Last resort for a host that is exiting without a clean shutdown (an uncaught
 * error, a second Ctrl+C): SIGKILL every group still alive, synchronously.
 */
export function killAllGroupsNow(): void {
  for (const pid of liveGroups) signalGroup(pid, 'SIGKILL');
  liveGroups.clear();
}
