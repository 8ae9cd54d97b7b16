/**
 * When and how long to wait before retrying a model request.
 *
 * Retried: HTTP 429 and 5xx, connection failures and resets, and a stream that broke
 * before it finished. Not retried: 401/403 (a token problem, said as such), other 4xx,
 * and the user's own abort. Back-off is exponential with jitter (half fixed, half random), and a server's
 * `Retry-After` wins when it asks for longer.
 */

export type FailureKind = 'auth' | 'retryable' | 'fatal' | 'aborted';

export interface ClassifiedFailure {
  kind: FailureKind;
  /** One line for the user, e.g. "HTTP 503 from the model server". */
  reason: string;
  status?: number;
}

/** Reads the HTTP status from `@huggingface/inference`'s errors without importing the library. */
export function httpStatusOf(error: unknown): number | undefined {
  const response = (error as { httpResponse?: { status?: unknown } } | null)?.httpResponse;
  return typeof response?.status === 'number' && response.status > 0 ? response.status : undefined;
}

const NETWORK_CODES = new Set(['ECONNRESET', 'ECONNREFUSED', 'EPIPE', 'ETIMEDOUT', 'UND_ERR_SOCKET', 'UND_ERR_CLOSED', 'EAI_AGAIN', 'UND_ERR_CONNECT_TIMEOUT']);

export function classifyFailure(error: unknown, userSignal: AbortSignal | undefined): ClassifiedFailure {
  if (userSignal?.aborted) return { kind: 'aborted', reason: 'interrupted' };
  const status = httpStatusOf(error);
  if (status !== undefined && status < 300) {
    // The server accepted the request, then sent an error event mid-stream: a broken stream.
    return { kind: 'retryable', reason: `the model server reported an error mid-stream (${error instanceof Error ? error.message.replace(/^Failed to perform inference: /, '') : 'unknown'})` };
  }
  if (status !== undefined) {
    if (status === 401 || status === 403) return { kind: 'auth', reason: `HTTP ${status} from the model server`, status };
    if (status === 408 || status === 429 || status >= 500) return { kind: 'retryable', reason: `HTTP ${status} from the model server`, status };
    return { kind: 'fatal', reason: `HTTP ${status} from the model server`, status };
  }
  if (error instanceof StreamCutError) return { kind: 'retryable', reason: error.message };
  if (error instanceof SyntaxError) {
    return { kind: 'fatal', reason: `the model server sent a response that is not valid JSON (${error.message.slice(0, 120)}); is --endpoint-url an OpenAI-compatible chat completions server?` };
  }
  if (isTimeout(error)) {
    const message = (error as Error).message;
    return { kind: 'retryable', reason: message.startsWith('the model request timed out') ? message : 'the model request timed out' };
  }
  const code = networkCode(error);
  if (code) return { kind: 'retryable', reason: `connection failed (${code})` };
  if (error instanceof TypeError && /fetch failed|terminated|network/i.test(error.message)) {
    return { kind: 'retryable', reason: `connection failed (${error.message})` };
  }
  return { kind: 'fatal', reason: error instanceof Error ? error.message : String(error) };
}

/** The stream ended without a finish reason: the connection was cut mid-answer. */
export class StreamCutError extends Error {
  constructor() {
    super('the model stream ended before the answer was complete');
    this.name = 'StreamCutError';
  }
}

function isTimeout(error: unknown): boolean {
  return error instanceof Error && (error.name === 'TimeoutError' || (error.name === 'AbortError' && /timeout/i.test(String((error as { cause?: unknown }).cause ?? ''))));
}

function networkCode(error: unknown): string | undefined {
  for (let current: unknown = error, depth = 0; current && depth < 5; depth++) {
    const code = (current as { code?: unknown }).code;
    if (typeof code === 'string' && NETWORK_CODES.has(code)) return code;
    current = (current as { cause?: unknown }).cause;
  }
  return undefined;
}

export interface BackoffOptions {
  baseMs: number;
  maxMs: number;
  random?: () => number;
}

/** Delay before retry number `attempt` (1-based), with jitter, at least `retryAfterMs` when given. */
export function backoffDelay(attempt: number, retryAfterMs: number | undefined, options: BackoffOptions): number {
  const ceiling = Math.min(options.maxMs, options.baseMs * 2 ** (attempt - 1));
  const jittered = Math.round(ceiling / 2 + (options.random ?? Math.random)() * (ceiling / 2));
  return Math.max(jittered, retryAfterMs ?? 0);
}

/** `Retry-After` as milliseconds: delta-seconds or an HTTP date. Capped at 5 minutes. */
export function parseRetryAfter(value: string | null | undefined, now = Date.now()): number | undefined {
  if (!value) return undefined;
  const seconds = Number(value);
  const ms = Number.isFinite(seconds) ? seconds * 1000 : Date.parse(value) - now;
  if (!Number.isFinite(ms) || ms < 0) return undefined;
  return Math.min(ms, 300_000);
}
