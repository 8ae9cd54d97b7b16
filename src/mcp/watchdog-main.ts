/**
 * The watchdog: a tiny process that outlives Switchboard by design, to make sure its
 * servers do not.
 *
 * Switchboard starts it once per run (detached, in its own session) with a pipe on its
 * stdin and tells it, one line each, which server process groups are alive (`+PGID`)
 * and which are gone (`-PGID`). When that pipe closes, Switchboard is gone: it exited,
 * or it was killed with SIGKILL or by the out-of-memory killer, when no exit handler of
 * its own can run. The watchdog then signals every group it still knows (SIGTERM, then
 * SIGKILL), kills every process that carries this run's marker in its environment
 * (servers that left their group with `setsid`), and exits.
 *
 *   node watchdog-main.js RUN_ID
 */
import { killMarkedProcesses } from './run-marker.js';
import { setTimeout as delay } from 'node:timers/promises';

const runId = process.argv[2] ?? '';
const groups = new Set<number>();
let pending = '';

// Ctrl+C or a hang-up aimed at Switchboard's terminal is not for us: the pipe says when to act.
for (const signal of ['SIGINT', 'SIGHUP', 'SIGTERM'] as const) process.on(signal, () => undefined);

process.stdin.setEncoding('utf8');
process.stdin.on('data', (text: string) => {
  const lines = (pending + text).split('\n');
  pending = lines.pop() ?? '';
  for (const line of lines) {
    const pgid = Number(line.slice(1));
    if (!Number.isInteger(pgid) || pgid <= 1) continue;
    if (line.startsWith('+')) groups.add(pgid);
    else if (line.startsWith('-')) groups.delete(pgid);
  }
});
process.stdin.on('close', () => void cleanUp());
process.stdin.on('error', () => void cleanUp());

let cleaning = false;
async function cleanUp(): Promise<void> {
  if (cleaning) return;
  cleaning = true;
  for (const pgid of groups) signal(-pgid, 'SIGTERM');
  for (let waited = 0; waited < 1000 && [...groups].some(alive); waited += 50) await delay(50);
  for (const pgid of groups) signal(-pgid, 'SIGKILL');
  // The run id is followed by `.<hub>:` in every marker of this run.
  if (runId) killMarkedProcesses(`${runId}.`);
  process.exit(0);
}

function alive(pgid: number): boolean {
  try {
    process.kill(-pgid, 0);
    return true;
  } catch {
    return false;
  }
}

function signal(target: number, name: NodeJS.Signals): void {
  try {
    process.kill(target, name);
  } catch {
    // already gone
  }
}
