/**
 * What the agent loop yields. The terminal UI, the JSON-lines output and tests all
 * consume this one stream; the loop itself never prints.
 */

export type StopReason = 'max_steps' | 'repeated_failure' | 'empty_reply';

export type AgentEvent =
  /** A model request is about to be sent; `step` counts model calls in this turn, from 1. */
  | { type: 'model_request'; step: number; maxSteps: number }
  | { type: 'reasoning_delta'; text: string }
  | { type: 'text_delta'; text: string }
  /**
   * The model request failed transiently and is retried after `delayMs`. Deltas streamed
   * before this event belonged to the failed attempt; the new attempt streams from the start.
   */
  | { type: 'model_retry'; attempt: number; delayMs: number; reason: string }
  /**
   * The model request of `step` was cancelled (or its reply set aside) and sent again,
   * because the tools changed meanwhile (a server came up with a listing other than the
   * cached one): the model never acts on a stale tool. `resent` counts these in the turn;
   * they are not model calls of the step budget. Deltas before it belonged to the old request.
   */
  | { type: 'model_resend'; step: number; resent: number; reason: string }
  /** The reply's tool calls wait for these servers, still starting, before they run. */
  | { type: 'tool_wait'; servers: string[] }
  /** The model asked for a tool. `arguments` is the parsed JSON when it parses, else the raw text. */
  | { type: 'tool_call'; id: string; name: string; server?: string; originalName?: string; arguments: unknown }
  /** A progress notification from the server running call `id` (any number, in order, before its tool_result). */
  | { type: 'tool_progress'; id: string; name: string; server?: string; progress: number; total?: number; message?: string }
  /** One per tool_call, in completion order (the history keeps call order). */
  | { type: 'tool_result'; id: string; name: string; server?: string; text: string; isError: boolean; durationMs: number }
  /** Old exchanges were dropped to keep the history under the context budget. */
  | { type: 'history_trimmed'; droppedMessages: number; estimatedTokens: number; budgetTokens: number }
  /** Something the user should know that is not an error of the turn. */
  | { type: 'notice'; message: string }
  /**
   * The model answered in plain text: the turn is over. `truncated` is true when the
   * model stopped because it ran out of output tokens (finish_reason "length").
   */
  | { type: 'final'; text: string; steps: number; truncated?: boolean }
  /** The turn ended without an answer, for the reason given. */
  | { type: 'stopped'; reason: StopReason; message: string; steps: number };

/**
 * Events the host adds to the stream outside a turn (the CLI emits them; the loop never does):
 * a server's log message, and a fatal error as the last line of a failed `--json` run.
 */
export type HostEvent =
  | { type: 'server_log'; server: string; level: string; logger?: string; data: unknown }
  | { type: 'error'; code: string; message: string; exitCode: number };

/** Everything a `--json` run may print, one object per line. */
export type OutputEvent = AgentEvent | HostEvent;
