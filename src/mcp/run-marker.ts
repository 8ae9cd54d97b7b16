/**
 * Marks every server process of a run, so that one that leaves its process group
 * (`setsid`, a daemonizing wrapper) can still be found and killed.
 *
 * Each server gets `SWITCHBOARD_RUN=<run>.<hub>:<server>` in its environment, and its
 * children inherit it. Finding marked processes reads `/proc/PID/environ` (Linux);
 * elsewhere it finds none and the process-group shutdown is the only net.
 * Kept free of imports beyond node:fs: the watchdog process loads it too.
 */
import { readdirSync, readFileSync } from 'node:fs';

export const RUN_MARKER_VARIABLE = 'SWITCHBOARD_RUN';

export interface MarkedProcess {
  pid: number;
  /** The marker's value after the prefix searched for (the server's name, for a hub's prefix). */
  rest: string;
  commandLine: string;
}

/** Every process (but this one) whose environment has the marker starting with `prefix`. */
export function findMarkedProcesses(prefix: string): MarkedProcess[] {
  const assignment = `${RUN_MARKER_VARIABLE}=${prefix}`;
  const found: MarkedProcess[] = [];
  let entries: string[];
  try {
    entries = readdirSync('/proc');
  } catch {
    return found;
  }
  for (const entry of entries) {
    const pid = Number(entry);
    if (!Number.isInteger(pid) || pid === process.pid) continue;
    let variables: string[];
    try {
      variables = readFileSync(`/proc/${pid}/environ`, 'latin1').split('\0');
    } catch {
      continue; // gone, or not ours to read
    }
    const marker = variables.find((variable) => variable.startsWith(assignment));
    if (marker === undefined) continue;
    let commandLine = '';
    try {
      commandLine = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').filter(Boolean).join(' ');
    } catch {
      // gone meanwhile
    }
    found.push({ pid, rest: marker.slice(assignment.length), commandLine });
  }
  return found;
}

/** SIGKILLs every marked process under `prefix`; returns what it killed. */
export function killMarkedProcesses(prefix: string): MarkedProcess[] {
  const found = findMarkedProcesses(prefix);
  for (const { pid } of found) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
  return found;
}
