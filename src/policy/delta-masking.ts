/**
 * Config secrets in a turn's streamed text: the agent's `text_delta` / `reasoning_delta`
 * events re-cut so that no secret is ever split across two deltas, and masked. Shared by
 * every consumer of a turn's events that writes the deltas out (`chat`'s runTurn, `serve`).
 */
import type { AgentEvent } from '../agent/events.js';
import { StreamMasker, type Redactor } from './secrets.js';

/**
 * `text_delta` / `reasoning_delta` events as they may be shown: a tail that could be the
 * start of a secret is held back until the next delta or the next other event (before
 * which it is sent), so no secret is ever split across two deltas. The concatenated
 * deltas are the model's text with its secrets masked, as the `final` event's text is.
 * Other events pass through as they are (each output masks the strings it writes).
 */
export class DeltaMasking {
  private readonly text: StreamMasker;
  private readonly reasoning: StreamMasker;

  constructor(redactor: Redactor) {
    this.text = new StreamMasker(redactor);
    this.reasoning = new StreamMasker(redactor);
  }

  *pass(event: AgentEvent): Generator<AgentEvent> {
    if (event.type === 'text_delta' || event.type === 'reasoning_delta') {
      // The other stream ends where this one starts: its held tail goes first, so reasoning
      // never shows up after the answer has begun (nor the reverse).
      const other = event.type === 'text_delta' ? this.reasoning : this.text;
      const rest = other.end();
      if (rest) yield { type: event.type === 'text_delta' ? 'reasoning_delta' : 'text_delta', text: rest };
      const text = (event.type === 'text_delta' ? this.text : this.reasoning).feed(event.text);
      if (text) yield { ...event, text };
      return;
    }
    yield* this.flush();
    yield event;
  }

  /** What is held back, masked: before another event, and when the turn ends (however it ends). */
  *flush(): Generator<AgentEvent> {
    const reasoning = this.reasoning.end();
    if (reasoning) yield { type: 'reasoning_delta', text: reasoning };
    const text = this.text.end();
    if (text) yield { type: 'text_delta', text };
  }
}
