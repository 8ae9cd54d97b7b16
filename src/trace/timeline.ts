/**
 * The run as spans of time, from a session's records: turns, model calls, tool calls.
 * Pure; the HTML page (html.ts) draws it.
 *
 * - A turn starts at a user message record and ends at its `final` or `stopped` event (or at
 *   the last record of the turn, when the session ended first).
 * - A model call starts at `model_request` and ends at the first sign of its reply: the
 *   assistant message record, a `tool_call`, `final` or `stopped`, or the next request.
 * - A tool call starts at its `tool_call` event and ends at the `tool_result` with its id;
 *   one without a result is marked interrupted and ends where the turn ends.
 * - A `server_state` event (a server crashed, restarted, went down) is a notice of the turn it
 *   happened in (before the first turn: of the first turn).
 * - Usage: `usage` events (when the loop emits them) with `promptTokens`/`completionTokens`
 *   (or `inputTokens`/`outputTokens`) are summed, except ones marked `scope: "turn"`
 *   (a per-turn total would count twice).
 */
import type { SessionRecord, SessionStart } from '../session/records.js';

export interface ModelCallSpan {
  step: number;
  start: number;
  end: number;
  text: string;
  reasoning: string;
  retries: Array<{ t: number; attempt: number; delayMs: number; reason: string }>;
  /** Ids of the tool calls this reply asked for. */
  toolCallIds: string[];
  outcome: 'tool_calls' | 'answer' | 'stopped' | 'interrupted' | 'other';
}

export interface ToolCallSpan {
  id: string;
  name: string;
  server?: string;
  originalName?: string;
  arguments: unknown;
  start: number;
  end: number;
  /** As measured by the host (tool_result.durationMs); undefined when interrupted. */
  durationMs?: number;
  result?: string;
  isError: boolean;
  interrupted: boolean;
  /** Progress notifications received while it ran. */
  progress: number;
}

export interface Turn {
  index: number;
  prompt?: string;
  start: number;
  end: number;
  modelCalls: ModelCallSpan[];
  toolCalls: ToolCallSpan[];
  answer?: { t: number; text: string; truncated: boolean };
  stopped?: { t: number; reason: string; message: string };
  notices: Array<{ t: number; message: string }>;
  /** The session ended before the turn did (a crash or an interrupt). */
  interrupted: boolean;
}

export interface Timeline {
  header?: SessionStart;
  turns: Turn[];
  /** Server lanes, in header order, then any server seen only in events; '?' for unrouted tools. */
  servers: string[];
  usage?: { promptTokens: number; completionTokens: number };
}

type Loose = Record<string, unknown> & { type: string; t: number };

const str = (value: unknown): string => (typeof value === 'string' ? value : '');
const num = (value: unknown): number | undefined => (typeof value === 'number' && Number.isFinite(value) ? value : undefined);

export function buildTimeline(records: readonly SessionRecord[]): Timeline {
  const header = records.find((r): r is SessionStart => r.type === 'session_start');
  const turns: Turn[] = [];
  const servers: string[] = header ? header.servers.map((s) => s.name) : [];
  const seeServer = (name: string) => {
    if (!servers.includes(name)) servers.push(name);
  };
  let usage: Timeline['usage'];
  let turn: Turn | undefined;
  let call: ModelCallSpan | undefined;
  const openTools = new Map<string, ToolCallSpan>();

  /** Server state changes seen before the first turn: they go to it. */
  const early: Turn['notices'] = [];
  const newTurn = (t: number, prompt?: string): Turn => {
    closeTurn();
    turn = { index: turns.length + 1, ...(prompt !== undefined ? { prompt } : {}), start: t, end: t, modelCalls: [], toolCalls: [], notices: early.splice(0), interrupted: false };
    turns.push(turn);
    return turn;
  };
  const endCall = (t: number, outcome: ModelCallSpan['outcome']) => {
    if (!call) return;
    call.end = Math.max(call.start, t);
    call.outcome = outcome;
    call = undefined;
  };
  const closeTurn = () => {
    if (!turn) return;
    const open = !turn.answer && !turn.stopped;
    if (call) endCall(turn.end, 'interrupted');
    for (const tool of openTools.values()) {
      tool.interrupted = true;
      tool.end = Math.max(tool.start, turn.end);
    }
    openTools.clear();
    turn.interrupted = open;
    turn = undefined;
  };

  for (const record of records as readonly Loose[]) {
    const t = record.t;
    if (record.type === 'message') {
      const message = record.message as { role: string; content: string; toolCalls?: Array<{ id: string }> };
      if (message.role === 'user') newTurn(t, message.content);
      else if (message.role === 'assistant' && call) {
        call.toolCallIds = (message.toolCalls ?? []).map((c) => c.id);
        if (!call.text) call.text = message.content;
        endCall(t, call.toolCallIds.length > 0 ? 'tool_calls' : 'answer');
      }
      if (turn) turn.end = Math.max(turn.end, t);
      continue;
    }
    if (record.type === 'session_start' || record.type === 'history_reset') continue;
    if (record.type === 'usage') {
      if (turn) turn.end = Math.max(turn.end, t);
      if (record.scope === 'turn') continue;
      const prompt = num(record.promptTokens) ?? num(record.inputTokens);
      const completion = num(record.completionTokens) ?? num(record.outputTokens);
      if (prompt !== undefined || completion !== undefined) {
        usage = { promptTokens: (usage?.promptTokens ?? 0) + (prompt ?? 0), completionTokens: (usage?.completionTokens ?? 0) + (completion ?? 0) };
      }
      continue;
    }
    if (record.type === 'server_state') {
      // A note in the turn it happened in (or, before the first turn, the first one); it
      // neither starts a turn nor stretches one (a server may come up while nobody asks).
      const note = { t, message: `server ${str(record.server)}: ${str(record.previous)} -> ${str(record.state)}` };
      if (turn) turn.notices.push(note);
      else early.push(note);
      continue;
    }
    const current = turn ?? newTurn(t);
    current.end = Math.max(current.end, t);
    switch (record.type) {
      case 'model_request':
        endCall(t, 'other');
        call = { step: num(record.step) ?? current.modelCalls.length + 1, start: t, end: t, text: '', reasoning: '', retries: [], toolCallIds: [], outcome: 'interrupted' };
        current.modelCalls.push(call);
        break;
      case 'text_delta':
        if (call) call.text += str(record.text);
        break;
      case 'reasoning_delta':
        if (call) call.reasoning += str(record.text);
        break;
      case 'model_retry':
        // What streamed before a retry belonged to the failed attempt.
        if (call) {
          call.retries.push({ t, attempt: num(record.attempt) ?? call.retries.length + 1, delayMs: num(record.delayMs) ?? 0, reason: str(record.reason) });
          call.text = '';
          call.reasoning = '';
        }
        break;
      case 'tool_call': {
        if (call) {
          if (!call.toolCallIds.includes(str(record.id))) call.toolCallIds.push(str(record.id));
          endCall(t, 'tool_calls');
        }
        const server = str(record.server) || '?';
        seeServer(server);
        const span: ToolCallSpan = {
          id: str(record.id),
          name: str(record.name),
          server,
          ...(typeof record.originalName === 'string' ? { originalName: record.originalName } : {}),
          arguments: record.arguments,
          start: t,
          end: t,
          isError: false,
          interrupted: false,
          progress: 0,
        };
        current.toolCalls.push(span);
        openTools.set(span.id, span);
        break;
      }
      case 'tool_progress': {
        const span = openTools.get(str(record.id));
        if (span) span.progress++;
        break;
      }
      case 'tool_result': {
        const span = openTools.get(str(record.id));
        if (!span) break;
        openTools.delete(span.id);
        span.end = t;
        span.durationMs = num(record.durationMs);
        span.result = str(record.text);
        span.isError = record.isError === true;
        break;
      }
      case 'final':
        endCall(t, 'answer');
        current.answer = { t, text: str(record.text), truncated: record.truncated === true };
        break;
      case 'stopped':
        endCall(t, 'stopped');
        current.stopped = { t, reason: str(record.reason), message: str(record.message) };
        break;
      case 'notice':
        current.notices.push({ t, message: str(record.message) });
        break;
      case 'history_trimmed':
        current.notices.push({ t, message: `${num(record.droppedMessages) ?? '?'} old messages were dropped to stay under the context budget (${num(record.budgetTokens) ?? '?'} tokens).` });
        break;
    }
  }
  closeTurn();
  return { ...(header ? { header } : {}), turns, servers, ...(usage ? { usage } : {}) };
}
