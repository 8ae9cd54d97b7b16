/**
 * `Retry-After` from a remote server: a 503 (or 429) with a short Retry-After is waited out
 * and the request sent again, through the built CLI; a longer one than Switchboard waits is
 * reported, not retried; the wait ends as soon as the request is aborted. Orders of events
 * are asserted, never durations.
 */
import { createServer } from 'node:http';
import { once } from 'node:events';
import { afterEach, describe, expect, it } from 'vitest';
import { MAX_RETRY_AFTER_MS, remoteFetch, retryAfterMs } from '../../src/mcp/transports/remote-fetch.js';
import { startOAuthLoopback, type OAuthLoopback } from '../support/oauth-loopback.js';
import { expectNoStackTrace, useE2eHarness } from './harness.js';

const h = useE2eHarness();
const servers: OAuthLoopback[] = [];
afterEach(async () => {
  for (const server of servers.splice(0)) await server.close();
});

const calls = (lo: OAuthLoopback) => lo.events.flatMap((event) => (event.kind === 'mcp' && event.method === 'tools/call' ? [event.status] : []));

describe('Retry-After from a remote server', () => {
  it('a 503 with Retry-After: 1 is waited out and the call sent again, and succeeds', async () => {
    const lo = await startOAuthLoopback({ name: 'busy', open: true, busyOnce: { status: 503, retryAfter: '1' } });
    servers.push(lo);
    const config = h.file('busy.json', { mcpServers: { fx: { url: lo.url } } });
    const r = await h.run(['call', 'fx/echo', '{"text": "hi"}', '--config', config]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain('busy echo: hi');
    expect(r.stderr).toContain('server "fx" is busy (HTTP 503); retrying in 1 s as it asks (Retry-After)');
    expect(calls(lo)).toEqual([503, 200]);
  }, 30_000);

  it('a 429 asking for longer than Switchboard waits is reported with the status, not retried', async () => {
    const lo = await startOAuthLoopback({ name: 'busy', open: true, busyOnce: { status: 429, retryAfter: String(MAX_RETRY_AFTER_MS / 1000 + 60) } });
    servers.push(lo);
    const config = h.file('long.json', { mcpServers: { fx: { url: lo.url } } });
    const r = await h.run(['call', 'fx/echo', '{"text": "hi"}', '--config', config]);
    expect(r.code).not.toBe(0);
    expect(r.stdout + r.stderr).toContain(`Error calling echo on server "fx": ${lo.url}: HTTP 429`);
    expect(calls(lo)).toEqual([429]);
    expectNoStackTrace(r.stderr);
  }, 30_000);

  it('the wait ends when the request is aborted, and nothing more is sent', async () => {
    let requests = 0;
    const server = createServer((request, response) => {
      requests++;
      request.resume();
      response.writeHead(503, { 'retry-after': '25' }).end();
    });
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    const url = new URL(`http://127.0.0.1:${(server.address() as { port: number }).port}/mcp`);
    try {
      const abort = new AbortController();
      const waiting: string[] = [];
      // Aborted once the wait has begun (Ctrl+C closing the connection does this).
      const onRetryAfter = (status: number, ms: number) => {
        waiting.push(`${status} ${ms}`);
        setImmediate(() => abort.abort(new Error('interrupted')));
      };
      const fetching = remoteFetch({ serverUrl: url, configHeaders: [], onRetryAfter })(url, { method: 'POST', body: '{}', signal: abort.signal });
      await expect(fetching).rejects.toThrow('interrupted');
      expect(waiting).toEqual(['503 25000']);
      expect(requests).toBe(1);
    } finally {
      server.closeAllConnections();
      server.close();
    }
  });

  it('reads Retry-After as seconds or an HTTP date, and ignores anything else', () => {
    const now = Date.parse('2026-01-01T00:00:00Z');
    expect(retryAfterMs('3', now)).toBe(3000);
    expect(retryAfterMs(' 0 ', now)).toBe(0);
    expect(retryAfterMs('Thu, 01 Jan 2026 00:00:05 GMT', now)).toBe(5000);
    expect(retryAfterMs('Wed, 31 Dec 2025 23:59:00 GMT', now)).toBe(0);
    expect(retryAfterMs('soon', now)).toBeUndefined();
    expect(retryAfterMs('-1', now)).toBeUndefined();
    expect(retryAfterMs(null, now)).toBeUndefined();
  });
});
