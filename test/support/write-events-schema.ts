/**
 * `npm run schema`: writes the JSON Schema of the `--json` events (generated from the zod
 * definitions in src/agent/events.ts) to config/events.v1.schema.json.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { EVENTS_SCHEMA_FILE, eventsJsonSchemaText } from '../../src/agent/events-json-schema.js';

// npm runs scripts from the package root.
const path = join(process.cwd(), EVENTS_SCHEMA_FILE);
writeFileSync(path, eventsJsonSchemaText());
process.stdout.write(`wrote ${path}\n`);
