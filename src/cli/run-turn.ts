/**
 * Runs one user message through the agent and renders its events; shared by
 * one-shot chat and the REPL.
 */
import type { Agent } from '../agent/loop.js';
import type { AgentEvent } from '../agent/events.js';
import { runRedactor, StreamMasker, type Redactor } from '../policy/secrets.js';
import { SessionRecorder, type SessionWriter } from '../session/writer.js';

export interface EventSink {
  render(event: AgentEvent): void;
}

/**
 * Returns how the turn ended: an answer, or a stop without one. Throws host failures.
 * With a session writer, each event and the history messages before it are recorded
 * before the event is rendered, and what is left when the turn ends, however it ends.
 *
 * The model's streamed text and reasoning are re-cut (DeltaMasking) before anything sees
 * them, so a config secret split across two deltas is masked like a whole one by every
 * output (session file, log, --json, terminal), which each mask the strings they write.
 */
export async function runTurn(agent: Agent, prompt: string, sink: EventSink, signal: AbortSignal, session?: SessionWriter, redactor: Redactor = runRedactor): Promise<'answered' | 'stopped'> {
  let outcome: 'answered' | 'stopped' = 'stopped';
  const recorder = session ? new SessionRecorder(session, agent.history) : undefined;
  const deltas = new DeltaMasking(redactor);
  const emit = (event: AgentEvent) => {
    recorder?.observe(event);
    sink.render(event);
    if (event.type === 'final') outcome = 'answered';
  };
  try {
    for await (const event of agent.send(prompt, signal)) {
      for (const shown of deltas.pass(event)) emit(shown);
    }
  } finally {
    // A turn that failed mid-stream: what was held back (the start of a secret, perhaps) goes out masked.
    for (const rest of deltas.flush()) emit(rest);
    recorder?.flush();
  }
  return outcome;
}

/**
 * `text_delta` / `reasoning_delta` events as they may be shown: a tail that could be the
 * start of a secret is held back until the next delta or the next other event (before
 * which it is sent), so no secret is ever split across two deltas. The concatenated
 * deltas are the model's text with its secrets masked, as the `final` event's text is.
 */
class DeltaMasking {
  private readonly text: StreamMasker;
  private readonly reasoning: StreamMasker;

  constructor(redactor: Redactor) {
    this.text = new StreamMasker(redactor);
    this.reasoning = new StreamMasker(redactor);
  }

  *pass(event: AgentEvent): Generator<AgentEvent> {
    if (event.type === 'text_delta' || event.type === 'reasoning_delta') {
      const text = (event.type === 'text_delta' ? this.text : this.reasoning).feed(event.text);
      if (text) yield { ...event, text };
      return;
    }
    yield* this.flush();
    yield event;
  }

  *flush(): Generator<AgentEvent> {
    const reasoning = this.reasoning.end();
    if (reasoning) yield { type: 'reasoning_delta', text: reasoning };
    const text = this.text.end();
    if (text) yield { type: 'text_delta', text };
  }
}
