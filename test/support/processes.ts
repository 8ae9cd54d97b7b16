/**
 * Process checks and waiting helpers for tests that start real child processes. This module
 * is the one home of both; other test modules import them from here.
 *
 * Where the processes come from: /proc on Linux; elsewhere (macOS) `ps -A`, which is slower but
 * says the same (pid, parent, group, state, start time, command line). SWITCHBOARD_TEST_PS=1
 * forces `ps` on Linux too, to check that path.
 *
 * - `isAlive(pid, startTime?)`: the process exists and is not a zombie (a zombie has exited; it
 *   only waits to be reaped by its parent, which for an orphan may be a PID 1 that never reaps).
 *   With `startTime`, only that very process counts, not a later one that reuses the pid.
 * - `procStat(pid)`, `subtreeOf(pid)`, `descendantsOf(pid)`, `groupMembers(pgid)`: what /proc says.
 * - `waitUntil(fn)`: polls until `fn()` is truthy or the time is up, for state that settles shortly
 *   after an awaited event (e.g. a reparented orphan). It resolves with the last value rather than
 *   throwing, so the test's own `expect` reports the failure.
 * - `waitForGone(processes, { groups })`: waits for processes to be gone and resolves with the
 *   survivors (empty when all went). With `groups`, a pid also stands for the process group it
 *   leads, and the group is gone only when every member is dead. Every MCP server Switchboard
 *   starts leads its own group, so an empty group means nothing it spawned is left either.
 * - `readPidFile(path)` / `readPidFileNow(path)`: a pid a child process wrote to a file.
 * - `killIfAlive(processes)`: last-resort SIGKILL after a failed assertion, so nothing leaks.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';

/** A process as /proc/PID/stat (or `ps`) describes it. */
export interface ProcStat {
  pid: number;
  state: string;
  ppid: number;
  pgid: number;
  /**
   * When it started, to tell the process from a later one that reuses its pid: clock ticks
   * since boot from /proc, seconds since the epoch from `ps`.
   */
  startTime: number;
}

/** A process with its command line, for reports. */
export interface ProcInfo extends ProcStat {
  cmdline: string;
}

/** A process to check: a pid, or a process seen earlier (then only that very process counts). */
export type ProcessRef = number | ProcInfo | undefined;

// ---------------------------------------------------------------------------------------------
// /proc

const USE_PS = process.env.SWITCHBOARD_TEST_PS === '1' || !existsSync('/proc/self/stat');
/** Where process information comes from; `ps` costs a process per look, so callers poll it less often. */
export const PROCESS_SOURCE: 'proc' | 'ps' = USE_PS ? 'ps' : 'proc';

/**
 * `ps` for the given pid, or every process: pid, ppid, pgid, state, start time (lstart: five
 * words, "Sun Nov 29 21:57:26 2026"), then the command line. Same keywords on Linux and macOS.
 */
function psList(pid?: number): ProcInfo[] {
  let text: string;
  try {
    text = execFileSync('ps', [...(pid === undefined ? ['-A'] : ['-p', String(pid)]), '-o', 'pid=,ppid=,pgid=,stat=,lstart=,args='], {
      encoding: 'utf8',
      env: { ...process.env, LC_ALL: 'C' },
      stdio: ['ignore', 'pipe', 'ignore'],
    });
  } catch {
    return []; // ps exits 1 when the pid does not exist
  }
  const out: ProcInfo[] = [];
  for (const line of text.split('\n')) {
    const words = line.trim().split(/\s+/);
    if (words.length < 9) continue;
    const [pidText, ppid, pgid, stat, ...rest] = words;
    out.push({
      pid: Number(pidText),
      ppid: Number(ppid),
      pgid: Number(pgid),
      state: (stat ?? '?').charAt(0),
      startTime: Date.parse(rest.slice(0, 5).join(' ')) / 1000,
      cmdline: rest.slice(5).join(' '),
    });
  }
  return out;
}

/** Parses /proc/PID/stat (or asks `ps`); undefined when the process does not exist. */
export function procStat(pid: number): ProcStat | undefined {
  if (USE_PS) return psList(pid)[0];
  let text: string;
  try {
    text = readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return undefined;
  }
  // "pid (comm) state ppid pgrp session tty tpgid flags minflt cminflt majflt cmajflt utime stime
  //  cutime cstime priority nice threads itrealvalue starttime ..."; comm may hold spaces and ')'.
  const fields = text.slice(text.lastIndexOf(')') + 2).split(' ');
  return {
    pid,
    state: fields[0] ?? '?',
    ppid: Number(fields[1]),
    pgid: Number(fields[2]),
    startTime: Number(fields[19]),
  };
}

/** `procStat(pid)` plus the command line, read right after it ('' once the process is exiting or a zombie). */
export function procInfo(pid: number): ProcInfo | undefined {
  if (USE_PS) return psList(pid)[0];
  const stat = procStat(pid);
  if (!stat) return undefined;
  let cmdline = '';
  try {
    cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8').replace(/\0+$/, '').replace(/\0/g, ' ');
  } catch {
    // gone meanwhile
  }
  return { ...stat, cmdline };
}

const isLive = (stat: ProcStat): boolean => stat.state !== 'Z' && stat.state !== 'X';

const isPid = (pid: number | undefined): pid is number => pid !== undefined && Number.isInteger(pid) && pid > 0;

/** True while the process runs (a zombie counts as dead). With `startTime`, only that very process. */
export function isAlive(pid: number | undefined, startTime?: number): boolean {
  if (!isPid(pid)) return false;
  const stat = procStat(pid);
  if (!stat || !isLive(stat)) return false;
  return startTime === undefined || stat.startTime === startTime;
}

/** Every process on the system, each as `read` gives it. */
function allProcesses<T extends ProcStat>(read: (pid: number) => T | undefined): T[] {
  if (USE_PS) return psList() as ProcStat[] as T[];
  const out: T[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const info = read(Number(entry));
    if (info) out.push(info);
  }
  return out;
}

/** The processes of `all` below `root` in the parent tree; children before grandchildren. */
function below<T extends ProcStat>(root: number, all: readonly T[]): T[] {
  const byParent = new Map<number, T[]>();
  for (const info of all) {
    const list = byParent.get(info.ppid) ?? [];
    list.push(info);
    byParent.set(info.ppid, list);
  }
  const out: T[] = [];
  const queue = [root];
  while (queue.length > 0) {
    for (const child of byParent.get(queue.shift()!) ?? []) {
      out.push(child);
      queue.push(child.pid);
    }
  }
  return out;
}

/**
 * Every process below `root` in the parent tree, zombies included, with its command line
 * (read together with each process's stat, so a process seen alive has its real command line).
 */
export function subtreeOf(root: number): ProcInfo[] {
  return below(root, allProcesses(procInfo));
}

/** Live (non-zombie) descendants of `pid`, children first. */
export function descendantsOf(pid: number): number[] {
  return below(pid, allProcesses(procStat))
    .filter(isLive)
    .map((s) => s.pid);
}

/** Live (non-zombie) members of process group `pgid`. */
export function groupMembers(pgid: number): number[] {
  return allProcesses(procStat)
    .filter((s) => s.pgid === pgid && isLive(s))
    .map((s) => s.pid);
}

export function describeProcesses(processes: readonly ProcInfo[]): string {
  return processes.map((p) => `${p.pid} (pgid ${p.pgid}, ${p.state}): ${p.cmdline}`).join('\n');
}

// ---------------------------------------------------------------------------------------------
// Waiting

export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** Polls until `fn()` is truthy or `timeoutMs` passes; resolves with the last value. */
export async function waitUntil<T>(fn: () => T | Promise<T>, timeoutMs = 5000, intervalMs = 25): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await fn();
    if (value || Date.now() >= deadline) return value;
    await sleep(intervalMs);
  }
}

export interface GoneOptions {
  /** Default 5 s. */
  timeoutMs?: number;
  /** A pid also stands for the process group it leads: gone only when every member is dead. */
  groups?: boolean;
}

/**
 * Waits up to `timeoutMs` for every listed process to be gone; resolves with the survivors
 * (empty when all went). A pid stands for the process that has it when this is called (a
 * process seen earlier, with its start time, for that very process), so a reused pid does not
 * count. Survivors are NOT killed: the caller reports them, then may call `killIfAlive`.
 */
export async function waitForGone(refs: ReadonlyArray<ProcessRef>, options: GoneOptions = {}): Promise<ProcInfo[]> {
  const { timeoutMs = 5000, groups = false } = options;
  const pids = new Set<number>();
  const watched: ProcInfo[] = [];
  for (const ref of refs) {
    const pid = typeof ref === 'number' ? ref : ref?.pid;
    if (!isPid(pid)) continue;
    pids.add(pid);
    const info = typeof ref === 'number' ? procInfo(ref) : ref;
    if (info) watched.push(info);
  }
  const survivors = (): ProcInfo[] => {
    const alive = new Map<number, ProcInfo>();
    for (const p of watched) if (isAlive(p.pid, p.startTime)) alive.set(p.pid, p);
    if (groups) {
      for (const pgid of pids) {
        for (const member of groupMembers(pgid)) {
          const info = alive.has(member) ? undefined : procInfo(member);
          if (info) alive.set(member, info);
        }
      }
    }
    return [...alive.values()];
  };
  await waitUntil(() => survivors().length === 0, timeoutMs, 50);
  return survivors();
}

/** Reads the pid a child process wrote to `path`; undefined while it holds none. */
export function readPidFileNow(path: string): number | undefined {
  try {
    const pid = Number(readFileSync(path, 'utf8').trim());
    return isPid(pid) ? pid : undefined;
  } catch {
    return undefined;
  }
}

/** Reads the pid a child process writes to `path`, waiting for the file to appear and hold one. */
export function readPidFile(path: string, timeoutMs = 5000): Promise<number | undefined> {
  return waitUntil(() => readPidFileNow(path), timeoutMs);
}

/**
 * Best-effort SIGKILL of processes a failed test may have left behind (only ones the test itself
 * learnt). With `groups`, also the process group each pid leads.
 */
export function killIfAlive(refs: ReadonlyArray<ProcessRef>, options: { groups?: boolean } = {}): void {
  for (const ref of refs) {
    const pid = typeof ref === 'number' ? ref : ref?.pid;
    if (!isPid(pid)) continue;
    if (options.groups) signalQuietly(-pid);
    if (isAlive(pid, typeof ref === 'number' ? undefined : ref?.startTime)) signalQuietly(pid);
  }
}

function signalQuietly(target: number): void {
  try {
    process.kill(target, 'SIGKILL');
  } catch {
    // gone meanwhile
  }
}
