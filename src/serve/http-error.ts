/**
 * Errors of the OpenAI-compatible endpoint, in OpenAI's wire shape:
 * `{"error": {"message", "type", "param", "code"}}` with the matching HTTP status.
 * `openai` clients turn these into their typed errors (AuthenticationError for 401, ...).
 */
import type { ServerResponse } from 'node:http';

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

  get body(): { error: { message: string; type: ErrorType; param: string | null; code: string | null } } {
    return { error: { message: this.message, type: this.type, param: this.param, code: this.code } };
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
