/**
 * The `fetch` the remote transports use (every request: MCP messages, the GET stream, the
 * session DELETE, and the SDK's OAuth discovery and token requests). It adds two things:
 *
 * - `Retry-After`: a 429 or 503 carrying it is waited out (seconds or an HTTP date, at most
 *   MAX_RETRY_AFTER_MS; the wait ends at once when the request's signal aborts, e.g. Ctrl+C
 *   closing the connection) and the request sent again, at most MAX_RETRIES times. A server
 *   asking for a longer wait, or one that keeps refusing, gets its answer passed on: the
 *   caller reports the HTTP status as for any other failure.
 * - The entry's configured headers (API keys) go only to the server's own origin: the SDK
 *   merges them into every request, including those to an authorization server elsewhere.
 */
export type FetchLike = (url: string | URL, init?: RequestInit) => Promise<Response>;

export const MAX_RETRY_AFTER_MS = 30_000;
export const MAX_RETRIES = 2;

/** What the server asked for, in milliseconds; undefined when the header is absent or unreadable. */
export function retryAfterMs(header: string | null, now = Date.now()): number | undefined {
  if (header === null) return undefined;
  const text = header.trim();
  if (/^\d+$/.test(text)) return Number(text) * 1000;
  if (!/[a-z]/i.test(text)) return undefined; // neither seconds nor an HTTP date (e.g. "-1")
  const date = Date.parse(text);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}

export interface RemoteFetchOptions {
  /** The server's URL: its origin alone receives `configHeaders`. */
  serverUrl: URL;
  /** Names of the entry's configured headers. */
  configHeaders: string[];
  /** Told before each wait (for a notice). */
  onRetryAfter?(status: number, waitMs: number, url: URL): void;
  /** The underlying fetch (default: the global one). */
  base?: FetchLike;
}

export function remoteFetch(options: RemoteFetchOptions): FetchLike {
  const base = options.base ?? ((url, init) => fetch(url, init));
  const names = options.configHeaders.map((name) => name.toLowerCase());
  return async (input, init) => {
    const url = new URL(input instanceof URL ? input.href : String(input));
    let request = init;
    if (names.length > 0 && url.origin !== options.serverUrl.origin && init?.headers) {
      const headers = new Headers(init.headers);
      for (const name of names) headers.delete(name);
      request = { ...init, headers };
    }
    // A body that is a stream cannot be sent twice; the SDK's are strings or form parameters.
    const repeatable = request?.body === undefined || request.body === null || typeof request.body === 'string' || request.body instanceof URLSearchParams;
    for (let attempt = 0; ; attempt++) {
      const response = await base(url, request);
      if ((response.status !== 429 && response.status !== 503) || attempt >= MAX_RETRIES || !repeatable) return response;
      const wait = retryAfterMs(response.headers.get('retry-after'));
      if (wait === undefined || wait > MAX_RETRY_AFTER_MS) return response;
      await response.body?.cancel().catch(() => undefined);
      options.onRetryAfter?.(response.status, wait, url);
      await delay(wait, request?.signal ?? undefined);
    }
  };
}

/** Waits `ms`, or rejects with the signal's reason as soon as it aborts. */
function delay(ms: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason ?? new Error('aborted'));
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal!.reason ?? new Error('aborted'));
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
