/**
 * Polling helpers for the reliability tests (Linux: reads /proc).
 *
 * - `pollUntil(fn)`: polls until `fn()` is truthy or the time is up; resolves with the
 *   last value instead of throwing, so the test's own `expect` reports the failure.
 * - `processAlive(pid)`: the process exists and is not a zombie. A zombie has exited;
 *   an orphaned grandchild may stay a zombie forever when PID 1 does not reap.
 * - `liveGroupMembers(pgid)`: live (non-zombie) members of a process group. Every MCP
 *   server Switchboard starts leads its own group, so an empty group after a fault
 *   means neither the server nor anything it spawned is left.
 * - `waitForGone(pids)`: waits for every pid (and its group) to be gone; resolves with
 *   the pids still alive (empty when all went).
 */
import { readdirSync, readFileSync } from 'node:fs';

export const sleepMs = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

export async function pollUntil<T>(fn: () => T | Promise<T>, timeoutMs = 5000, intervalMs = 25): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await fn();
    if (value || Date.now() >= deadline) return value;
    await sleepMs(intervalMs);
  }
}

interface Stat {
  pid: number;
  state: string;
  pgid: number;
}

function stat(pid: number): Stat | undefined {
  let text: string;
  try {
    text = readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return undefined;
  }
  // Field 2 (the command) is in parentheses and may contain spaces.
  const rest = text.slice(text.lastIndexOf(')') + 2).split(' ');
  return { pid, state: rest[0] ?? '?', pgid: Number(rest[2]) };
}

const live = (s: Stat | undefined): boolean => s !== undefined && s.state !== 'Z' && s.state !== 'X';

export function processAlive(pid: number | undefined): boolean {
  if (pid === undefined || !Number.isInteger(pid) || pid <= 0) return false;
  return live(stat(pid));
}

export function liveGroupMembers(pgid: number): number[] {
  const members: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const s = stat(Number(entry));
    if (live(s) && s!.pgid === pgid) members.push(s!.pid);
  }
  return members;
}

/** Pids (or members of the groups they lead) still alive after waiting up to `timeoutMs`. */
export async function waitForGone(pids: ReadonlyArray<number | undefined>, timeoutMs = 5000): Promise<number[]> {
  const known = [...new Set(pids.filter((p): p is number => typeof p === 'number' && p > 0))];
  const survivors = (): number[] => {
    const alive = new Set<number>();
    for (const pid of known) {
      if (processAlive(pid)) alive.add(pid);
      for (const member of liveGroupMembers(pid)) alive.add(member);
    }
    return [...alive];
  };
  await pollUntil(() => survivors().length === 0, timeoutMs, 50);
  return survivors();
}

/** Reads a pid that a child writes to `path` (waits for the file to hold a number). */
export async function readPid(path: string, timeoutMs = 5000): Promise<number | undefined> {
  return pollUntil(() => {
    try {
      const n = Number(readFileSync(path, 'utf8').trim());
      return Number.isInteger(n) && n > 0 ? n : undefined;
    } catch {
      return undefined;
    }
  }, timeoutMs);
}

/** Last resort after a failed assertion: SIGKILL pids (and their groups) this test learnt. */
export function killLeftovers(pids: ReadonlyArray<number | undefined>): void {
  for (const pid of pids) {
    if (pid === undefined || pid <= 0) continue;
    for (const target of [-pid, pid]) {
      try {
        process.kill(target, 'SIGKILL');
      } catch {
        // already gone
      }
    }
  }
}
