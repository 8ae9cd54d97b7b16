/**
 * The gateway's HTTP front (src/gateway/http.ts) on loopback, in front of a hub with no
 * servers: the path, the bearer token, unknown sessions and the session limit.
 */
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { afterEach, describe, expect, it } from 'vitest';
import { createGatewayServer } from '../../src/gateway/gateway-server.js';
import { listenHttpGateway, type HttpGateway } from '../../src/gateway/http.js';
import { ToolHub } from '../../src/mcp/hub.js';

const TOKEN = 'unit-test-token-0123456789';
const hub = new ToolHub([], { startupTimeoutMs: 5_000, toolTimeoutMs: 5_000, maxToolOutputChars: 10_000 });
const policy = { rules: { allow: [], ask: [], deny: [] }, mode: 'auto' as const, servers: new Map(), trusted: new Set<string>() };

let gateway: HttpGateway | undefined;
const clients: Client[] = [];
afterEach(async () => {
  for (const client of clients.splice(0)) await client.close().catch(() => undefined);
  await gateway?.close();
  gateway = undefined;
});

async function start(maxSessions = 4): Promise<HttpGateway> {
  gateway = await listenHttpGateway({ host: '127.0.0.1', port: 0, token: TOKEN, maxSessions, newServer: () => createGatewayServer({ hub, policy, known: new Set(), timeoutMs: 5_000, log: () => undefined }), log: () => undefined });
  return gateway;
}

async function connect(url: string): Promise<Client> {
  const client = new Client({ name: 'unit', version: '1' });
  await client.connect(new StreamableHTTPClientTransport(new URL(url), { requestInit: { headers: { Authorization: `Bearer ${TOKEN}` } } }));
  clients.push(client);
  return client;
}

const initialize = JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'initialize', params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'x', version: '1' } } });
const headers = { 'Content-Type': 'application/json', Accept: 'application/json, text/event-stream', Authorization: `Bearer ${TOKEN}` };

describe('gateway over HTTP', () => {
  it('answers at /mcp only, only with the token, never to a web page', async () => {
    const { url } = await start();
    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/mcp$/);
    expect((await fetch(url.replace(/\/mcp$/, '/other'), { method: 'POST', headers, body: initialize })).status).toBe(404);
    expect((await fetch(url, { method: 'POST', headers: { ...headers, Authorization: 'Basic abc' }, body: initialize })).status).toBe(401);
    // A web page's request (the browser adds Origin), even with the token: 403.
    expect((await fetch(url, { method: 'POST', headers: { ...headers, Origin: 'http://evil.invalid' }, body: initialize })).status).toBe(403);
    const client = await connect(url);
    expect((await client.listTools()).tools).toEqual([]);
  });

  it('404 for a session it does not know; 400 for a GET without a session', async () => {
    const { url } = await start();
    const unknown = await fetch(url, { method: 'POST', headers: { ...headers, 'Mcp-Session-Id': 'no-such-session' }, body: JSON.stringify({ jsonrpc: '2.0', id: 2, method: 'tools/list' }) });
    expect(unknown.status).toBe(404);
    expect((await fetch(url, { headers })).status).toBe(400);
  });

  it('holds at most maxSessions sessions (503 with Retry-After beyond), and frees one that ends', async () => {
    const { url } = await start(1);
    const first = await connect(url);
    const refused = await fetch(url, { method: 'POST', headers, body: initialize });
    expect(refused.status).toBe(503);
    expect(refused.headers.get('retry-after')).toBe('5');
    // Ending the first session (DELETE) frees its place.
    await (first.transport as StreamableHTTPClientTransport).terminateSession();
    const second = await connect(url);
    expect((await second.listTools()).tools).toEqual([]);
  });
});
