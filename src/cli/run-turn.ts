/**
 * Runs one user message through the agent and renders its events; shared by
 * one-shot chat and the REPL.
 */
import type { Agent } from '../agent/loop.js';
import type { AgentEvent } from '../agent/events.js';
import { DeltaMasking } from '../policy/delta-masking.js';
import { runRedactor, type Redactor } from '../policy/secrets.js';
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
