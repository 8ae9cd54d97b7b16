/**
 * Abort and waiting plumbing shared by the loop, the MCP connections and the model client.
 *
 * `linkedController(parent)` gives a controller that aborts when the parent does, and
 * `dispose()` unhooks it. Libraries add listeners to the signals they are given and
 * do not always remove them (the MCP SDK keeps one per request), and Node 20's
 * `AbortSignal.any` keeps every combined signal alive; a linked controller per
 * operation keeps the long-lived parent (a turn, a session) clean.
 */
import { setTimeout as delay } from 'node:timers/promises';
import { SwitchboardError } from './errors.js';

export interface LinkedController {
  readonly signal: AbortSignal;
  abort(reason?: unknown): void;
  /** Unhooks from the parent; call when the operation is over. */
  dispose(): void;
}

export function linkedController(parent: AbortSignal | undefined): LinkedController {
  const controller = new AbortController();
  const forward = () => controller.abort(parent?.reason);
  if (parent?.aborted) forward();
  else parent?.addEventListener('abort', forward, { once: true });
  return {
    signal: controller.signal,
    abort: (reason) => controller.abort(reason),
    dispose: () => parent?.removeEventListener('abort', forward),
  };
}

/** Resolves like `work`, or rejects with INTERRUPTED as soon as `signal` aborts. */
export function untilAborted<T>(work: Promise<T>, signal: AbortSignal | undefined): Promise<T> {
  if (!signal) return work;
  if (signal.aborted) return Promise.reject(new SwitchboardError('INTERRUPTED', 'Interrupted.'));
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(new SwitchboardError('INTERRUPTED', 'Interrupted.'));
    signal.addEventListener('abort', onAbort, { once: true });
    work.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort));
  });
}

/**
 * Waits `ms`, or rejects (with an AbortError whose `cause` is the signal's reason) as soon
 * as `signal` aborts. Node's `timers/promises` setTimeout, with the signal as the second
 * argument as the callers here pass it.
 */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return delay(ms, undefined, signal ? { signal } : undefined);
}
