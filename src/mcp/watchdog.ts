/**
 * The host's side of the watchdog (see `watchdog-main.ts`): starts it on the first
 * server spawn, and tells it which server process groups are alive.
 *
 * Contract: best effort and never in the way. If the watchdog cannot be started
 * (no built script, spawn failure) the host runs as before, with its own exit handler
 * and staged shutdown as the net; nothing is reported to the user for it.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { setPriority } from 'node:os';
import { fileURLToPath } from 'node:url';
import type { Socket } from 'node:net';
import { RUN_MARKER_VARIABLE } from './run-marker.js';

/** This process's run: every server marker starts with it. */
export const RUN_ID = `${process.pid}-${randomBytes(6).toString('hex')}`;

let hubs = 0;
/** A marker prefix of its own for each hub, so closing one hub never touches another's servers. */
export function newRunScope(): string {
  return `${RUN_ID}.${++hubs}:`;
}

/** The environment entry that marks a server of `scope`. */
export function runMarker(scope: string, server: string): Record<string, string> {
  return { [RUN_MARKER_VARIABLE]: `${scope}${server}` };
}

let watchdog: ChildProcess | undefined;
let unavailable = false;

/** The built watchdog script; under vitest this module runs from src/, the script from dist/. */
function watchdogScript(): string | undefined {
  const here = fileURLToPath(import.meta.url);
  const script = here.endsWith('.ts') ? here.replace(/src[\\/]mcp[\\/]watchdog\.ts$/, 'dist/src/mcp/watchdog-main.js') : here.replace(/watchdog\.js$/, 'watchdog-main.js');
  return existsSync(script) ? script : undefined;
}

function ensureWatchdog(): ChildProcess | undefined {
  if (watchdog || unavailable) return watchdog;
  const script = watchdogScript();
  if (!script) {
    unavailable = true;
    return undefined;
  }
  try {
    // Its own session: Ctrl+C in the terminal and the host's process-group kills do not reach it.
    const child = spawn(process.execPath, [script, RUN_ID], { detached: true, stdio: ['pipe', 'ignore', 'ignore'] });
    child.on('error', () => {
      unavailable = true;
      watchdog = undefined;
    });
    child.stdin?.on('error', () => undefined);
    // It has nothing urgent to do until the host dies: it must not compete with the servers' start-up.
    if (child.pid) {
      try {
        setPriority(child.pid, 19);
      } catch {
        // not permitted here: it runs at normal priority
      }
    }
    // Neither the process nor the pipe may keep the host's event loop alive.
    child.unref();
    (child.stdin as unknown as Socket | null)?.unref?.();
    watchdog = child;
  } catch {
    unavailable = true;
  }
  return watchdog;
}

/** A server's process group is alive: the watchdog kills it if the host dies first. */
export function watchGroup(pgid: number): void {
  ensureWatchdog()?.stdin?.write(`+${pgid}\n`);
}

/** The group is gone (reaped by the host). */
export function releaseGroup(pgid: number): void {
  watchdog?.stdin?.write(`-${pgid}\n`);
}
