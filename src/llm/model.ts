/**
 * The model behind a small interface. Everything in Switchboard talks to a
 * `ChatModel`; only `hf.ts` knows about `@huggingface/inference`, and `scripted.ts`
 * replays a file through the same interface for tests and offline demos.
 */

/** A tool call as the model made it. `arguments` is the raw JSON text the model wrote. */
export interface ToolCall {
  id: string;
  name: string;
  arguments: string;
}

/** The history, keyed on `role` (OpenAI chat-completions roles). */
export type ChatMessage =
  | { role: 'system'; content: string }
  /** Content parts (OpenAI's shape, sent as they are) carry tool-result images to a model that takes them. */
  | { role: 'user'; content: string | UserContentPart[] }
  | {
      role: 'assistant';
      content: string;
      toolCalls?: ToolCall[];
      /** Thinking models (Kimi-K2-Thinking) need their reasoning sent back with tool calls. */
      reasoning?: string;
    }
  | { role: 'tool'; toolCallId: string; name: string; content: string };

export type UserContentPart = { type: 'text'; text: string } | { type: 'image_url'; image_url: { url: string } };

/** A chat-completion function tool, exactly as sent to the model. */
export interface FunctionTool {
  type: 'function';
  function: { name: string; description?: string; parameters: Record<string, unknown> };
}

/** Why the model stopped. `length` means it ran out of output tokens. */
export type FinishReason = 'stop' | 'tool_calls' | 'length' | 'content_filter' | 'unknown';

export interface ModelReply {
  text: string;
  reasoning?: string;
  toolCalls: ToolCall[];
  finishReason: FinishReason;
  /** Token usage when the provider reports it. */
  usage?: { promptTokens: number; completionTokens: number };
}

/** What a model stream yields: deltas as they arrive, then exactly one `reply`. */
export type ModelStreamEvent =
  | { type: 'text_delta'; text: string }
  | { type: 'reasoning_delta'; text: string }
  /** The request is being retried after a transient failure (shown to the user). */
  | { type: 'retry'; attempt: number; delayMs: number; reason: string }
  | { type: 'reply'; reply: ModelReply };

export interface ModelRequest {
  messages: readonly ChatMessage[];
  tools: readonly FunctionTool[];
  /** Aborts the request (Ctrl+C, or the turn being cancelled). */
  signal?: AbortSignal;
  /** Most output tokens (sent as `max_tokens`), e.g. a server's sampling request's `maxTokens`. */
  maxTokens?: number;
}

export interface ChatModel {
  /** Shown to the user at start, e.g. `moonshotai/Kimi-K2-Thinking via auto`. */
  readonly description: string;
  /** True for the scripted model: announced as "not an LLM". */
  readonly scripted?: boolean;
  /** Streams one completion. Throws `SwitchboardError` on failure (after any retries). */
  stream(request: ModelRequest): AsyncIterable<ModelStreamEvent>;
}
