/**
 * One `POST /v1/chat/completions`: a fresh Agent over the shared servers, seeded with the
 * request's history, runs the last user message; its events become the response.
 *
 * Where the activity goes (documented in the README):
 * - streaming, default: the answer's text as `delta.content`, and one plain-text line per
 *   tool call, result, denial and retry in `delta.content` too (a chat UI shows them inline);
 *   a thinking model's reasoning as `delta.reasoning_content`;
 * - streaming with `"x-switchboard-events": true`: `delta.content` carries only the model's
 *   text; every other event goes as an SSE event named `switchboard` whose data is the v1
 *   event JSON (`{"v":1,"type":"tool_call",...}`, as `chat --json` writes it);
 * - not streaming: `message.content` is the answer; with the flag, the events (without the
 *   text deltas) are in `switchboard_events`.
 * `usage` (the turn's totals) is on the last chunk / the completion. A turn that stops without
 * an answer (max steps, repeated failure) ends with finish_reason "length" and the reason as text.
 * Errors before the first byte are OpenAI error JSON; after it (streaming) one
 * `data: {"error": ...}` event ends the stream (openai clients throw it).
 * Config secrets are `***` in every string sent (the run's redactor, as `chat` masks its outputs);
 * numbers (usage) and the wire fields are left as they are.
 */
import type { ServerResponse } from 'node:http';
import { Agent, type AgentOptions } from '../agent/loop.js';
import type { AgentEvent } from '../agent/events.js';
import { errorMessage, SwitchboardError } from '../errors.js';
import { DeltaMasking } from '../policy/delta-masking.js';
import { maskedCopy, runRedactor } from '../policy/secrets.js';
import { JsonLinesRenderer } from '../ui/jsonl.js';
import { HttpError } from './http-error.js';
import type { PreparedTurn } from './request.js';
import { activityLine, chunk, completion, completionId, usageOf, type CompletionMeta, type FinishReason, type Usage } from './wire.js';

/** Events kept for a non-streamed response's `switchboard_events`. */
export const MAX_COLLECTED_EVENTS = 2000;

export type AgentSetup = Omit<AgentOptions, 'system'> & { system?: string };

export interface TurnOutcome {
  status: number;
  toolCalls: number;
  /** Why the turn failed, for the server's log (a bug's stack, a model error). */
  error?: unknown;
}

/** Runs the turn and writes the whole response. Never throws: failures become the response (or end the stream). */
export async function serveTurn(setup: AgentSetup, modelId: string, turn: PreparedTurn & { showReasoning: boolean }, res: ServerResponse, signal: AbortSignal, observe: (event: AgentEvent) => void): Promise<TurnOutcome> {
  const agent = new Agent(setup);
  agent.restore(turn.history);
  const meta: CompletionMeta = { id: completionId(), created: Math.floor(Date.now() / 1000), model: modelId };
  const stream = turn.stream ? new SseWriter(res, meta) : undefined;
  let content = '';
  let usage: Usage | undefined;
  let finish: FinishReason | undefined;
  let toolCalls = 0;
  const events: unknown[] | undefined = turn.events && !turn.stream ? [] : undefined;
  // Every string sent to the client is masked with the run's redactor (config secrets): the
  // model's streamed text and reasoning re-cut first, so a secret split across two deltas is
  // masked whole (as `chat` does); the answer, the activity lines, the events, error bodies.
  const deltas = new DeltaMasking(runRedactor);
  const send = (event: AgentEvent) => {
    observe(event);
    if (event.type === 'tool_call') toolCalls++;
    if (event.type === 'usage' && event.scope === 'turn') usage = usageOf(event);
    if (event.type === 'final') {
      finish = event.truncated ? 'length' : 'stop';
      if (!stream) content = runRedactor.mask(event.text);
    }
    if (event.type === 'stopped') {
      finish = 'length';
      if (!stream) content = runRedactor.mask(event.message);
    }
    if (stream) {
      if (event.type === 'text_delta') stream.content(event.text);
      else if (turn.events) stream.event(event);
      else if (event.type === 'reasoning_delta') {
        if (turn.showReasoning) stream.reasoning(event.text);
      }
      else {
        // The event's strings masked before the line cuts them (a cut must not leave half a secret).
        const line = activityLine(maskedCopy(event, runRedactor.mask));
        if (line) stream.content(runRedactor.mask(line), true);
      }
    } else if (events && event.type !== 'text_delta' && event.type !== 'reasoning_delta') {
      // Bounded: a turn with endless progress notifications must not grow the response without end.
      if (events.length < MAX_COLLECTED_EVENTS) events.push(JSON.parse(versionedJson(event)));
      else if (events.length === MAX_COLLECTED_EVENTS) events.push({ v: 1, type: 'notice', message: `More than ${MAX_COLLECTED_EVENTS} events; the rest are left out (stream the response to get every event).` });
    }
  };
  try {
    for await (const event of agent.send(turn.prompt, signal)) {
      for (const shown of deltas.pass(event)) send(shown);
    }
    for (const rest of deltas.flush()) send(rest);
  } catch (error) {
    // What was held back (the start of a secret, perhaps) goes out masked before the error.
    for (const rest of deltas.flush()) send(rest);
    const failure = httpErrorFor(error, signal);
    if (stream) stream.fail(failure);
    else if (!res.headersSent && !res.destroyed) sendJson(res, failure.status, failure.body);
    return { status: failure.status, toolCalls, error };
  }
  if (stream) stream.finish(finish ?? 'stop', usage);
  else sendJson(res, 200, completion(meta, content, finish ?? 'stop', usage, events));
  return { status: 200, toolCalls };
}

/** The SSE side of a streamed completion. Headers go with the first write. */
class SseWriter {
  private started = false;
  private lineOpen = false;

  constructor(
    private readonly res: ServerResponse,
    private readonly meta: CompletionMeta,
  ) {}

  private start(): void {
    if (this.started) return;
    this.started = true;
    this.res.writeHead(200, { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-cache', 'x-accel-buffering': 'no' });
    this.data(chunk(this.meta, { role: 'assistant', content: '' }));
  }

  private data(value: unknown): void {
    if (!this.res.destroyed) this.res.write(`data: ${JSON.stringify(value)}\n\n`);
  }

  /** Text for `delta.content`; an activity line starts on a line of its own. */
  content(text: string, activity = false): void {
    if (text === '') return;
    this.start();
    const piece = activity && this.lineOpen ? `\n${text}` : text;
    this.lineOpen = !piece.endsWith('\n');
    this.data(chunk(this.meta, { content: piece }));
  }

  /** A thinking model's reasoning as `delta.reasoning_content` (the field chat UIs show as thinking). */
  reasoning(text: string): void {
    if (text === '') return;
    this.start();
    this.data(chunk(this.meta, { reasoning_content: text }));
  }

  event(event: AgentEvent): void {
    this.start();
    if (!this.res.destroyed) this.res.write(`event: switchboard\ndata: ${versionedJson(event)}\n\n`);
  }

  finish(reason: FinishReason, usage: Usage | undefined): void {
    this.start();
    this.data(chunk(this.meta, {}, reason, usage));
    if (!this.res.destroyed) this.res.end('data: [DONE]\n\n');
  }

  fail(error: HttpError): void {
    if (!this.started) {
      if (!this.res.headersSent && !this.res.destroyed) sendJson(this.res, error.status, error.body);
      return;
    }
    this.data(error.body);
    if (!this.res.destroyed) this.res.end();
  }
}

function sendJson(res: ServerResponse, status: number, body: unknown): void {
  if (res.destroyed) return;
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

/** The event as `chat --json` writes it: `"v": 1`, deep values cut, config secrets masked. */
function versionedJson(event: AgentEvent): string {
  let line = '';
  // The renderer writes one line synchronously: collect it.
  new JsonLinesRenderer({ write: (text: string) => ((line += text), true) } as unknown as NodeJS.WritableStream).render(event);
  return line.trim();
}

/** What a failed turn answers: an interrupt (drain deadline) is 503, model failures 502, the rest 500. */
function httpErrorFor(error: unknown, signal: AbortSignal): HttpError {
  if (signal.aborted || (error instanceof SwitchboardError && error.code === 'INTERRUPTED')) {
    return new HttpError(503, 'The server is shutting down (or the request was cancelled); the turn was stopped.', 'server_error', 'shutting_down');
  }
  if (error instanceof SwitchboardError && (error.code === 'MODEL_REQUEST' || error.code === 'MODEL_AUTH')) {
    return new HttpError(502, `The model request failed: ${errorMessage(error)}`, 'api_error', error.code === 'MODEL_AUTH' ? 'model_auth' : 'model_error');
  }
  if (error instanceof SwitchboardError) return new HttpError(500, errorMessage(error), 'server_error', error.code.toLowerCase());
  return new HttpError(500, 'Internal error (see the server log).', 'server_error', 'internal');
}
