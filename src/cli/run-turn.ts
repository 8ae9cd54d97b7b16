/**
 * Runs one user message through the agent and renders its events; shared by
 * one-shot chat and the REPL.
 */
import type { Agent } from '../agent/loop.js';
import type { AgentEvent } from '../agent/events.js';
import { SessionRecorder, type SessionWriter } from '../session/writer.js';

export interface EventSink {
  render(event: AgentEvent): void;
}

/**
 * Returns how the turn ended: an answer, or a stop without one. Throws host failures.
 * With a session writer, each event and the history messages before it are recorded
 * before the event is rendered, and what is left when the turn ends, however it ends.
 */
export async function runTurn(agent: Agent, prompt: string, sink: EventSink, signal: AbortSignal, session?: SessionWriter): Promise<'answered' | 'stopped'> {
  let outcome: 'answered' | 'stopped' = 'stopped';
  const recorder = session ? new SessionRecorder(session, agent.history) : undefined;
  try {
    for await (const event of agent.send(prompt, signal)) {
      recorder?.observe(event);
      sink.render(event);
      if (event.type === 'final') outcome = 'answered';
    }
  } finally {
    recorder?.flush();
  }
  return outcome;
}
