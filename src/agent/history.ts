/**
 * Keeping the history sent to the model under a token budget.
 *
 * Tokens are estimated from characters (about 4 per token), calibrated by the
 * provider's reported prompt tokens when it reports usage. When over budget, the
 * oldest whole exchanges go first (an exchange = a user message and everything up to
 * the next one). Never dropped: the system prompt and the current user message. An
 * assistant message with tool calls is never separated from its tool messages
 * (providers reject orphaned tool messages). If the current exchange alone is over
 * budget, its oldest tool-call rounds go, keeping the newest round.
 */
import type { ChatMessage, FunctionTool } from '../llm/model.js';

const DEFAULT_CHARS_PER_TOKEN = 4;

export class TokenEstimator {
  private charsPerToken = DEFAULT_CHARS_PER_TOKEN;
  /** Sizes by object: messages and tool lists never change once made, so each is measured once. */
  private readonly sizes = new WeakMap<object, number>();

  estimate(messages: readonly ChatMessage[], tools: readonly FunctionTool[] = []): number {
    return Math.ceil(this.chars(messages, tools) / this.charsPerToken);
  }

  /** Learns from the provider's own count for a request whose content is known. */
  calibrate(messages: readonly ChatMessage[], tools: readonly FunctionTool[], promptTokens: number): void {
    if (promptTokens <= 0) return;
    const ratio = this.chars(messages, tools) / promptTokens;
    if (Number.isFinite(ratio) && ratio >= 1 && ratio <= 8) this.charsPerToken = ratio;
  }

  // Runs on every model call over the whole history, so it allocates nothing for a message
  // already measured (a closure per message here was most of a long session's garbage).
  private chars(messages: readonly ChatMessage[], tools: readonly FunctionTool[]): number {
    let total = 0;
    if (tools.length) {
      let size = this.sizes.get(tools);
      if (size === undefined) this.sizes.set(tools, (size = JSON.stringify(tools).length));
      total += size;
    }
    for (const message of messages) {
      let size = this.sizes.get(message);
      if (size === undefined) this.sizes.set(message, (size = messageChars(message)));
      total += size;
    }
    return total;
  }
}

function messageChars(message: ChatMessage): number {
  let n = message.content.length + 16; // role and framing
  if (message.role === 'assistant') {
    for (const call of message.toolCalls ?? []) n += call.name.length + call.arguments.length + call.id.length + 32;
    n += message.reasoning?.length ?? 0;
  }
  return n;
}

export interface TrimResult {
  /** Number of messages removed from the front of the history (after the system prompt). */
  dropped: number;
  estimatedTokens: number;
}

/**
 * Trims `history` IN PLACE until it fits `budgetTokens` or nothing more may go.
 * The last user message is the current one.
 */
export function trimHistory(history: ChatMessage[], tools: readonly FunctionTool[], budgetTokens: number, estimator: TokenEstimator): TrimResult {
  let dropped = 0;
  let estimate = estimator.estimate(history, tools);
  while (estimate > budgetTokens) {
    const span = oldestDroppableSpan(history);
    if (!span) break;
    history.splice(span.start, span.count);
    dropped += span.count;
    estimate = estimator.estimate(history, tools);
  }
  return { dropped, estimatedTokens: estimate };
}

/** The oldest run of messages that may go as a whole, or undefined when none may. */
function oldestDroppableSpan(history: readonly ChatMessage[]): { start: number; count: number } | undefined {
  const start = history[0]?.role === 'system' ? 1 : 0;
  // A user message of content parts carries tool-result images: part of the exchange, not a new one.
  const currentUser = history.findLastIndex((m) => m.role === 'user' && typeof m.content === 'string');
  if (currentUser < 0) return undefined;
  if (start < currentUser) {
    // An older exchange: from `start` up to the next user message.
    let end = start + 1;
    while (end < currentUser && history[end]?.role !== 'user') end++;
    return { start, count: end - start };
  }
  // Only the current exchange is left: drop its oldest tool-call round, keeping the newest.
  const rounds: Array<{ start: number; count: number }> = [];
  for (let i = currentUser + 1; i < history.length; i++) {
    const message = history[i]!;
    if (message.role === 'assistant' && message.toolCalls?.length) {
      let end = i + 1;
      while (end < history.length && history[end]?.role === 'tool') end++;
      rounds.push({ start: i, count: end - i });
      i = end - 1;
    }
  }
  return rounds.length > 1 ? rounds[0] : undefined;
}
