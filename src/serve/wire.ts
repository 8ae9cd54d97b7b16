/**
 * OpenAI chat-completions wire objects (what `openai` clients parse) and the plain-text
 * activity lines that show tool calls in a streamed answer.
 */
import { randomBytes } from 'node:crypto';
import type { AgentEvent } from '../agent/events.js';
import { cut, oneLine } from '../ui/style.js';

export type FinishReason = 'stop' | 'length';

export interface Usage {
  prompt_tokens: number;
  completion_tokens: number;
  total_tokens: number;
}

export const completionId = (): string => `chatcmpl-${randomBytes(12).toString('hex')}`;

export function usageOf(event: Extract<AgentEvent, { type: 'usage' }>): Usage {
  return { prompt_tokens: event.promptTokens, completion_tokens: event.completionTokens, total_tokens: event.promptTokens + event.completionTokens };
}

export interface CompletionMeta {
  id: string;
  created: number;
  model: string;
}

export function chunk(meta: CompletionMeta, delta: { role?: 'assistant'; content?: string; reasoning_content?: string }, finishReason: FinishReason | null = null, usage?: Usage) {
  return { id: meta.id, object: 'chat.completion.chunk', created: meta.created, model: meta.model, choices: [{ index: 0, delta, finish_reason: finishReason }], ...(usage ? { usage } : {}) };
}

export function completion(meta: CompletionMeta, content: string, finishReason: FinishReason, usage: Usage | undefined, events?: unknown[]) {
  return {
    id: meta.id,
    object: 'chat.completion',
    created: meta.created,
    model: meta.model,
    choices: [{ index: 0, message: { role: 'assistant', content }, finish_reason: finishReason }],
    usage: usage ?? { prompt_tokens: 0, completion_tokens: 0, total_tokens: 0 },
    ...(events ? { switchboard_events: events } : {}),
  };
}

/**
 * The activity line an event adds to a streamed answer's content, or undefined. Server and
 * tool names, arguments and errors are untrusted: one line, terminal-safe, cut.
 *   → temperature/get_temperature {"city":"Paris"}
 *   ← get_temperature 12 ms            (or: ← get_temperature failed 12 ms: first line)
 *   ✗ fixture/echo denied: why
 */
export function activityLine(event: AgentEvent): string | undefined {
  switch (event.type) {
    case 'tool_call': {
      const who = event.server ? `${event.server}/${event.originalName ?? event.name}` : event.name;
      const args = typeof event.arguments === 'string' ? event.arguments : JSON.stringify(event.arguments);
      return `→ ${oneLine(who, 120)} ${oneLine(args ?? '', 200)}\n`;
    }
    case 'tool_result': {
      const ms = `${Math.round(event.durationMs)} ms`;
      return event.isError ? `← ${oneLine(event.name, 120)} failed ${ms}: ${oneLine(event.text, 200)}\n` : `← ${oneLine(event.name, 120)} ${ms}\n`;
    }
    case 'approval':
      return event.decision === 'deny' ? `✗ ${oneLine(event.server ? `${event.server}/${event.name}` : event.name, 120)} denied: ${oneLine(event.why, 200)}\n` : undefined;
    case 'model_retry':
      return `↻ model request retried (${oneLine(event.reason, 120)})\n`;
    case 'stopped':
      return `■ ${cut(oneLine(event.message, 400), 400)}\n`;
    default:
      return undefined;
  }
}
