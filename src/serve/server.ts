/**
 * The HTTP side of `switchboard serve`: routes, bearer auth, CORS, the concurrency limit,
 * body limits, the per-request log line, and draining.
 *
 * Contract:
 * - `POST /v1/chat/completions`, `GET /v1/models`, `GET /v1/models/{id}`; another path is 404,
 *   another method on these paths 405 (with `Allow`).
 * - Every request needs `Authorization: Bearer <token>` (401 otherwise; CORS preflights are
 *   the one exception, as browsers send them without credentials).
 * - CORS off by default: no CORS headers, OPTIONS is 405, and a request carrying an `Origin`
 *   header is refused (403): a web page in the user's browser cannot use the endpoint. With
 *   `cors` set, that one origin (and only it) gets CORS headers and preflights.
 * - At most `maxConcurrent` completions at once; beyond: 429 with `Retry-After`.
 * - Bodies over MAX_BODY_BYTES: 413. A client that goes away (the response closes before it
 *   ended) aborts its turn: the model request and the tool calls (the servers get
 *   notifications/cancelled).
 * - `drain(ms)`: stops accepting connections, answers 503 to new requests on open ones, lets
 *   the running turns finish for up to `ms`, then aborts the rest and waits for them to unwind.
 * - One log line per request: method, path, status, duration, tool calls (the prompt only
 *   with `logPrompts`).
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { AgentEvent } from '../agent/events.js';
import { errorMessage } from '../errors.js';
import { oneLine } from '../ui/style.js';
import { badRequest, HttpError, sendError } from './http-error.js';
import { MAX_BODY_BYTES, parseChatRequest, prepareTurn } from './request.js';
import { checkBearer } from './token.js';
import { serveTurn, type AgentSetup } from './turn.js';

export interface CompletionServerOptions {
  token: string;
  /** The configured model's id, the only one `model` may name. */
  modelId: string;
  agent: AgentSetup;
  maxConcurrent: number;
  /** The one origin allowed cross-origin requests (--cors), if any. */
  cors?: string;
  /** Stream a thinking model's reasoning as `delta.reasoning_content` (config "showReasoning", --hide-reasoning). */
  showReasoning: boolean;
  /** Log the last user message of each request (--log-level debug). */
  logPrompts: boolean;
  log(line: string): void;
  /** Every agent event of every request (the --log-file). */
  observe?(event: AgentEvent): void;
}

/** Seconds a client is told to wait when every slot is taken. */
const RETRY_AFTER_SECONDS = 1;

export class CompletionServer {
  private readonly server: http.Server;
  private readonly running = new Set<AbortController>();
  private readonly finished = new Set<() => void>();
  private draining = false;
  private active = 0;

  constructor(private readonly options: CompletionServerOptions) {
    this.server = http.createServer((req, res) => void this.handle(req, res));
  }

  listen(host: string, port: number): Promise<AddressInfo> {
    return new Promise((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen({ host, port, exclusive: true }, () => {
        this.server.off('error', reject);
        resolve(this.server.address() as AddressInfo);
      });
    });
  }

  /** See the contract. Resolves once every turn has ended and the server is closed. */
  async drain(timeoutMs: number): Promise<void> {
    this.draining = true;
    const closed = new Promise<void>((resolve) => this.server.close(() => resolve()));
    this.server.closeIdleConnections();
    if (this.active > 0) {
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([this.allFinished(), new Promise<void>((resolve) => (timer = setTimeout(resolve, timeoutMs)))]);
      clearTimeout(timer);
      for (const controller of this.running) controller.abort(new Error('the server is shutting down'));
      await this.allFinished();
    }
    this.server.closeAllConnections();
    await closed;
  }

  private allFinished(): Promise<void> {
    if (this.active === 0) return Promise.resolve();
    return new Promise((resolve) => {
      const check = () => {
        if (this.active > 0) return;
        this.finished.delete(check);
        resolve();
      };
      this.finished.add(check);
    });
  }

  private async handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const startedAt = performance.now();
    const path = new URL(req.url ?? '/', 'http://localhost').pathname;
    let toolCalls: number | undefined;
    let prompt: string | undefined;
    let logged = false;
    const logLine = () => {
      if (logged) return;
      logged = true;
      const status = res.writableFinished ? String(res.statusCode) : `${res.headersSent ? res.statusCode : '-'} (client gone)`;
      const calls = toolCalls === undefined ? '' : `, ${toolCalls} tool call${toolCalls === 1 ? '' : 's'}`;
      const asked = this.options.logPrompts && prompt !== undefined ? ` prompt: ${oneLine(prompt, 200)}` : '';
      this.options.log(`${req.method ?? '?'} ${oneLine(path, 120)} ${status} ${Math.round(performance.now() - startedAt)} ms${calls}${asked}`);
    };
    // A completion's line is written once its slot is free again (after a client that left,
    // once its turn has unwound), so the log's order is the order of what happened.
    let slotHeld = false;
    let closed = false;
    res.once('close', () => {
      closed = true;
      if (!slotHeld) logLine();
    });
    try {
      const cors = this.corsHeaders(req);
      for (const [name, value] of Object.entries(cors)) res.setHeader(name, value);
      if (req.method === 'OPTIONS') return this.preflight(req, res, cors);
      if (!checkBearer(req.headers.authorization, this.options.token)) {
        throw new HttpError(401, 'Missing or wrong bearer token: send "Authorization: Bearer <token>" (the token switchboard serve printed on its first start, or the one in --token-env).', 'authentication_error', 'invalid_api_key', null, { 'www-authenticate': 'Bearer' });
      }
      if (path === '/v1/models' || path.startsWith('/v1/models/')) {
        if (req.method !== 'GET' && req.method !== 'HEAD') throw methodNotAllowed('GET');
        return this.models(path, res);
      }
      if (path !== '/v1/chat/completions') throw new HttpError(404, `No route ${oneLine(path, 120)}: this server answers POST /v1/chat/completions and GET /v1/models.`, 'not_found_error', 'unknown_route');
      if (req.method !== 'POST') throw methodNotAllowed('POST');
      if (this.draining) throw new HttpError(503, 'The server is shutting down.', 'server_error', 'shutting_down', null, { connection: 'close' });
      if (this.active >= this.options.maxConcurrent) {
        throw new HttpError(429, `Too many requests at once: this server runs at most ${this.options.maxConcurrent} (--max-concurrent). Retry later.`, 'rate_limit_error', 'too_many_requests', null, { 'retry-after': String(RETRY_AFTER_SECONDS) });
      }
      this.active++;
      slotHeld = true;
      const controller = new AbortController();
      this.running.add(controller);
      // The response closing before it ended: the client went away. Stop its turn.
      const onClose = () => {
        if (!res.writableFinished) controller.abort(new Error('the client went away'));
      };
      res.once('close', onClose);
      try {
        const body = await readJsonBody(req);
        const request = parseChatRequest(body);
        if (request.model !== this.options.modelId) {
          throw new HttpError(404, `The model "${oneLine(request.model, 200)}" is not served here; this server runs "${this.options.modelId}" (GET /v1/models). Name it in "model".`, 'invalid_request_error', 'model_not_found', 'model');
        }
        const turn = prepareTurn(request);
        prompt = turn.prompt;
        toolCalls = 0;
        const outcome = await serveTurn(this.options.agent, this.options.modelId, { ...turn, showReasoning: this.options.showReasoning }, res, controller.signal, (event) => {
          if (event.type === 'tool_call') toolCalls = (toolCalls ?? 0) + 1;
          this.options.observe?.(event);
        });
        if (outcome.status >= 500 && outcome.error !== undefined && !controller.signal.aborted) this.options.log(`  ${oneLine(errorMessage(outcome.error), 400)}`);
      } finally {
        res.off('close', onClose);
        this.running.delete(controller);
        this.active--;
        slotHeld = false;
        if (closed) logLine();
        for (const check of [...this.finished]) check();
      }
    } catch (error) {
      if (error instanceof HttpError) {
        sendError(res, error);
        // An oversized body is not read to its end: close the connection instead.
        if (error.status === 413) res.once('finish', () => req.destroy());
      } else {
        this.options.log(`  internal error: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
        sendError(res, new HttpError(500, 'Internal error (see the server log).', 'server_error', 'internal'));
      }
    }
  }

  /** CORS headers for this request; throws 403 for an origin that is not allowed. */
  private corsHeaders(req: http.IncomingMessage): Record<string, string> {
    const origin = req.headers.origin;
    if (origin === undefined) return {};
    if (this.options.cors !== undefined && origin === this.options.cors) return { 'access-control-allow-origin': origin, vary: 'Origin' };
    throw new HttpError(403, `Cross-origin requests are refused${this.options.cors ? ` (only ${this.options.cors} is allowed)` : ''}; start the server with --cors ORIGIN to allow a web page's origin.`, 'invalid_request_error', 'origin_not_allowed');
  }

  private preflight(req: http.IncomingMessage, res: http.ServerResponse, cors: Record<string, string>): void {
    if (!cors['access-control-allow-origin']) throw methodNotAllowed(req.url?.startsWith('/v1/chat/completions') ? 'POST' : 'GET');
    res.writeHead(204, {
      'access-control-allow-methods': 'GET, POST',
      'access-control-allow-headers': 'authorization, content-type',
      'access-control-max-age': '600',
    });
    res.end();
  }

  private models(path: string, res: http.ServerResponse): void {
    const model = { id: this.options.modelId, object: 'model', created: 0, owned_by: 'switchboard' };
    if (path === '/v1/models') return json(res, 200, { object: 'list', data: [model] });
    const id = decodeURIComponent(path.slice('/v1/models/'.length));
    if (id !== this.options.modelId) throw new HttpError(404, `The model "${oneLine(id, 200)}" is not served here; this server runs "${this.options.modelId}".`, 'invalid_request_error', 'model_not_found', 'model');
    json(res, 200, model);
  }
}

function methodNotAllowed(allow: string): HttpError {
  return new HttpError(405, `Method not allowed here; use ${allow}.`, 'invalid_request_error', 'method_not_allowed', null, { allow });
}

function json(res: http.ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

/** The body as JSON, at most MAX_BODY_BYTES (413 beyond, checked before and while reading). */
async function readJsonBody(req: http.IncomingMessage): Promise<unknown> {
  const tooLarge = () => new HttpError(413, `The request body is larger than ${MAX_BODY_BYTES / 1024 / 1024} MiB.`, 'invalid_request_error', 'request_too_large');
  const declared = Number(req.headers['content-length']);
  if (Number.isFinite(declared) && declared > MAX_BODY_BYTES) throw tooLarge();
  const chunks: Buffer[] = [];
  let size = 0;
  try {
    for await (const piece of req) {
      size += (piece as Buffer).length;
      if (size > MAX_BODY_BYTES) throw tooLarge();
      chunks.push(piece as Buffer);
    }
  } catch (error) {
    if (error instanceof HttpError) throw error;
    // The client went away while sending: nobody reads the answer, but the log line says what happened.
    throw badRequest(`The request body was cut off: ${errorMessage(error)}`, null, 'body_incomplete');
  }
  const text = Buffer.concat(chunks).toString('utf8');
  try {
    return JSON.parse(text);
  } catch (error) {
    throw badRequest(`The body is not JSON: ${errorMessage(error)}`, null, 'invalid_json');
  }
}
