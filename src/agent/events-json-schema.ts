/**
 * The JSON Schema of the `--json` event contract, generated from the zod schemas in
 * events.ts. The committed copy is `config/events.v1.schema.json` (`npm run schema` rewrites
 * it; test/unit/events-schema.test.ts fails when it is stale).
 */
import { z } from 'zod';
import { EVENTS_VERSION, WireEventSchema } from './events.js';

export const EVENTS_SCHEMA_FILE = `config/events.v${EVENTS_VERSION}.schema.json`;

export function eventsJsonSchema(): Record<string, unknown> {
  const generated = z.toJSONSchema(WireEventSchema, { target: 'draft-2020-12' }) as Record<string, unknown>;
  return {
    $schema: generated.$schema,
    title: `Switchboard --json events, version ${EVENTS_VERSION}`,
    description: 'One JSON object per line of `switchboard chat --json` output. Generated from src/agent/events.ts: do not edit by hand (npm run schema).',
    ...Object.fromEntries(Object.entries(generated).filter(([key]) => key !== '$schema')),
  };
}

/** The file's text: two-space indent and a final newline, so a regenerated file diffs cleanly. */
export function eventsJsonSchemaText(): string {
  return `${JSON.stringify(eventsJsonSchema(), null, 2)}\n`;
}
