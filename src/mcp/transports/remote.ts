/**
 * The remote side of the transport seam: Streamable HTTP and the legacy HTTP+SSE transport,
 * both the SDK's; this file adds only what they lack:
 * - the choice between them (`auto`: Streamable HTTP first, then SSE on the status codes the
 *   MCP spec's backwards-compatibility section names, each on a fresh client);
 * - ending the session on close (an HTTP DELETE; the SDK's `close()` alone does not);
 * - the refusal of plain http:// to a host that is not loopback (headers and tokens would
 *   travel in clear text) unless the entry allows it;
 * - failures described with the URL and the cause (refused, DNS, TLS, HTTP status);
 * - `Retry-After` on a 429/503, and the entry's headers kept from other hosts (remote-fetch.ts).
 * (The SDK already waits the `retry:` a server's SSE stream names before reconnecting it.)
 *
 * Headers from the config go on every request (`requestInit.headers`); they are secrets
 * and never appear in a message written here.
 */
import type { Transport } from '@modelcontextprotocol/sdk/shared/transport.js';
import type { OAuthClientProvider } from '@modelcontextprotocol/sdk/client/auth.js';
import { UnauthorizedError } from '@modelcontextprotocol/sdk/client/auth.js';
import { SSEClientTransport, SseError } from '@modelcontextprotocol/sdk/client/sse.js';
import { StreamableHTTPClientTransport, StreamableHTTPError } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { OAuthError } from '@modelcontextprotocol/sdk/server/auth/errors.js';
import type { ServerSpec } from '../../config/schema.js';
import { isLoopbackHost } from '../../policy/transport.js';
import { remoteFetch } from './remote-fetch.js';

export type RemoteKind = 'streamable-http' | 'sse';

/** Streamable HTTP whose `close()` first ends the server-side session (HTTP DELETE), when there is one. */
export class SessionEndingTransport extends StreamableHTTPClientTransport {
  /** Set when the server is known to be gone: no DELETE is attempted. */
  unreachable = false;

  override async close(): Promise<void> {
    // A server that is gone cannot be told; the DELETE is bounded so close() never hangs on it.
    if (this.sessionId && !this.unreachable) await Promise.race([this.terminateSession().catch(() => undefined), new Promise((r) => setTimeout(r, 2_000).unref())]);
    await super.close();
  }
}

/** One way to reach the server; `finishAuth` completes an authorization-code flow on it. */
export interface RemoteTransport {
  kind: RemoteKind;
  transport: Transport;
  finishAuth(code: string): Promise<void>;
}

/** The transports to try, in order: one for an explicit type, Streamable HTTP then SSE for `auto`. */
export function remoteKinds(spec: ServerSpec): RemoteKind[] {
  if (spec.remoteKind === 'sse') return ['sse'];
  if (spec.remoteKind === 'streamable-http') return ['streamable-http'];
  return ['streamable-http', 'sse'];
}

/** `onRetryAfter` is told when the server answered 429/503 with a `Retry-After` that is being waited out. */
export function createRemoteTransport(spec: ServerSpec, kind: RemoteKind, authProvider: OAuthClientProvider | undefined, onRetryAfter?: (status: number, waitMs: number) => void): RemoteTransport {
  const url = new URL(spec.url!);
  const requestInit: RequestInit = { headers: { ...spec.headers } };
  const fetch = remoteFetch({ serverUrl: url, configHeaders: Object.keys(spec.headers ?? {}), ...(onRetryAfter ? { onRetryAfter: (status, waitMs) => onRetryAfter(status, waitMs) } : {}) });
  if (kind === 'sse') {
    const transport = new SSEClientTransport(url, { requestInit, fetch, ...(authProvider ? { authProvider } : {}) });
    return { kind, transport, finishAuth: (code) => transport.finishAuth(code) };
  }
  const transport = new SessionEndingTransport(url, { requestInit, fetch, ...(authProvider ? { authProvider } : {}) });
  return { kind, transport, finishAuth: (code) => transport.finishAuth(code) };
}

/**
 * Why the URL may not be used, or undefined when it may: plain http to a host that is not
 * loopback needs `"allowInsecure": true`.
 */
export function insecureUrlProblem(spec: ServerSpec): string | undefined {
  const url = new URL(spec.url!);
  if (url.protocol !== 'http:' || isLoopbackHost(url.hostname) || spec.allowInsecure) return undefined;
  return `refusing plain http:// to ${url.host}, which is not a loopback address: its headers and tokens would travel in clear text. Use https://, or add "allowInsecure": true to the server entry if you accept that`;
}

/**
 * A failed Streamable HTTP attempt that means "this server speaks the old HTTP+SSE
 * transport" (spec, backwards compatibility: a 4xx such as 400, 404 or 405 to the POST of
 * initialize). Anything else (refused, 401, 5xx) is a real failure, not a reason to switch.
 */
export function isLegacyServerSignal(error: unknown): boolean {
  return error instanceof StreamableHTTPError && error.code !== undefined && [400, 404, 405].includes(error.code);
}

/** A 404 to a request that carried a session id: the session expired and must be re-initialized. */
export function isExpiredSession(error: unknown): boolean {
  return error instanceof StreamableHTTPError && error.code === 404;
}

/** A request the server answered with an HTTP error status (the SDK's error names no status in its message). */
export function isHttpStatusError(error: unknown): boolean {
  return (error instanceof StreamableHTTPError || error instanceof SseError) && error.code !== undefined && error.code > 0;
}

export function isUnauthorized(error: unknown): boolean {
  return error instanceof UnauthorizedError;
}

/**
 * Errors that mean the server cannot be reached any more (the network request itself failed,
 * a 5xx, or the SDK gave up resuming a dropped stream): treated like a crashed process.
 * The SDK gives these no codes, so its reconnection messages are matched by their text.
 */
export function isLostConnection(error: unknown): boolean {
  if (error instanceof StreamableHTTPError || error instanceof SseError) return error.code !== undefined && error.code >= 500;
  if (!(error instanceof Error)) return false;
  if (error instanceof TypeError && /fetch failed/i.test(error.message)) return true;
  return /Maximum reconnection attempts/i.test(error.message);
}

/**
 * A response or notification stream broke. The SDK resumes it when the server made that
 * possible (an event id); whether the server itself is still there is for a ping to tell.
 */
export function isStreamDrop(error: unknown): boolean {
  return error instanceof Error && /SSE stream disconnected/i.test(error.message);
}

/** The cause of a failed request in words, e.g. "connection refused", "DNS lookup failed (ENOTFOUND)". */
export function describeRemoteError(error: unknown): string {
  if (error instanceof StreamableHTTPError || error instanceof SseError) {
    const status = error.code === undefined ? '' : `HTTP ${error.code}`;
    const detail = error.message.replace(/^(Streamable HTTP|SSE) error: /, '').trim();
    return [status, detail].filter(Boolean).join(': ').slice(0, 300);
  }
  if (error instanceof OAuthError) {
    // The SDK met a 401 (or a 403 asking for more scopes) and its OAuth flow failed.
    return `the server asked for authorization, and signing in with OAuth failed (${error.errorCode}${error.message ? `: ${error.message}` : ''}); check the token in the entry's "headers", or its "auth" settings`;
  }
  if (!(error instanceof Error)) return String(error);
  const cause = (error as { cause?: { code?: string; message?: string } }).cause;
  const code = cause?.code ?? '';
  if (code === 'ECONNREFUSED') return 'connection refused (is the server running?)';
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN') return `DNS lookup failed (${code}): no such host`;
  if (code === 'ECONNRESET' || code === 'UND_ERR_SOCKET') return 'the connection was dropped';
  if (/CERT|SSL|TLS/i.test(code) || /certificate|TLS|SSL/i.test(cause?.message ?? '')) return `TLS error (${code || cause?.message})`;
  if (cause?.message) return `${error.message}: ${cause.message}`;
  return error.message || error.name;
}
