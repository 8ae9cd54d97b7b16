/**
 * The `--json` event contract: the committed JSON Schema is what the zod definitions
 * generate (so it cannot go stale), it accepts what the renderer writes and rejects what
 * the contract forbids, and the README documents every event type.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { OutputEventSchema, type OutputEvent } from '../../src/agent/events.js';
import { EVENTS_SCHEMA_FILE, eventsJsonSchemaText } from '../../src/agent/events-json-schema.js';
import { JsonLinesRenderer } from '../../src/ui/jsonl.js';
import { eventContractProblems } from '../support/event-contract.js';
import { REPO_ROOT } from '../support/paths.js';

function rendered(...events: OutputEvent[]): string {
  let out = '';
  const renderer = new JsonLinesRenderer({ write: (text: string) => ((out += text), true) } as unknown as NodeJS.WritableStream);
  for (const event of events) renderer.render(event);
  return out;
}

describe('config/events.v1.schema.json', () => {
  it('is exactly what src/agent/events.ts generates (run `npm run schema` after changing an event)', () => {
    const committed = readFileSync(join(REPO_ROOT, EVENTS_SCHEMA_FILE), 'utf8');
    expect(committed, 'config/events.v1.schema.json is stale: run `npm run schema` and commit the result').toBe(eventsJsonSchemaText());
  });

  it('accepts the renderer\'s lines, each with "v": 1', () => {
    const out = rendered(
      { type: 'session_start', version: '0.1.0', model: 'test-model', servers: [{ name: 'a', state: 'ready', toolCount: 2 }], toolCount: 2 },
      { type: 'tool_call', id: 'c1', name: 'echo', server: 'a', originalName: 'echo', arguments: { text: 'hi' } },
      { type: 'server_state', server: 'a', state: 'crashed', previous: 'ready' },
      { type: 'usage', scope: 'call', step: 1, promptTokens: 10, completionTokens: 3, estimated: true },
      { type: 'final', text: 'done', steps: 2 },
    );
    expect(out.split('\n').filter(Boolean).every((line) => (JSON.parse(line) as { v: number }).v === 1)).toBe(true);
    expect(eventContractProblems(out, 0)).toEqual([]);
  });

  it('rejects an undocumented field, an unknown type, a missing version, and a failed run without its error line', () => {
    expect(eventContractProblems('{"v":1,"type":"final","text":"x","steps":1,"extra":true}\n', 0).join()).toMatch(/extra/);
    expect(eventContractProblems('{"v":1,"type":"mystery"}\n', 0).join()).toMatch(/unknown event type "mystery"/);
    expect(eventContractProblems('{"type":"final","text":"x","steps":1}\n', 0).join()).toMatch(/does not match/);
    expect(eventContractProblems(rendered({ type: 'final', text: 'x', steps: 1 }), 1).join()).toMatch(/exactly one error event/);
    expect(eventContractProblems(rendered({ type: 'error', code: 'USAGE', message: 'bad', exitCode: 2 }), 1).join()).toMatch(/exitCode 2, the process exited 1/);
  });
});

describe('the README', () => {
  it('documents every event type in its event table', () => {
    const readme = readFileSync(join(REPO_ROOT, 'README.md'), 'utf8');
    const types = OutputEventSchema.options.map((option) => ('shape' in option ? option.shape.type.value : option.options[0].shape.type.value));
    const missing = types.filter((type) => !readme.includes(`| \`${type}\` |`));
    expect(missing, 'event types without a row in the README\'s event table').toEqual([]);
  });
});
