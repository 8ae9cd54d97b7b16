/**
 * The loopback redirect of the authorization-code flow (RFC 8252): an HTTP server on
 * 127.0.0.1:<port>/callback that accepts exactly one redirect carrying the expected `state`,
 * answers the browser with a short page, and closes at once.
 */
import { createServer, type Server } from 'node:http';
import { once } from 'node:events';

/** A free port on 127.0.0.1, for a redirect URI fixed before the server is needed. */
export async function freeLoopbackPort(): Promise<number> {
  const server = createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const address = server.address();
  await new Promise((resolve) => server.close(resolve));
  if (!address || typeof address === 'string') throw new Error('could not find a free loopback port');
  return address.port;
}

export const redirectUrlFor = (port: number): string => `http://127.0.0.1:${port}/callback`;

/**
 * Starts listening on `port`; the promise it returns resolves with the authorization code of
 * the first redirect whose `state` matches, or rejects on an error redirect, the signal, or
 * `timeoutMs`. Redirects with another state are refused (400) and waited past.
 */
export async function listenForRedirect(port: number, expectedState: string, signal: AbortSignal, timeoutMs: number): Promise<{ code: Promise<string> }> {
  let settle: { resolve(code: string): void; reject(error: Error): void } | undefined;
  const code = new Promise<string>((resolve, reject) => (settle = { resolve, reject }));
  code.catch(() => undefined); // the caller may never await it (the flow failed earlier)
  const server: Server = createServer((request, response) => {
    const url = new URL(request.url ?? '/', `http://127.0.0.1:${port}`);
    if (url.pathname !== '/callback') {
      response.writeHead(404).end();
      return;
    }
    if (url.searchParams.get('state') !== expectedState) {
      response.writeHead(400, { 'content-type': 'text/plain' }).end('This redirect does not belong to the sign-in Switchboard started (state mismatch).');
      return;
    }
    const error = url.searchParams.get('error');
    const received = url.searchParams.get('code');
    response.writeHead(error || !received ? 400 : 200, { 'content-type': 'text/plain', connection: 'close' });
    response.end(error || !received ? 'Authorization failed; see the terminal.' : 'Switchboard is authorized. You can close this tab.');
    finish(() => (error || !received ? settle!.reject(new Error(`the authorization server refused: ${error ?? 'no code in the redirect'}${url.searchParams.get('error_description') ? ` (${url.searchParams.get('error_description')})` : ''}`)) : settle!.resolve(received)));
  });
  const timer = setTimeout(() => finish(() => settle!.reject(new Error(`no redirect arrived within ${Math.round(timeoutMs / 1000)} s`))), timeoutMs);
  const onAbort = () => finish(() => settle!.reject(new Error('interrupted while waiting for the authorization redirect')));
  signal.addEventListener('abort', onAbort, { once: true });
  let done = false;
  function finish(outcome: () => void): void {
    if (done) return;
    done = true;
    clearTimeout(timer);
    signal.removeEventListener('abort', onAbort);
    server.close();
    server.closeAllConnections();
    outcome();
  }
  server.listen(port, '127.0.0.1');
  await once(server, 'listening');
  return { code };
}
