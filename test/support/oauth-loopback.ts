/**
 * An OAuth-protected MCP server for tests, in the test's own process, on 127.0.0.1 only:
 * an authorization server (metadata, dynamic registration, an authorization endpoint that
 * redirects straight back with a code, PKCE S256, the authorization_code and refresh_token
 * grants, RFC 8707 `resource` bound into every token) and a resource server (protected
 * resource metadata; the client_credentials grant for the client "m2m" / "m2m-secret"; the SDK's McpServer over stateless Streamable HTTP behind a bearer
 * check that accepts only tokens its own authorization server issued for its own URL).
 *
 * Both append to one ordered `events` list, so a test asserts what happened in which order
 * (never how long it took). Tokens are "<name>-at-<n>" / "<name>-rt-<n>", so a test can see
 * which authorization server issued a token a server received.
 */
import { createHash, randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { once } from 'node:events';
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js';
import { z } from 'zod';

export type OAuthEvent =
  | { at: 'as'; kind: 'metadata' | 'register' | 'authorize'; resource?: string; headers: Record<string, unknown> }
  | { at: 'as'; kind: 'token'; grant: string; resource?: string; issued?: string; refused?: string; headers: Record<string, unknown> }
  | { at: 'rs'; kind: 'prm'; headers: Record<string, unknown> }
  | { at: 'rs'; kind: 'mcp'; method: string; token?: string; status: number; headers: Record<string, unknown> };

export interface OAuthLoopbackOptions {
  /** Prefix of every token this authorization server issues. */
  name: string;
  /** Seconds each new access token lives (expires_in), by grant. */
  lifetime?(grant: string): number;
  /** The `resource` the protected resource metadata names (default: the server's own URL). */
  prmResource?(ownUrl: string): string;
  /** Answer the first tools/call with this status and Retry-After value (then behave). */
  busyOnce?: { status: number; retryAfter: string };
  /** No authorization at all (a plain MCP server, for the Retry-After tests). */
  open?: boolean;
}

export interface OAuthLoopback {
  /** The MCP endpoint, http://127.0.0.1:PORT/mcp */
  url: string;
  issuer: string;
  events: OAuthEvent[];
  /** Every token issued so far is revoked: its refresh is refused (invalid_grant), its access token no longer accepted. */
  revokeAll(): void;
  close(): Promise<void>;
}

interface Issued {
  resource: string | undefined;
  expiresAt: number;
}

async function readBody(request: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

const json = (response: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) =>
  response.writeHead(status, { 'content-type': 'application/json', ...headers }).end(JSON.stringify(body));

async function listen(server: Server): Promise<string> {
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const address = server.address();
  if (!address || typeof address === 'string') throw new Error('no port');
  return `http://127.0.0.1:${address.port}`;
}

export async function startOAuthLoopback(options: OAuthLoopbackOptions): Promise<OAuthLoopback> {
  const events: OAuthEvent[] = [];
  const accessTokens = new Map<string, Issued>();
  const refreshTokens = new Map<string, Issued>();
  const codes = new Map<string, { challenge: string; resource: string | undefined; clientId: string }>();
  let counter = 0;
  let busy = options.busyOnce;
  const lifetime = options.lifetime ?? (() => 3600);

  const as = createServer(async (request, response) => {
    const url = new URL(request.url ?? '/', issuer);
    const headers = { ...request.headers };
    if (url.pathname === '/.well-known/oauth-authorization-server' || url.pathname === '/.well-known/openid-configuration') {
      events.push({ at: 'as', kind: 'metadata', headers });
      return json(response, 200, {
        issuer,
        authorization_endpoint: `${issuer}/authorize`,
        token_endpoint: `${issuer}/token`,
        registration_endpoint: `${issuer}/register`,
        response_types_supported: ['code'],
        grant_types_supported: ['authorization_code', 'refresh_token', 'client_credentials'],
        code_challenge_methods_supported: ['S256'],
        token_endpoint_auth_methods_supported: ['none', 'client_secret_basic'],
        scopes_supported: ['tools:read', 'tools:call'],
      });
    }
    if (url.pathname === '/register' && request.method === 'POST') {
      events.push({ at: 'as', kind: 'register', headers });
      const metadata = JSON.parse(await readBody(request)) as Record<string, unknown>;
      return json(response, 201, { ...metadata, client_id: `${options.name}-client-${++counter}`, token_endpoint_auth_method: 'none' });
    }
    if (url.pathname === '/authorize') {
      const resource = url.searchParams.get('resource') ?? undefined;
      events.push({ at: 'as', kind: 'authorize', ...(resource ? { resource } : {}), headers });
      if (url.searchParams.get('code_challenge_method') !== 'S256') return json(response, 400, { error: 'invalid_request' });
      const code = randomUUID();
      codes.set(code, { challenge: url.searchParams.get('code_challenge') ?? '', resource, clientId: url.searchParams.get('client_id') ?? '' });
      const back = new URL(url.searchParams.get('redirect_uri')!);
      back.searchParams.set('code', code);
      back.searchParams.set('state', url.searchParams.get('state') ?? '');
      return response.writeHead(302, { location: back.href }).end();
    }
    if (url.pathname === '/token' && request.method === 'POST') {
      const form = new URLSearchParams(await readBody(request));
      const grant = form.get('grant_type') ?? '';
      const resource = form.get('resource') ?? undefined;
      const refuse = (reason: string) => {
        events.push({ at: 'as', kind: 'token', grant, ...(resource ? { resource } : {}), refused: reason, headers });
        json(response, 400, { error: 'invalid_grant', error_description: reason });
      };
      let audience: string | undefined;
      if (grant === 'authorization_code') {
        const code = codes.get(form.get('code') ?? '');
        codes.delete(form.get('code') ?? '');
        if (!code) return refuse('unknown code');
        const challenge = createHash('sha256').update(form.get('code_verifier') ?? '').digest('base64url');
        if (challenge !== code.challenge) return refuse('PKCE verifier does not match');
        if (resource !== code.resource) return refuse('resource differs from the authorization request');
        audience = resource;
      } else if (grant === 'refresh_token') {
        const known = refreshTokens.get(form.get('refresh_token') ?? '');
        if (!known) return refuse('unknown or revoked refresh token');
        if (resource !== known.resource) return refuse('resource differs from the original grant');
        audience = known.resource;
      } else if (grant === 'client_credentials') {
        // The pre-registered machine client "m2m" with the secret "m2m-secret", by HTTP Basic.
        const basic = Buffer.from((request.headers.authorization ?? '').replace(/^Basic /, ''), 'base64').toString();
        if (basic !== 'm2m:m2m-secret') return refuse('bad client credentials');
        audience = resource;
      } else return refuse(`unsupported grant ${grant}`);
      const n = ++counter;
      const expiresIn = lifetime(grant);
      const accessToken = `${options.name}-at-${n}`;
      const refreshToken = `${options.name}-rt-${n}`;
      accessTokens.set(accessToken, { resource: audience, expiresAt: Date.now() + expiresIn * 1000 });
      // Like most, a client_credentials grant comes without a refresh token.
      const refreshable = grant !== 'client_credentials';
      if (refreshable) refreshTokens.set(refreshToken, { resource: audience, expiresAt: Infinity });
      events.push({ at: 'as', kind: 'token', grant, ...(resource ? { resource } : {}), issued: accessToken, headers });
      return json(response, 200, { access_token: accessToken, token_type: 'Bearer', expires_in: expiresIn, ...(refreshable ? { refresh_token: refreshToken } : {}), scope: 'tools:read tools:call' });
    }
    response.writeHead(404).end();
  });
  const issuer = await listen(as);

  const rs = createServer(async (request, response) => {
    const url = new URL(request.url ?? '/', base);
    const headers = { ...request.headers };
    if (url.pathname.startsWith('/.well-known/oauth-protected-resource')) {
      events.push({ at: 'rs', kind: 'prm', headers });
      if (options.open) return response.writeHead(404).end();
      return json(response, 200, { resource: options.prmResource?.(mcpUrl) ?? mcpUrl, authorization_servers: [issuer], scopes_supported: ['tools:read', 'tools:call'] });
    }
    if (url.pathname !== '/mcp') return response.writeHead(404).end();
    if (request.method !== 'POST') return response.writeHead(405).end();
    const body = JSON.parse(await readBody(request)) as { method?: string };
    const method = body.method ?? '(response)';
    const token = /^Bearer (.+)$/.exec(request.headers.authorization ?? '')?.[1];
    const record = (status: number) => events.push({ at: 'rs', kind: 'mcp', method, ...(token ? { token } : {}), status, headers });
    if (!options.open) {
      const issued = token ? accessTokens.get(token) : undefined;
      if (!issued || issued.expiresAt <= Date.now() || issued.resource !== mcpUrl) {
        record(401);
        return json(response, 401, { error: 'invalid_token' }, { 'www-authenticate': `Bearer resource_metadata="${base}/.well-known/oauth-protected-resource/mcp"` });
      }
    }
    if (busy && method === 'tools/call') {
      record(busy.status);
      const { status, retryAfter } = busy;
      busy = undefined;
      return json(response, status, { error: 'busy' }, { 'retry-after': retryAfter });
    }
    record(200);
    // Stateless: a server and transport per request.
    const server = new McpServer({ name: `oauth-loopback-${options.name}`, version: '1.0.0' });
    server.registerTool('echo', { description: 'Echoes text', inputSchema: { text: z.string() } }, async ({ text }) => ({ content: [{ type: 'text', text: `${options.name} echo: ${text}` }] }));
    const transport = new StreamableHTTPServerTransport({ sessionIdGenerator: undefined, enableJsonResponse: true });
    response.on('close', () => {
      void transport.close();
      void server.close();
    });
    await server.connect(transport);
    await transport.handleRequest(request, response, body);
  });
  const base = await listen(rs);
  const mcpUrl = `${base}/mcp`;

  return {
    url: mcpUrl,
    issuer,
    events,
    revokeAll() {
      accessTokens.clear();
      refreshTokens.clear();
    },
    async close() {
      for (const server of [as, rs]) {
        server.closeAllConnections();
        await new Promise((done) => server.close(done));
      }
    },
  };
}
