/**
 * `chat --json`: one JSON object per event on stdout, nothing else there.
 * Field names follow `OutputEvent` (see src/agent/events.ts): the agent loop's events,
 * the servers' log messages (`server_log`) and, when the run fails, an `error` event as
 * the last line. Other host messages go to stderr. Every line carries `"v": 1`, the version
 * of the contract (config/events.v1.schema.json).
 */
import { EVENTS_VERSION, type OutputEvent } from '../agent/events.js';
import { runRedactor } from '../policy/secrets.js';

export class JsonLinesRenderer {
  constructor(private readonly stdout: NodeJS.WritableStream) {}

  render(event: OutputEvent): void {
    // Secrets from the config are masked in each string value (never in the JSON text: "true" as a secret must not break it).
    this.stdout.write(`${JSON.stringify({ v: EVENTS_VERSION, ...event }, (_key, value: unknown) => (typeof value === 'string' ? runRedactor.redact(value) : value))}\n`);
  }
}
