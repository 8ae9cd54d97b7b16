/**
 * Runs the BUILT `switchboard` CLI (dist/src/cli/main.js) as a real child process, the way a
 * user would, and watches the processes it starts.
 *
 * - `runCli(args, { env, cwd, input, timeoutMs })` resolves with `{ code, signal, stdout, stderr,
 *   processes }` once the CLI has exited. stdin is a pipe: `input` is written to it, then it is
 *   closed (closed at once without `input`), so the CLI never sees a terminal.
 * - `startCli(args, ...)` returns a `CliProcess` (the ChildProcess plus live output and a
 *   `done` promise) for signal tests.
 * - The child's environment is the test's environment WITHOUT HF_TOKEN and SWITCHBOARD_API_KEY
 *   (unless the test passes them in `env`), with NO_COLOR=1. `env: { X: undefined }` removes X.
 * - While the CLI runs, its process subtree is sampled from /proc; `processes` lists every
 *   descendant seen (pid + start time, so a reused pid is not mistaken for it).
 *   `waitUntilGone(processes)` polls until they are all dead.
 * - Process helpers: `descendantPids`, `processGroupMembers`, `isAlive`, `readPidFile`.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const REPO_ROOT = fileURLToPath(new URL('../..', import.meta.url));
export const CLI_PATH = resolve(REPO_ROOT, 'dist/src/cli/main.js');
export const FIXTURE_SERVER_PATH = resolve(REPO_ROOT, 'dist/test/support/fixture-server.js');
export const TEMPERATURE_SERVER_PATH = resolve(REPO_ROOT, 'dist/servers/temperature/main.js');
export const DEMO_SCRIPT_PATH = resolve(REPO_ROOT, 'config/demo.script.json');

export interface CliOptions {
  /** Added to (or, with `undefined`, removed from) the child's environment. */
  env?: Record<string, string | undefined>;
  cwd?: string;
  /** Written to stdin, which is then closed. Without it stdin is closed at once. */
  input?: string;
  /** The run is killed (whole subtree, SIGKILL) after this long; the promise then rejects. Default 20 s. */
  timeoutMs?: number;
}

/** A process seen in the CLI's subtree. */
export interface ProcInfo {
  pid: number;
  ppid: number;
  pgid: number;
  /** Clock ticks since boot at which it started: identifies the process, not just the pid. */
  startTime: number;
  state: string;
  cmdline: string;
}

export interface CliResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  /** Every descendant of the CLI seen while it ran (servers, their children). */
  processes: ProcInfo[];
}

export interface CliProcess {
  child: ChildProcess;
  pid: number;
  /** Output so far (live). */
  readonly stdout: string;
  readonly stderr: string;
  /** Descendants seen so far (live). */
  readonly processes: ProcInfo[];
  /** Resolves when the CLI has exited and its output is complete. */
  done: Promise<CliResult>;
  /** Resolves once stderr matches `pattern` (rejects if the CLI exits first or on timeout). */
  waitForStderr(pattern: RegExp | string, timeoutMs?: number): Promise<void>;
}

/** The environment a test's CLI run gets: no model tokens, no colour. */
export function cliEnv(extra: Record<string, string | undefined> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env };
  delete env.HF_TOKEN;
  delete env.SWITCHBOARD_API_KEY;
  delete env.FORCE_COLOR;
  env.NO_COLOR = '1';
  for (const [key, value] of Object.entries(extra)) {
    if (value === undefined) delete env[key];
    else env[key] = value;
  }
  return env;
}

const SAMPLE_INTERVAL_MS = 25;

export function startCli(args: readonly string[], options: CliOptions = {}): CliProcess {
  if (!existsSync(CLI_PATH)) throw new Error(`${CLI_PATH} is missing: build first (npx tsc -p tsconfig.json)`);
  const child = spawn(process.execPath, [CLI_PATH, ...args], {
    cwd: options.cwd ?? REPO_ROOT,
    env: cliEnv(options.env),
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  const pid = child.pid;
  if (pid === undefined) throw new Error('could not spawn the CLI');
  let stdout = '';
  let stderr = '';
  const seen = new Map<string, ProcInfo>();
  const stderrWaiters = new Set<() => void>();
  child.stdout!.setEncoding('utf8');
  child.stderr!.setEncoding('utf8');
  child.stdout!.on('data', (text: string) => (stdout += text));
  child.stderr!.on('data', (text: string) => {
    stderr += text;
    for (const waiter of stderrWaiters) waiter();
  });
  child.stdin!.on('error', () => undefined); // the CLI may exit before reading stdin
  if (options.input !== undefined) child.stdin!.end(options.input);
  else child.stdin!.end();

  const sample = () => {
    for (const info of descendants(pid)) seen.set(`${info.pid}:${info.startTime}`, info);
  };
  const sampler = setInterval(sample, SAMPLE_INTERVAL_MS);
  sample();

  const timeoutMs = options.timeoutMs ?? 20_000;
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    sample();
    for (const info of seen.values()) killQuietly(info.pid, 'SIGKILL');
    killQuietly(pid, 'SIGKILL');
  }, timeoutMs);

  const done = new Promise<CliResult>((resolveDone, rejectDone) => {
    child.once('error', (error) => {
      clearInterval(sampler);
      clearTimeout(timer);
      rejectDone(error);
    });
    // 'close': the process exited AND its stdout/stderr are drained.
    child.once('close', (code, signal) => {
      clearInterval(sampler);
      clearTimeout(timer);
      for (const waiter of stderrWaiters) waiter();
      const result: CliResult = { code, signal, stdout, stderr, processes: [...seen.values()] };
      if (timedOut) {
        rejectDone(
          new Error(
            `switchboard ${args.join(' ')} did not exit within ${timeoutMs} ms (killed)\n--- stdout:\n${stdout}\n--- stderr:\n${stderr}`,
          ),
        );
      } else {
        resolveDone(result);
      }
    });
  });
  let exited = false;
  done.then(
    () => (exited = true),
    () => (exited = true),
  );

  return {
    child,
    pid,
    get stdout() {
      return stdout;
    },
    get stderr() {
      return stderr;
    },
    get processes() {
      sample();
      return [...seen.values()];
    },
    done,
    waitForStderr(pattern, waitMs = 10_000) {
      const matches = () => (typeof pattern === 'string' ? stderr.includes(pattern) : pattern.test(stderr));
      return new Promise<void>((resolveWait, rejectWait) => {
        const check = () => {
          if (matches()) {
            cleanup();
            resolveWait();
          } else if (exited || child.exitCode !== null || child.signalCode !== null) {
            cleanup();
            rejectWait(new Error(`the CLI exited before stderr matched ${String(pattern)}\n--- stdout:\n${stdout}\n--- stderr:\n${stderr}`));
          }
        };
        const timeout = setTimeout(() => {
          cleanup();
          rejectWait(new Error(`stderr did not match ${String(pattern)} within ${waitMs} ms\n--- stderr:\n${stderr}`));
        }, waitMs);
        const cleanup = () => {
          clearTimeout(timeout);
          stderrWaiters.delete(check);
        };
        stderrWaiters.add(check);
        check();
      });
    },
  };
}

export function runCli(args: readonly string[], options: CliOptions = {}): Promise<CliResult> {
  return startCli(args, options).done;
}

// ---------------------------------------------------------------------------------------------
// /proc

function readStat(pid: number): ProcInfo | undefined {
  let stat: string;
  try {
    stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return undefined;
  }
  // "pid (comm) state ppid pgrp session tty tpgid flags minflt cminflt majflt cmajflt utime stime
  //  cutime cstime priority nice threads itrealvalue starttime ..."; comm may hold spaces and ')'.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  let cmdline = '';
  try {
    cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8').replace(/\0+$/, '').replace(/\0/g, ' ');
  } catch {
    // gone meanwhile
  }
  return {
    pid,
    state: fields[0] ?? '?',
    ppid: Number(fields[1]),
    pgid: Number(fields[2]),
    startTime: Number(fields[19]),
    cmdline,
  };
}

/** Every process on the system, from /proc. */
export function allProcesses(): ProcInfo[] {
  const out: ProcInfo[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const info = readStat(Number(entry));
    if (info) out.push(info);
  }
  return out;
}

function descendants(root: number): ProcInfo[] {
  const all = allProcesses();
  const byParent = new Map<number, ProcInfo[]>();
  for (const info of all) {
    const list = byParent.get(info.ppid) ?? [];
    list.push(info);
    byParent.set(info.ppid, list);
  }
  const out: ProcInfo[] = [];
  const queue = [root];
  while (queue.length > 0) {
    const pid = queue.shift()!;
    for (const child of byParent.get(pid) ?? []) {
      out.push(child);
      queue.push(child.pid);
    }
  }
  return out;
}

/** Live (non-zombie) descendant pids of `pid`. */
export function descendantPids(pid: number): number[] {
  return descendants(pid)
    .filter((info) => info.state !== 'Z')
    .map((info) => info.pid);
}

/** Live (non-zombie) members of process group `pgid`. */
export function processGroupMembers(pgid: number): number[] {
  return allProcesses()
    .filter((info) => info.pgid === pgid && info.state !== 'Z')
    .map((info) => info.pid);
}

/** True while the process runs (a zombie counts as dead). With `startTime`, only that very process. */
export function isAlive(pid: number, startTime?: number): boolean {
  const info = readStat(pid);
  if (!info || info.state === 'Z' || info.state === 'X') return false;
  return startTime === undefined || info.startTime === startTime;
}

export function readPidFile(path: string): number | undefined {
  try {
    const pid = Number(readFileSync(path, 'utf8').trim());
    return Number.isInteger(pid) && pid > 0 ? pid : undefined;
  } catch {
    return undefined;
  }
}

function killQuietly(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(pid, signal);
  } catch {
    // already gone
  }
}

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** Polls `predicate` until true; rejects with `what` after `timeoutMs`. */
export async function waitFor(predicate: () => boolean, what: string, timeoutMs = 10_000, intervalMs = 25): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (predicate()) return;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(intervalMs);
  }
}

/**
 * Polls until every listed process (and every pid) is dead; returns the survivors after
 * `timeoutMs` (empty when all are gone). Survivors are NOT killed: the caller reports them,
 * then may call `killSurvivors`.
 */
export async function waitUntilGone(processes: ReadonlyArray<ProcInfo | number>, timeoutMs = 3_000): Promise<ProcInfo[]> {
  const targets = processes.map((p) => (typeof p === 'number' ? (readStat(p) ?? { pid: p, ppid: 0, pgid: 0, startTime: -1, state: 'X', cmdline: '' }) : p));
  const alive = () => targets.filter((p) => isAlive(p.pid, p.startTime < 0 ? undefined : p.startTime));
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const left = alive();
    if (left.length === 0 || Date.now() > deadline) return left;
    await sleep(50);
  }
}

/** SIGKILLs leftovers so one failing test does not leak processes into the next. */
export function killSurvivors(processes: readonly ProcInfo[]): void {
  for (const p of processes) if (isAlive(p.pid, p.startTime)) killQuietly(p.pid, 'SIGKILL');
}

export function describeProcesses(processes: readonly ProcInfo[]): string {
  return processes.map((p) => `${p.pid} (pgid ${p.pgid}, ${p.state}): ${p.cmdline}`).join('\n');
}

/** Lines of text without the trailing empty one. */
export function lines(text: string): string[] {
  return text.split('\n').filter((line, i, all) => !(i === all.length - 1 && line === ''));
}
