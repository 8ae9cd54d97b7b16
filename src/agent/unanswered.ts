/**
 * The assistant message that closes a turn the model never answered, so the history still
 * alternates user / assistant and the next user message can follow at once (providers and
 * chat templates reject a user message after tool messages, or two user messages in a row).
 *
 * Two writers share it: the agent loop, when a turn is stopped (max steps, a repeated
 * failure) and its messages stay in the history; and `--resume`, when a recorded turn ended
 * without an answer (a crash, Ctrl+C). The text is for the model and for whoever reads the
 * session: what happened, and that the question may be asked again.
 */
import type { ChatMessage } from '../llm/model.js';

/** `[No answer: WHY. Ask again to continue.]`; `why` is one clause, without a final period. */
export function unansweredNote(why: string): Extract<ChatMessage, { role: 'assistant' }> {
  return { role: 'assistant', content: `[No answer: ${why}. Ask again to continue.]` };
}
