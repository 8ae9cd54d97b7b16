/**
 * Which of a client's requests are still unanswered on a transport: counted where messages
 * enter and leave (after `server.connect`, which sets `onmessage`), so a request that has
 * arrived but whose handler has not started yet counts too. A cancelled request
 * (`notifications/cancelled`) gets no answer, so it stops counting then.
 */
import type { Transport } from '@modelcontextprotocol/sdk/shared/transport.js';
import type { JSONRPCMessage } from '@modelcontextprotocol/sdk/types.js';

export interface PendingRequests {
  /** Resolves once every request received so far has been answered or cancelled. */
  settled(): Promise<void>;
}

export function trackPendingRequests(transport: Transport): PendingRequests {
  const pending = new Set<string | number>();
  let waiters: Array<() => void> = [];
  const changed = () => {
    if (pending.size > 0) return;
    for (const wake of waiters) wake();
    waiters = [];
  };
  const received = transport.onmessage;
  transport.onmessage = (message: JSONRPCMessage, extra) => {
    const m = message as { id?: string | number; method?: string; params?: { requestId?: string | number } };
    if (m.method !== undefined && m.id !== undefined) pending.add(m.id);
    if (m.method === 'notifications/cancelled' && m.params?.requestId !== undefined) {
      pending.delete(m.params.requestId);
      changed();
    }
    received?.(message, extra);
  };
  const send = transport.send.bind(transport);
  transport.send = async (message, options) => {
    const m = message as { id?: string | number; method?: string };
    try {
      return await send(message, options);
    } finally {
      if (m.method === undefined && m.id !== undefined && pending.delete(m.id)) changed();
    }
  };
  return {
    settled: () => (pending.size === 0 ? Promise.resolve() : new Promise<void>((resolve) => waiters.push(resolve))),
  };
}
