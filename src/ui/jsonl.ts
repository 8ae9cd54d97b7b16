/**
 * `chat --json`: one JSON object per event on stdout, nothing else there.
 * Field names follow `OutputEvent` (see src/agent/events.ts): the agent loop's events,
 * the servers' log messages (`server_log`) and, when the run fails, an `error` event as
 * the last line. Other host messages go to stderr. Every line carries `"v": 1`, the version
 * of the contract (config/events.v1.schema.json).
 *
 * `render` never throws: a value nested deeper than MAX_JSON_DEPTH (a server's log data) has
 * its deepest levels replaced by a placeholder, and an event that still cannot be written is
 * reported as one line on stderr instead of ending the run.
 */
import { EVENTS_VERSION, type OutputEvent } from '../agent/events.js';
import { errorMessage } from '../errors.js';
import { safeStringify, valueDepthExceeds, MAX_JSON_DEPTH } from '../mcp/json-depth.js';
import { maskedJson, runRedactor } from '../policy/secrets.js';

export class JsonLinesRenderer {
  constructor(
    private readonly stdout: NodeJS.WritableStream,
    private readonly stderr: NodeJS.WritableStream = process.stderr,
    /** Masks each string of an event; by default the run's redactor (config secrets). */
    private readonly mask: (text: string) => string = runRedactor.mask,
  ) {}

  render(event: OutputEvent): void {
    let line: string;
    try {
      // JSON.stringify recurses: a value too deep is cut to MAX_JSON_DEPTH levels first.
      const versioned = { v: EVENTS_VERSION, ...event };
      const shown: unknown = valueDepthExceeds(versioned, MAX_JSON_DEPTH) ? JSON.parse(safeStringify(versioned)) : versioned;
      // Secrets from the config are masked in each string (never in the JSON text: "true" as a secret must not break it).
      line = maskedJson(shown, this.mask);
    } catch (error) {
      this.stderr.write(`! could not write a ${event.type} event as JSON: ${errorMessage(error).split('\n')[0]}\n`);
      return;
    }
    this.stdout.write(`${line}\n`);
  }
}
