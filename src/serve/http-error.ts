/**
 * Errors of the OpenAI-compatible endpoint, in OpenAI's wire shape:
 * `{"error": {"message", "type", "param", "code"}}` with the matching HTTP status.
 * `openai` clients turn these into their typed errors (AuthenticationError for 401, ...).
 * The message sent is masked with the run's redactor (config secrets): it may quote a model's
 * or a server's error, or what the client sent.
 */
import type { ServerResponse } from 'node:http';
import { runRedactor } from '../policy/secrets.js';

export type ErrorType = 'invalid_request_error' | 'authentication_error' | 'not_found_error' | 'rate_limit_error' | 'server_error' | 'api_error';

export class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly type: ErrorType,
    readonly code: string | null = null,
    readonly param: string | null = null,
    /** Extra response headers (Retry-After, Allow). */
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
    this.name = 'HttpError';
  }

  /** What the client gets: every error response and in-stream error event is written from this. */
  get body(): { error: { message: string; type: ErrorType; param: string | null; code: string | null } } {
    return { error: { message: runRedactor.redact(this.message), type: this.type, param: this.param, code: this.code } };
  }
}

export const badRequest = (message: string, param: string | null = null, code: string | null = 'invalid_request') => new HttpError(400, message, 'invalid_request_error', code, param);

/** Writes `error` as JSON, unless the response has started (then the caller reports it in-stream). */
export function sendError(res: ServerResponse, error: HttpError, extraHeaders: Record<string, string> = {}): void {
  if (res.headersSent) return;
  const text = JSON.stringify(error.body);
  res.writeHead(error.status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text), ...extraHeaders, ...error.headers });
  res.end(text);
}
