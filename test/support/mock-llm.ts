/**
 * mock-llm: a scriptable OpenAI-compatible chat completions server on loopback.
 *
 * Contract (used by integration tests, end-to-end tests and benchmarks):
 * - Listens on 127.0.0.1 only (port 0 = ephemeral unless `port` is given); `url` is the base URL
 *   ending in `/v1`, suitable as an `endpointUrl` for @huggingface/inference or any OpenAI client.
 * - `POST /v1/chat/completions` (and `/chat/completions`) consumes one scripted reply per request.
 *   With `stream: true` the reply is sent as SSE in OpenAI `chat.completion.chunk` format
 *   (role on the first delta, `reasoning_content` before `content`, tool call deltas carrying
 *   `index`, a final chunk with `finish_reason`, then `data: [DONE]`). Otherwise a single
 *   `chat.completion` JSON object is returned.
 * - Every POST is recorded in `requests` (body parsed as JSON, or the raw string if it is not JSON).
 * - Replies come from `enqueue(...)`d replies first, then from the `script` option (an array,
 *   consumed in order, or a function called with the request and its index in `requests`).
 *   When nothing is left the server answers HTTP 500 "mock-llm: script exhausted" so a test that
 *   makes too many requests fails visibly.
 * - A streamed text reply with `delayMs` waits that long before each chunk after the first (so a
 *   long answer can take longer in total than a client's idle timeout while no single gap does).
 * - A text or tool-call reply may set `finishReason` (e.g. "length": a reply cut at the token limit).
 * - `{ fault: 'endless' }` streams chunks until the client goes away (honouring backpressure,
 *   so the mock itself stays small): as fast as the client reads, or one every `delayMs`.
 * - `firstTokenDelayMs` (an option, and a field that may be changed between requests): every
 *   chat completion is answered that long after its request arrived, as a thinking model's
 *   first token comes late (benchmarks; the request is recorded at once).
 * - `GET /v1/models` (and `/models`) returns a small model list.
 * - `close()` destroys every open socket (including hanging requests) and closes the server.
 */
import http from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

export type ScriptedToolCall = { id?: string; name: string; arguments: string | Record<string, unknown> };

export type ScriptedReply =
  /**
   * Plain answer, streamed in chunks of `chunkSize` chars (default 8). With `delayMs`, the first
   * chunk goes at once and every later one (the finish chunk included) `delayMs` after the one
   * before; without it, all at once. Ignored without `stream: true`.
   */
  | { text: string; reasoning?: string; chunkSize?: number; delayMs?: number; finishReason?: string }
  /**
   * Tool calls (optionally preceded by reasoning and text). With `interleave` and several calls,
   * the per-call deltas (header first, then argument pieces) are sent round-robin.
   */
  | {
      toolCalls: ScriptedToolCall[];
      text?: string;
      reasoning?: string;
      interleave?: boolean;
      chunkSize?: number;
      finishReason?: string;
    }
  /** JSON error response; OpenAI error shape by default; optional Retry-After header. */
  | { fault: 'http'; status: number; body?: unknown; retryAfterSeconds?: number }
  /** SSE headers and one partial chunk, then the socket is destroyed. */
  | { fault: 'reset' }
  /** Part of a text answer as SSE, then a clean end with no finish_reason and no [DONE]. */
  | { fault: 'truncate' }
  /** Never answers (until the client aborts or the server closes). */
  | { fault: 'hang' }
  /** A 200 text/event-stream whose data line is not JSON. */
  | { fault: 'garbage' }
  /**
   * A stream that starts well (part of a text answer as valid chunks), then a `data:` line that
   * is not JSON, then the end of the stream: what a proxy or an overloaded server sometimes sends.
   */
  | { fault: 'garbage-midstream' }
  /** A 200 that is not a stream at all: an HTML page (a web server, not a chat completions API). */
  | { fault: 'html' }
  /** A valid stream with finish_reason "stop" but no content and no tool calls. */
  | { fault: 'empty' }
  /**
   * A 200 text/event-stream with part of a text answer, then an error event
   * `data: {"error": {"message": MESSAGE}}` (default "overloaded") and the end of the stream,
   * as providers do when they fail after accepting a request.
   */
  | { fault: 'midstream-error'; message?: string }
  /**
   * A stream that never finishes: `chunkSize`-character chunks (default 4,096) of `content`
   * (or of `reasoning_content`), as fast as the client reads them, or one every `delayMs`
   * (a trickle that keeps resetting an idle timeout). Ends only when the client disconnects.
   */
  | { fault: 'endless'; field?: 'content' | 'reasoning_content'; chunkSize?: number; delayMs?: number }
  /** One SSE `data:` line that never ends (no newline, ever), as fast as the client reads. */
  | { fault: 'endless-line' };

export interface RecordedRequest {
  body: any;
  headers: Record<string, string | string[] | undefined>;
  bytes: number;
  path: string;
}

/** A chat message as a request carried it: the fields tests read (content as sent: text, or parts). */
export interface RequestMessage {
  role: string;
  content?: any;
  tool_calls?: Array<{ id: string; type?: string; function?: { name: string; arguments: string } }>;
  tool_call_id?: string;
}

/** The messages a recorded request sent. */
export const messagesOf = (request: RecordedRequest): RequestMessage[] => request.body?.messages ?? [];

export interface MockLlm {
  /** Base URL to pass as endpointUrl, e.g. "http://127.0.0.1:PORT/v1". */
  url: string;
  /** Every POST received, in order, body parsed. */
  requests: RecordedRequest[];
  enqueue(...replies: ScriptedReply[]): void;
  /** Milliseconds between a chat completion request's arrival and its answer (0: at once). */
  firstTokenDelayMs: number;
  /** Closes the server and destroys open sockets (hanging requests included). */
  close(): Promise<void>;
}

export interface MockLlmOptions {
  script?: ScriptedReply[] | ((request: RecordedRequest, index: number) => ScriptedReply);
  /** Port to listen on (default 0 = ephemeral). The host is always 127.0.0.1. */
  port?: number;
  /** See `MockLlm.firstTokenDelayMs`. */
  firstTokenDelayMs?: number;
}

const DEFAULT_CHUNK_SIZE = 8;
const TRUNCATED_TEXT = 'This answer is cut off in the midd';
const MIDSTREAM_TEXT = 'Starting an answer that will';

/** Tool call ids are unique across the lifetime of the process (all mock servers). */
let nextToolCallId = 0;
let nextCompletionId = 0;

function chunkString(text: string, size: number): string[] {
  const step = Math.max(1, Math.floor(size));
  const pieces: string[] = [];
  for (let i = 0; i < text.length; i += step) pieces.push(text.slice(i, i + step));
  return pieces;
}

function errorBody(message: string, type: string): { error: { message: string; type: string } } {
  return { error: { message, type } };
}

function sendJson(res: http.ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'content-type': 'application/json',
    'content-length': Buffer.byteLength(text),
    ...headers,
  });
  res.end(text);
}

function sseHeaders(res: http.ServerResponse): void {
  res.writeHead(200, {
    'content-type': 'text/event-stream',
    'cache-control': 'no-cache',
    connection: 'keep-alive',
  });
}

function statusType(status: number): string {
  if (status === 429) return 'rate_limit_error';
  if (status === 401 || status === 403) return 'authentication_error';
  if (status >= 500) return 'server_error';
  return 'invalid_request_error';
}

interface ResolvedToolCall {
  id: string;
  name: string;
  arguments: string;
}

function resolveToolCalls(calls: ScriptedToolCall[]): ResolvedToolCall[] {
  return calls.map((call) => ({
    id: call.id ?? `call_${nextToolCallId++}`,
    name: call.name,
    arguments: typeof call.arguments === 'string' ? call.arguments : JSON.stringify(call.arguments),
  }));
}

/** Builds the list of `delta` objects for a text or tool-call reply (role added to the first one). */
function buildDeltas(
  reply: { text?: string; reasoning?: string; chunkSize?: number; interleave?: boolean },
  toolCalls: ResolvedToolCall[] | undefined,
): Record<string, unknown>[] {
  const size = reply.chunkSize ?? DEFAULT_CHUNK_SIZE;
  const deltas: Record<string, unknown>[] = [];
  if (reply.reasoning) {
    for (const piece of chunkString(reply.reasoning, size)) deltas.push({ reasoning_content: piece });
  }
  if (reply.text) {
    for (const piece of chunkString(reply.text, size)) deltas.push({ content: piece });
  }
  if (toolCalls && toolCalls.length > 0) {
    // Per call: a header delta (id, type, name, empty arguments), then argument pieces.
    const perCall = toolCalls.map((call, index) => [
      { index, id: call.id, type: 'function', function: { name: call.name, arguments: '' } },
      ...chunkString(call.arguments, size).map((piece) => ({ index, function: { arguments: piece } })),
    ]);
    if (reply.interleave && perCall.length > 1) {
      const longest = Math.max(...perCall.map((list) => list.length));
      for (let round = 0; round < longest; round++) {
        for (const list of perCall) {
          const item = list[round];
          if (item) deltas.push({ tool_calls: [item] });
        }
      }
    } else {
      for (const list of perCall) for (const item of list) deltas.push({ tool_calls: [item] });
    }
  }
  if (deltas.length === 0) deltas.push({});
  deltas[0] = { role: 'assistant', ...deltas[0] };
  return deltas;
}

export function startMockLlm(options: MockLlmOptions = {}): Promise<MockLlm> {
  const requests: RecordedRequest[] = [];
  const queue: ScriptedReply[] = [];
  const scriptFn = typeof options.script === 'function' ? options.script : undefined;
  if (Array.isArray(options.script)) queue.push(...options.script);
  const sockets = new Set<Socket>();
  /** Pending chunk timers of delayed streams, cleared by close(). */
  const timers = new Set<NodeJS.Timeout>();

  function nextReply(request: RecordedRequest, index: number): ScriptedReply | undefined {
    const queued = queue.shift();
    if (queued) return queued;
    return scriptFn ? scriptFn(request, index) : undefined;
  }

  function chunkEnvelope(id: string, model: string, delta: Record<string, unknown>, finish: string | null): string {
    const chunk = {
      id,
      object: 'chat.completion.chunk',
      created: Math.floor(Date.now() / 1000),
      model,
      choices: [{ index: 0, delta, finish_reason: finish }],
    };
    return `data: ${JSON.stringify(chunk)}\n\n`;
  }

  function answer(req: http.IncomingMessage, res: http.ServerResponse, request: RecordedRequest, reply: ScriptedReply): void {
    const body = request.body && typeof request.body === 'object' ? request.body : {};
    const model = typeof body.model === 'string' ? body.model : 'mock-model';
    const stream = body.stream === true;
    const id = `chatcmpl-mock-${nextCompletionId++}`;

    if ('fault' in reply) {
      switch (reply.fault) {
        case 'http': {
          const headers: Record<string, string> = {};
          if (reply.retryAfterSeconds !== undefined) headers['retry-after'] = String(reply.retryAfterSeconds);
          const payload =
            reply.body !== undefined
              ? reply.body
              : errorBody(`mock-llm: scripted HTTP ${reply.status} error`, statusType(reply.status));
          sendJson(res, reply.status, payload, headers);
          return;
        }
        case 'reset': {
          sseHeaders(res);
          // One complete event, then a partial one; destroy once it has been flushed.
          const partial =
            chunkEnvelope(id, model, { role: 'assistant', content: 'Partial ans' }, null) + 'data: {"id":"chatcmpl-';
          res.write(partial, () => req.socket.destroy());
          return;
        }
        case 'truncate': {
          sseHeaders(res);
          const deltas = buildDeltas({ text: TRUNCATED_TEXT }, undefined);
          for (const delta of deltas) res.write(chunkEnvelope(id, model, delta, null));
          res.end();
          return;
        }
        case 'hang':
          return; // never answer; close() or the client's abort ends it
        case 'garbage':
          sseHeaders(res);
          res.end('data: this is not json {{{\n\n');
          return;
        case 'garbage-midstream': {
          sseHeaders(res);
          for (const delta of buildDeltas({ text: MIDSTREAM_TEXT }, undefined)) res.write(chunkEnvelope(id, model, delta, null));
          res.end('data: {"choices": [{"delta": {"content": "cut\n\n');
          return;
        }
        case 'html':
          res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
          res.end('<!doctype html><html><body><h1>It works!</h1></body></html>\n');
          return;
        case 'midstream-error': {
          sseHeaders(res);
          const deltas = buildDeltas({ text: MIDSTREAM_TEXT }, undefined);
          for (const delta of deltas) res.write(chunkEnvelope(id, model, delta, null));
          res.end(`data: ${JSON.stringify({ error: { message: reply.message ?? 'overloaded' } })}\n\n`);
          return;
        }
        case 'endless': {
          sseHeaders(res);
          const field = reply.field ?? 'content';
          const event = chunkEnvelope(id, model, { [field]: 'x'.repeat(reply.chunkSize ?? 4096) }, null);
          res.write(chunkEnvelope(id, model, { role: 'assistant' }, null));
          const pump = (): void => {
            // Write until the socket's buffer is full, then wait for it to drain.
            while (!res.destroyed && !res.writableEnded) {
              if (reply.delayMs) {
                res.write(event);
                const timer = setTimeout(() => {
                  timers.delete(timer);
                  pump();
                }, reply.delayMs);
                timers.add(timer);
                return;
              }
              if (!res.write(event)) {
                res.once('drain', pump);
                return;
              }
            }
          };
          pump();
          return;
        }
        case 'endless-line': {
          sseHeaders(res);
          const piece = 'x'.repeat(65_536);
          res.write('data: {"choices":[{"index":0,"delta":{"content":"');
          const pump = (): void => {
            while (!res.destroyed && !res.writableEnded) {
              if (!res.write(piece)) {
                res.once('drain', pump);
                return;
              }
            }
          };
          pump();
          return;
        }
        case 'empty':
          if (!stream) {
            sendJson(res, 200, completionJson(id, model, { role: 'assistant', content: '' }, 'stop'));
            return;
          }
          sseHeaders(res);
          res.write(chunkEnvelope(id, model, { role: 'assistant' }, null));
          res.write(chunkEnvelope(id, model, {}, 'stop'));
          res.end('data: [DONE]\n\n');
          return;
      }
    }

    const toolCalls = 'toolCalls' in reply ? resolveToolCalls(reply.toolCalls) : undefined;
    const finish = reply.finishReason ?? (toolCalls && toolCalls.length > 0 ? 'tool_calls' : 'stop');
    const usage = {
      prompt_tokens: Math.ceil(request.bytes / 4),
      completion_tokens: Math.ceil(
        ((reply.text ?? '').length +
          (reply.reasoning ?? '').length +
          (toolCalls ?? []).reduce((n, c) => n + c.name.length + c.arguments.length, 0)) /
          4,
      ),
      total_tokens: 0,
    };
    usage.total_tokens = usage.prompt_tokens + usage.completion_tokens;

    if (!stream) {
      const message: Record<string, unknown> = { role: 'assistant', content: reply.text ?? null };
      if (reply.reasoning) message.reasoning_content = reply.reasoning;
      if (toolCalls && toolCalls.length > 0) {
        message.tool_calls = toolCalls.map((c) => ({
          id: c.id,
          type: 'function',
          function: { name: c.name, arguments: c.arguments },
        }));
      }
      sendJson(res, 200, { ...completionJson(id, model, message, finish), usage });
      return;
    }

    sseHeaders(res);
    const events = buildDeltas(reply, toolCalls).map((delta) => chunkEnvelope(id, model, delta, null));
    const delayMs = 'delayMs' in reply && reply.delayMs !== undefined && reply.delayMs > 0 ? reply.delayMs : 0;
    if (delayMs === 0) {
      for (const event of events) res.write(event);
      finishStream(res, id, model, finish, body, usage);
      return;
    }
    // One chunk now, the others `delayMs` apart; stop if the client went away.
    const [first, ...rest] = events;
    res.write(first!);
    const sendNext = (): void => {
      if (res.destroyed || res.writableEnded) return;
      const next = rest.shift();
      if (next === undefined) {
        finishStream(res, id, model, finish, body, usage);
        return;
      }
      res.write(next);
      schedule();
    };
    const schedule = (): void => {
      const timer = setTimeout(() => {
        timers.delete(timer);
        sendNext();
      }, delayMs);
      timers.add(timer);
    };
    schedule();
  }

  /** The finish chunk, the usage chunk when asked for, and [DONE]. */
  function finishStream(
    res: http.ServerResponse,
    id: string,
    model: string,
    finish: string,
    body: any,
    usage: { prompt_tokens: number; completion_tokens: number; total_tokens: number },
  ): void {
    res.write(chunkEnvelope(id, model, {}, finish));
    if (body.stream_options && body.stream_options.include_usage === true) {
      const usageChunk = {
        id,
        object: 'chat.completion.chunk',
        created: Math.floor(Date.now() / 1000),
        model,
        choices: [],
        usage,
      };
      res.write(`data: ${JSON.stringify(usageChunk)}\n\n`);
    }
    res.end('data: [DONE]\n\n');
  }

  function completionJson(id: string, model: string, message: Record<string, unknown>, finish: string) {
    return {
      id,
      object: 'chat.completion',
      created: Math.floor(Date.now() / 1000),
      model,
      choices: [{ index: 0, message, finish_reason: finish }],
    };
  }

  const server = http.createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0] ?? '/';
    if (req.method === 'GET' && (path === '/v1/models' || path === '/models')) {
      sendJson(res, 200, {
        object: 'list',
        data: [
          { id: 'test-model', object: 'model', created: 0, owned_by: 'mock-llm' },
          { id: 'mock-model', object: 'model', created: 0, owned_by: 'mock-llm' },
        ],
      });
      return;
    }
    if (req.method !== 'POST') {
      sendJson(res, 404, errorBody(`mock-llm: no route for ${req.method} ${path}`, 'invalid_request_error'));
      return;
    }
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const raw = Buffer.concat(chunks);
      const text = raw.toString('utf8');
      let body: any = text;
      try {
        body = JSON.parse(text);
      } catch {
        // keep the raw string
      }
      const request: RecordedRequest = { body, headers: { ...req.headers }, bytes: raw.length, path };
      requests.push(request);
      const index = requests.length - 1;
      if (path !== '/v1/chat/completions' && path !== '/chat/completions') {
        sendJson(res, 404, errorBody(`mock-llm: no route for POST ${path}`, 'invalid_request_error'));
        return;
      }
      let reply: ScriptedReply | undefined;
      try {
        reply = nextReply(request, index);
      } catch (error) {
        sendJson(res, 500, errorBody(`mock-llm: script function threw: ${String(error)}`, 'mock_llm_error'));
        return;
      }
      if (!reply) {
        sendJson(res, 500, errorBody('mock-llm: script exhausted', 'mock_llm_error'));
        return;
      }
      const delayMs = mock?.firstTokenDelayMs ?? options.firstTokenDelayMs ?? 0;
      if (delayMs <= 0) {
        answer(req, res, request, reply);
        return;
      }
      const timer = setTimeout(() => {
        timers.delete(timer);
        if (!res.destroyed) answer(req, res, request, reply);
      }, delayMs);
      timers.add(timer);
    });
  });
  let mock: MockLlm | undefined;

  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });

  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => {
      server.off('error', reject);
      const { port } = server.address() as AddressInfo;
      let closing: Promise<void> | undefined;
      mock = {
        url: `http://127.0.0.1:${port}/v1`,
        requests,
        firstTokenDelayMs: options.firstTokenDelayMs ?? 0,
        enqueue(...replies: ScriptedReply[]) {
          queue.push(...replies);
        },
        close() {
          closing ??= new Promise<void>((done) => {
            for (const timer of timers) clearTimeout(timer);
            timers.clear();
            server.close(() => done());
            for (const socket of sockets) socket.destroy();
            server.closeAllConnections();
          });
          return closing;
        },
      };
      resolve(mock);
    });
  });
}
