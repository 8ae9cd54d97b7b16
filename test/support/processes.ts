/**
 * Process checks for tests that start real child processes (Linux: reads /proc).
 *
 * - `isAlive(pid)`: the process exists and is not a zombie (a zombie has exited; it only waits
 *   to be reaped by its parent, which for an orphan may be a PID 1 that never reaps).
 * - `descendantsOf(pid)`: every live process below `pid` in the parent tree.
 * - `waitFor*`: poll until a condition holds, for state that settles shortly after an
 *   awaited event (e.g. a reparented orphan). They resolve with the final state rather
 *   than throwing, so the test's own `expect` reports the failure.
 */
import { readdirSync, readFileSync } from 'node:fs';

interface ProcStat {
  pid: number;
  state: string;
  ppid: number;
  pgid: number;
}

/** Parses /proc/PID/stat; undefined when the process does not exist. */
export function procStat(pid: number): ProcStat | undefined {
  let text: string;
  try {
    text = readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return undefined;
  }
  // The command name (field 2) is in parentheses and may contain spaces or ')'.
  const close = text.lastIndexOf(')');
  const rest = text.slice(close + 2).split(' ');
  return { pid, state: rest[0] ?? '?', ppid: Number(rest[1]), pgid: Number(rest[2]) };
}

export function isAlive(pid: number | undefined): boolean {
  if (pid === undefined || !Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
  } catch (error) {
    // EPERM: it exists but belongs to someone else.
    if ((error as NodeJS.ErrnoException).code !== 'EPERM') return false;
  }
  const stat = procStat(pid);
  if (!stat) return false;
  return stat.state !== 'Z' && stat.state !== 'X';
}

function allStats(): ProcStat[] {
  const stats: ProcStat[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const stat = procStat(Number(entry));
    if (stat) stats.push(stat);
  }
  return stats;
}

/** Live (non-zombie) descendants of `pid`, children first. */
export function descendantsOf(pid: number): number[] {
  const stats = allStats().filter((s) => s.state !== 'Z' && s.state !== 'X');
  const out: number[] = [];
  let frontier = [pid];
  while (frontier.length > 0) {
    const next = stats.filter((s) => frontier.includes(s.ppid)).map((s) => s.pid);
    out.push(...next);
    frontier = next;
  }
  return out;
}

/** Live members of process group `pgid`. */
export function groupMembers(pgid: number): number[] {
  return allStats()
    .filter((s) => s.pgid === pgid && s.state !== 'Z' && s.state !== 'X')
    .map((s) => s.pid);
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Polls until `condition()` is true or `timeoutMs` passes; resolves with the last value. */
export async function waitUntil(condition: () => boolean, timeoutMs = 5000, intervalMs = 25): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (condition()) return true;
    if (Date.now() >= deadline) return false;
    await sleep(intervalMs);
  }
}

/** Resolves with the pids still alive after waiting up to `timeoutMs` for all of them to go. */
export async function waitForDeath(pids: ReadonlyArray<number | undefined>, timeoutMs = 5000): Promise<number[]> {
  const live = () => pids.filter((pid): pid is number => isAlive(pid));
  await waitUntil(() => live().length === 0, timeoutMs);
  return live();
}

/** Reads a pid a child process writes to `path` (waits for the file to appear and hold a number). */
export async function readPidFile(path: string, timeoutMs = 5000): Promise<number | undefined> {
  let pid: number | undefined;
  await waitUntil(() => {
    try {
      const n = Number(readFileSync(path, 'utf8').trim());
      if (Number.isInteger(n) && n > 0) pid = n;
    } catch {
      // not written yet
    }
    return pid !== undefined;
  }, timeoutMs);
  return pid;
}

/** Best-effort SIGKILL of pids a failed test may have left behind (only pids the test itself learnt). */
export function killIfAlive(pids: ReadonlyArray<number | undefined>): void {
  for (const pid of pids) {
    if (!isAlive(pid)) continue;
    try {
      process.kill(pid!, 'SIGKILL');
    } catch {
      // gone meanwhile
    }
  }
}
