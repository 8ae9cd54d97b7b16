/**
 * Runs one user message through the agent and renders its events; shared by
 * one-shot chat and the REPL.
 */
import type { Agent } from '../agent/loop.js';
import type { AgentEvent } from '../agent/events.js';

export interface EventSink {
  render(event: AgentEvent): void;
}

/** Returns how the turn ended: an answer, or a stop without one. Throws host failures. */
export async function runTurn(agent: Agent, prompt: string, sink: EventSink, signal: AbortSignal): Promise<'answered' | 'stopped'> {
  let outcome: 'answered' | 'stopped' = 'stopped';
  for await (const event of agent.send(prompt, signal)) {
    sink.render(event);
    if (event.type === 'final') outcome = 'answered';
  }
  return outcome;
}
