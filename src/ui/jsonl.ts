/**
 * `chat --json`: one JSON object per agent event on stdout, nothing else there.
 * Field names follow `AgentEvent` (see src/agent/events.ts); host messages go to stderr.
 */
import type { AgentEvent } from '../agent/events.js';
import { runRedactor } from '../policy/secrets.js';

export class JsonLinesRenderer {
  constructor(private readonly stdout: NodeJS.WritableStream) {}

  render(event: AgentEvent): void {
    // Secrets from the config are masked in each string value (never in the JSON text: "true" as a secret must not break it).
    this.stdout.write(`${JSON.stringify(event, (_key, value: unknown) => (typeof value === 'string' ? runRedactor.redact(value) : value))}\n`);
  }
}
