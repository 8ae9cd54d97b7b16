/**
 * Assembles streamed chat-completion chunks into one reply.
 *
 * Tool calls arrive as deltas keyed by `index`: `id` and `function.name` may come
 * only in the first delta of a call, `function.arguments` arrives in many pieces,
 * and the deltas of several calls may interleave. Pure: no I/O.
 */
import { randomUUID } from 'node:crypto';
import type { FinishReason, ModelReply, ToolCall } from './model.js';
import { DEFAULT_MAX_REPLY_CHARS, MAX_STREAMED_TOOL_CALLS, replyTooLarge, tooManyStreamedCalls } from './reply-limits.js';

/** The parts of an OpenAI-style stream chunk this module reads. */
export interface StreamChunk {
  choices?: Array<{
    delta?: {
      content?: string | null;
      reasoning_content?: string | null;
      /** vLLM / some providers call it `reasoning`. */
      reasoning?: string | null;
      tool_calls?: Array<{
        index?: number;
        id?: string;
        type?: string;
        function?: { name?: string; arguments?: string };
      }>;
    };
    finish_reason?: string | null;
  }>;
  usage?: { prompt_tokens?: number; completion_tokens?: number } | null;
}

export interface ChunkDeltas {
  text: string;
  reasoning: string;
}

export interface AssemblerLimits {
  /** Characters of text + reasoning + tool-call ids, names and arguments (default DEFAULT_MAX_REPLY_CHARS). */
  maxChars?: number;
  /** Distinct tool-call indices (default MAX_STREAMED_TOOL_CALLS). */
  maxToolCalls?: number;
}

/**
 * Memory is bounded: `add` throws a `ReplyLimitError` as soon as the reply passes
 * `maxChars` characters or `maxToolCalls` distinct tool calls, before keeping the chunk.
 */
export class StreamAssembler {
  private readonly maxChars: number;
  private readonly maxToolCalls: number;
  private chars = 0;
  private text = '';
  private reasoning = '';
  private readonly calls = new Map<number, { id: string; name: string; arguments: string }>();
  private finishReason: FinishReason | undefined;
  private usage: ModelReply['usage'];

  constructor(limits: AssemblerLimits = {}) {
    this.maxChars = limits.maxChars ?? DEFAULT_MAX_REPLY_CHARS;
    this.maxToolCalls = limits.maxToolCalls ?? MAX_STREAMED_TOOL_CALLS;
  }

  /** Adds one chunk; returns the text and reasoning it carried, for streaming to the user. */
  add(chunk: StreamChunk): ChunkDeltas {
    const deltas: ChunkDeltas = { text: '', reasoning: '' };
    if (chunk.usage) {
      this.usage = { promptTokens: chunk.usage.prompt_tokens ?? 0, completionTokens: chunk.usage.completion_tokens ?? 0 };
    }
    const choice = chunk.choices?.[0];
    if (!choice) return deltas;
    const delta = choice.delta ?? {};
    if (typeof delta.content === 'string') deltas.text = delta.content;
    const reasoning = delta.reasoning_content ?? delta.reasoning;
    if (typeof reasoning === 'string') deltas.reasoning = reasoning;
    this.count(deltas.text.length + deltas.reasoning.length);
    this.text += deltas.text;
    this.reasoning += deltas.reasoning;
    for (const [position, piece] of (delta.tool_calls ?? []).entries()) {
      const index = piece.index ?? position;
      let call = this.calls.get(index);
      if (!call) {
        if (this.calls.size >= this.maxToolCalls) throw tooManyStreamedCalls(this.maxToolCalls);
        call = { id: '', name: '', arguments: '' };
      }
      this.count((piece.id?.length ?? 0) + (piece.function?.name?.length ?? 0) + (piece.function?.arguments?.length ?? 0));
      if (piece.id) call.id = piece.id;
      // The name normally comes once; some servers repeat it whole in later deltas, a few split it.
      const name = piece.function?.name;
      if (name) call.name = name.startsWith(call.name) ? name : call.name + name;
      if (piece.function?.arguments) call.arguments += piece.function.arguments;
      this.calls.set(index, call);
    }
    if (choice.finish_reason) this.finishReason = normalizeFinishReason(choice.finish_reason);
    return deltas;
  }

  private count(chars: number): void {
    this.chars += chars;
    if (this.chars > this.maxChars) throw replyTooLarge(this.maxChars);
  }

  /** True once a chunk carried a finish reason: a stream that ends without one was cut. */
  get finished(): boolean {
    return this.finishReason !== undefined;
  }

  reply(): ModelReply {
    const toolCalls: ToolCall[] = [...this.calls.entries()]
      .sort(([a], [b]) => a - b)
      // Some local servers send no id; make one, unique across the history, so tool messages can answer it.
      .map(([, call]) => ({ id: call.id || `call_${randomUUID().slice(0, 8)}`, name: call.name, arguments: call.arguments }));
    return {
      text: this.text,
      ...(this.reasoning ? { reasoning: this.reasoning } : {}),
      toolCalls,
      finishReason: this.finishReason ?? 'unknown',
      ...(this.usage ? { usage: this.usage } : {}),
    };
  }
}

function normalizeFinishReason(reason: string): FinishReason {
  switch (reason) {
    case 'stop':
    case 'tool_calls':
    case 'length':
    case 'content_filter':
      return reason;
    case 'max_tokens': // Anthropic-style servers and some proxies
      return 'length';
    case 'function_call':
      return 'tool_calls';
    case 'eos':
    case 'stop_sequence':
      return 'stop';
    default:
      return 'unknown';
  }
}
