/**
 * Rebuilds the conversation from a session's records, repaired so that a model provider
 * accepts it whatever moment the recording stopped at.
 *
 * The history is the `message` records after the last `history_reset`, as recorded (the
 * full conversation: a live session may have trimmed old exchanges, and the agent trims
 * again on the next request). Repairs, each reported in `warnings`:
 * - an assistant message with tool calls is followed by exactly one tool message per call,
 *   in call order: a call without a recorded result gets a tool message saying it was
 *   interrupted; a tool message answering no pending call is dropped;
 * - every user message gets an answer before the next user message and at the end: a turn
 *   that ended without a final assistant message (a crash, Ctrl+C, max steps, a repeated
 *   failure) gets a placeholder assistant message saying so. Roles then alternate as
 *   user, assistant (tool calls, tool results, assistant ...), user, and a resumed chat can
 *   append the next user message at once. The unanswered question stays in the history, so
 *   the model knows what was asked, and the user may ask again.
 * - a second system message (not first) is dropped.
 */
import { unansweredNote } from '../agent/unanswered.js';
import type { ChatMessage, ToolCall } from '../llm/model.js';
import { isMessageRecord, type SessionRecord } from './records.js';

export const INTERRUPTED_TOOL_RESULT = 'Interrupted: this tool call did not complete (the session ended before its result was recorded).';
const UNANSWERED = unansweredNote('this turn ended before the model answered (interrupted or stopped)');
export const UNANSWERED_TURN = UNANSWERED.content;

export interface ResumedHistory {
  history: ChatMessage[];
  warnings: string[];
}

export function historyFromSession(records: readonly SessionRecord[]): ResumedHistory {
  const lastReset = records.findLastIndex((r) => r.type === 'history_reset');
  const messages = records.slice(lastReset + 1).filter(isMessageRecord).map((r) => r.message as ChatMessage);
  const history: ChatMessage[] = [];
  const warnings: string[] = [];
  let pending: ToolCall[] = []; // calls of the last assistant message still without a tool message
  let answered = true; // the last user message has its final answer

  const closePendingCalls = () => {
    for (const call of pending) history.push({ role: 'tool', toolCallId: call.id, name: call.name, content: INTERRUPTED_TOOL_RESULT });
    if (pending.length > 0) warnings.push(`${pending.length} tool call${pending.length === 1 ? '' : 's'} without a recorded result (${pending.map((c) => c.name).join(', ')}) marked as interrupted.`);
    pending = [];
  };
  const closeTurn = () => {
    closePendingCalls();
    if (answered) return;
    history.push({ ...UNANSWERED });
    warnings.push('A turn without an answer was closed with a note saying so.');
    answered = true;
  };

  for (const message of messages) {
    switch (message.role) {
      case 'system':
        if (history.length === 0) history.push(message);
        else warnings.push('A system message after the start of the conversation was dropped.');
        break;
      case 'user':
        closeTurn();
        history.push(message);
        answered = false;
        break;
      case 'assistant':
        closePendingCalls();
        history.push(message);
        if (message.toolCalls?.length) pending = [...message.toolCalls];
        else answered = true;
        break;
      case 'tool': {
        // Results are recorded in call order; one out of order means those before it were lost.
        const index = pending.findIndex((call) => call.id === message.toolCallId);
        if (index < 0) {
          warnings.push(`A tool result for call ${message.toolCallId} (${message.name}) that answers no pending call was dropped.`);
          break;
        }
        const skipped = pending.splice(0, index + 1);
        skipped.pop();
        for (const call of skipped) history.push({ role: 'tool', toolCallId: call.id, name: call.name, content: INTERRUPTED_TOOL_RESULT });
        if (skipped.length > 0) warnings.push(`${skipped.length} tool call${skipped.length === 1 ? '' : 's'} without a recorded result (${skipped.map((c) => c.name).join(', ')}) marked as interrupted.`);
        history.push(message);
        break;
      }
    }
  }
  if (history.some((m) => m.role === 'user')) closeTurn();
  else closePendingCalls();
  return { history, warnings };
}
