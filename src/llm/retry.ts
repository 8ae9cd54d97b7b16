/**
 * When and how long to wait before retrying a model request.
 *
 * Retried: HTTP 408, 429 and 5xx, connection failures and resets, a stream that broke
 * before it finished (cut off, or a malformed chunk after good ones), and an idle timeout.
 * Not retried: 401/403 (a token problem, said as such), other 4xx, a first response that
 * is not a chat-completions stream at all, a refused connection to a loopback address
 * (nothing is listening: waiting will not start the server), and the user's own abort.
 * Back-off is exponential with jitter (half fixed, half random), and a server's
 * `Retry-After` wins when it asks for longer.
 *
 * Classification reads codes (HTTP status, `error.code` along the cause chain, error
 * classes and names), never message text.
 */
import { BlockList } from 'node:net';

export type FailureKind = 'auth' | 'retryable' | 'fatal' | 'aborted';

export interface ClassifiedFailure {
  kind: FailureKind;
  /** One line for the user, e.g. "HTTP 503 from the model server". */
  reason: string;
  status?: number;
}

/** What the caller knows about the failed attempt, beyond the error itself. */
export interface AttemptContext {
  /** The URL the request went to (shown in connection errors). */
  url?: string;
  /** True once at least one chunk of the stream was parsed: the server does speak the protocol. */
  streamStarted?: boolean;
  /** The response's Content-Type, when a response arrived. */
  contentType?: string;
}

/** Reads the HTTP status from `@huggingface/inference`'s errors without importing the library. */
export function httpStatusOf(error: unknown): number | undefined {
  const response = (error as { httpResponse?: { status?: unknown } } | null)?.httpResponse;
  return typeof response?.status === 'number' && response.status > 0 ? response.status : undefined;
}

const NETWORK_CODES = new Set(['ECONNRESET', 'ECONNREFUSED', 'EPIPE', 'ETIMEDOUT', 'UND_ERR_SOCKET', 'UND_ERR_CLOSED', 'EAI_AGAIN', 'UND_ERR_CONNECT_TIMEOUT', 'ENOTFOUND', 'EHOSTUNREACH', 'ENETUNREACH', 'ENETDOWN', 'ECONNABORTED', 'UND_ERR_HEADERS_TIMEOUT', 'UND_ERR_BODY_TIMEOUT']);

/** Codes of a name that does not resolve: retrying will not make it resolve (EAI_AGAIN, a temporary DNS failure, is retried). */
const PERMANENT_CODES = new Set(['ENOTFOUND']);

const COMPATIBILITY_HINT = 'is --endpoint-url an OpenAI-compatible chat completions server (its base URL usually ends in /v1)?';

export function classifyFailure(error: unknown, userSignal: AbortSignal | undefined, context: AttemptContext = {}): ClassifiedFailure {
  if (userSignal?.aborted) return { kind: 'aborted', reason: 'interrupted' };
  const status = httpStatusOf(error);
  if (status !== undefined && status < 300) {
    const contentType = context.contentType?.split(';')[0]?.trim();
    if (!context.streamStarted && contentType && contentType !== 'text/event-stream') {
      // A 200 that is not a stream at all (an HTML page, a JSON document): the wrong server, not a broken one.
      return { kind: 'fatal', reason: `the model server answered with ${contentType}, not a stream of chat completion chunks; ${COMPATIBILITY_HINT}`, status };
    }
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
    const detail = error.message.slice(0, 120);
    // After good chunks, a garbage line is a broken stream (proxies and overloaded servers send them);
    // before any, the server does not speak the protocol.
    if (context.streamStarted) return { kind: 'retryable', reason: `the model stream broke: a chunk that is not valid JSON (${detail})` };
    return { kind: 'fatal', reason: `the model server sent a response that is not valid JSON (${detail}); ${COMPATIBILITY_HINT}` };
  }
  if (error instanceof IdleTimeoutError) return { kind: 'retryable', reason: error.message };
  if (isTimeout(error)) return { kind: 'retryable', reason: 'the model request timed out' };
  const network = networkFailure(error);
  if (network) {
    const where = context.url ? ` to ${context.url}` : '';
    const detail = network.address ? `${network.code} ${network.address}` : network.code;
    if ((network.code === 'ECONNREFUSED' && network.loopback) || PERMANENT_CODES.has(network.code)) {
      const hint = network.code === 'ECONNREFUSED' ? ': nothing is listening there; is the model server running, on this port?' : ': the host name does not resolve; check --endpoint-url';
      return { kind: 'fatal', reason: `connection failed${where} (${detail})${hint}` };
    }
    return { kind: 'retryable', reason: `connection failed${where} (${detail})` };
  }
  return { kind: 'fatal', reason: messageWithCauses(error) };
}

/** `fetch failed: connect EHOSTDOWN ...`: an error's message and those of its causes, each once. */
function messageWithCauses(error: unknown): string {
  const parts: string[] = [];
  for (let current: unknown = error, depth = 0; current && depth < 4; depth++) {
    const message = current instanceof Error ? current.message : typeof current === 'string' ? current : '';
    if (message && !parts.some((part) => part.includes(message))) parts.push(message);
    current = (current as { cause?: unknown }).cause;
  }
  return parts.join(': ') || String(error);
}

/** The stream ended without a finish reason: the connection was cut mid-answer. */
export class StreamCutError extends Error {
  constructor() {
    super('the model stream ended before the answer was complete');
    this.name = 'StreamCutError';
  }
}

/** The model server sent nothing for the idle timeout: the reason an attempt is aborted with. */
export class IdleTimeoutError extends Error {
  constructor(idleMs: number) {
    super(`the model request timed out: the server sent nothing for ${seconds(idleMs)} s`);
    this.name = 'TimeoutError';
  }
}

/** Seconds for a message: whole from 10 s up, else with one decimal. */
export function seconds(ms: number): number {
  return ms >= 10_000 ? Math.round(ms / 1000) : Number((ms / 1000).toFixed(1));
}

/** `AbortSignal.timeout()`'s DOMException, or an abort whose reason is one. */
function isTimeout(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  if (error.name === 'TimeoutError') return true;
  const cause = (error as { cause?: unknown }).cause;
  return error.name === 'AbortError' && cause instanceof Error && cause.name === 'TimeoutError';
}

const LOOPBACK = new BlockList();
LOOPBACK.addSubnet('127.0.0.0', 8, 'ipv4');
LOOPBACK.addAddress('::1', 'ipv6');

interface NetworkFailure {
  code: string;
  /** `127.0.0.1:8080`, when the error says where it tried to connect. */
  address?: string;
  loopback: boolean;
}

/** The first network error code along the cause chain (undici puts it in `cause`; a dual-stack connect in `AggregateError.errors`). */
function networkFailure(error: unknown): NetworkFailure | undefined {
  for (let current: unknown = error, depth = 0; current && depth < 6; depth++) {
    const { address, port, hostname } = current as { address?: unknown; port?: unknown; hostname?: unknown };
    // An AggregateError carries the code of its attempts, on itself or only on them.
    const code = (current as { code?: unknown }).code ?? (current instanceof AggregateError ? (current.errors[0] as { code?: unknown } | undefined)?.code : undefined);
    if (typeof code === 'string' && NETWORK_CODES.has(code)) {
      const attempts = current instanceof AggregateError ? current.errors : [current];
      const where = attempts.map((e) => (e as { address?: unknown }).address).filter((a): a is string => typeof a === 'string');
      if (where.length === 0 && typeof hostname === 'string') return { code, address: hostname, loopback: false }; // a DNS failure names the host
      const first = typeof address === 'string' ? address : where[0];
      const firstPort = typeof port === 'number' ? port : (attempts[0] as { port?: unknown } | undefined)?.port;
      return {
        code,
        ...(first ? { address: typeof firstPort === 'number' ? `${first.includes(':') ? `[${first}]` : first}:${firstPort}` : first } : {}),
        loopback: where.length > 0 && where.every(isLoopback),
      };
    }
    current = (current as { cause?: unknown }).cause;
  }
  return undefined;
}

function isLoopback(address: string): boolean {
  const v4mapped = address.startsWith('::ffff:') ? address.slice(7) : address;
  return v4mapped.includes(':') ? LOOPBACK.check(v4mapped, 'ipv6') : LOOPBACK.check(v4mapped, 'ipv4');
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

/** `Retry-After` as milliseconds: delta-seconds or an HTTP date. Not capped here: the caller compares it with its own limit (maxRetryWait). */
export function parseRetryAfter(value: string | null | undefined, now = Date.now()): number | undefined {
  if (!value) return undefined;
  const seconds = Number(value);
  const ms = Number.isFinite(seconds) ? seconds * 1000 : Date.parse(value) - now;
  if (!Number.isFinite(ms) || ms < 0) return undefined;
  return ms;
}
