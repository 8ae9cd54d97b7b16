/**
 * `chat --json`: one JSON object per agent event on stdout, nothing else there.
 * Field names follow `AgentEvent` (see src/agent/events.ts); host messages go to stderr.
 */
import type { AgentEvent } from '../agent/events.js';

export class JsonLinesRenderer {
  constructor(private readonly stdout: NodeJS.WritableStream) {}

  render(event: AgentEvent): void {
    this.stdout.write(`${JSON.stringify(event)}\n`);
  }
}
