/**
 * The gateway over Streamable HTTP (`serve --mcp --http`): the SDK's
 * StreamableHTTPServerTransport, one per MCP session, each with its own gateway Server.
 *
 * Contract:
 * - One endpoint, `/mcp` (POST, GET for the server's notification stream, DELETE to end a
 *   session); any other path is 404.
 * - Every request needs `Authorization: Bearer <token>` (constant-time compare, serve/token.ts):
 *   401 with `WWW-Authenticate: Bearer` otherwise, before anything else is read.
 * - No CORS, and a request with an `Origin` header is 403 (as `serve` does, and as the MCP spec
 *   asks against DNS rebinding): a web page cannot drive the tools; MCP clients send no Origin.
 * - A request naming an unknown (or ended) session gets 404, as the spec says, so the client
 *   starts a new one. At most `maxSessions` sessions at once: beyond it a new one gets 503.
 * - The SDK bounds each request body (4 MiB) and batch size.
 */
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server as HttpServer, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js';
import { checkBearer } from '../serve/token.js';
import type { GatewayServer } from './gateway-server.js';

export const GATEWAY_PATH = '/mcp';
export const DEFAULT_MAX_SESSIONS = 32;

export interface HttpGatewayOptions {
  host: string;
  port: number;
  token: string;
  maxSessions?: number;
  /** A gateway Server for a new session (gateway-server.ts). */
  newServer(): GatewayServer;
  log(message: string): void;
}

export interface HttpGateway {
  /** `http://host:port/mcp`, with the port actually bound (for --port 0). */
  url: string;
  /** Tells every session's client when its listing changed. */
  toolsMayHaveChanged(): void;
  /** Ends every session and stops listening. */
  close(): Promise<void>;
  /** Resolves when the HTTP server fails after it started (e.g. an error on the socket). */
  failed: Promise<Error>;
}

interface Session {
  transport: StreamableHTTPServerTransport;
  gateway: GatewayServer;
}

export async function listenHttpGateway(options: HttpGatewayOptions): Promise<HttpGateway> {
  const sessions = new Map<string, Session>();
  const maxSessions = options.maxSessions ?? DEFAULT_MAX_SESSIONS;
  /** Sessions being set up (initialize under way), counted against maxSessions too. */
  let pending = 0;

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const path = new URL(req.url ?? '/', 'http://gateway.invalid').pathname;
    if (path !== GATEWAY_PATH) return reply(res, 404, `Not found: the MCP gateway answers at ${GATEWAY_PATH}.`);
    if (!checkBearer(req.headers.authorization, options.token)) {
      res.setHeader('WWW-Authenticate', 'Bearer');
      return reply(res, 401, 'Unauthorized: send "Authorization: Bearer <token>" with the token switchboard serve printed (or the one in --token-env).');
    }
    if (req.headers.origin !== undefined) return reply(res, 403, 'Forbidden: requests from web pages (with an Origin header) are refused; the MCP gateway serves MCP clients, not browsers.');
    const sessionId = req.headers['mcp-session-id'];
    if (typeof sessionId === 'string') {
      const session = sessions.get(sessionId);
      if (!session) return reply(res, 404, 'Session not found: it ended or never existed; start a new one with initialize.');
      return session.transport.handleRequest(req, res);
    }
    if (req.method !== 'POST') return reply(res, 400, 'Bad request: no Mcp-Session-Id header; start a session with an initialize POST.');
    if (sessions.size + pending >= maxSessions) {
      res.setHeader('Retry-After', '5');
      return reply(res, 503, `Too many sessions: the gateway holds at most ${maxSessions} at once; end one (DELETE) or try again later.`);
    }
    pending++;
    const gateway = options.newServer();
    const transport = new StreamableHTTPServerTransport({
      sessionIdGenerator: () => randomUUID(),
      onsessioninitialized: (id) => {
        sessions.set(id, { transport, gateway });
      },
    });
    transport.onclose = () => {
      if (transport.sessionId !== undefined) sessions.delete(transport.sessionId);
      void gateway.server.close().catch(() => undefined);
    };
    try {
      await gateway.server.connect(transport);
      await transport.handleRequest(req, res);
    } finally {
      pending--;
      // Not an initialize (the transport answered with an error): nothing to keep.
      if (transport.sessionId === undefined || !sessions.has(transport.sessionId)) await gateway.server.close().catch(() => undefined);
    }
  };

  let onFailure: (error: Error) => void = () => undefined;
  const failed = new Promise<Error>((resolve) => (onFailure = resolve));
  const http: HttpServer = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      options.log(`switchboard: MCP gateway: a request failed: ${(error as Error).message}`);
      if (!res.headersSent) reply(res, 500, 'Internal error in the gateway.');
      else res.end();
    });
  });
  await new Promise<void>((resolve, reject) => {
    http.once('error', reject);
    http.listen(options.port, options.host, () => {
      http.off('error', reject);
      http.on('error', onFailure);
      resolve();
    });
  });
  const address = http.address() as AddressInfo;
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  return {
    url: `http://${host}:${address.port}${GATEWAY_PATH}`,
    failed,
    toolsMayHaveChanged() {
      for (const session of sessions.values()) session.gateway.toolsMayHaveChanged();
    },
    async close() {
      await Promise.allSettled([...sessions.values()].map((session) => session.transport.close()));
      sessions.clear();
      http.closeAllConnections();
      await new Promise<void>((resolve) => http.close(() => resolve()));
    },
  };
}

/** A JSON-RPC style error body, as the SDK's transport answers its own errors. */
function reply(res: ServerResponse, status: number, message: string): void {
  res.writeHead(status, { 'Content-Type': 'application/json' }).end(JSON.stringify({ jsonrpc: '2.0', error: { code: -32000, message }, id: null }));
}
