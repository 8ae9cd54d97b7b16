/**
 * The hostile MCP server (test/support/hostile-server.ts) as a real child process under the
 * ToolHub: it starts, lists its tools and puts its payloads where it says (tool names,
 * descriptions, results, log messages, stderr, error messages), byte for byte; the hub keeps
 * them raw (files and the model get what the server sent). And `terminalSafe` makes every one
 * of those texts inert while keeping its visible words.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { ServerLogEntry } from '../../src/mcp/connection.js';
import { terminalSafe, hiddenCharacterWarning } from '../../src/ui/sanitize.js';
import { ALL_PAYLOADS, HIDDEN_INSTRUCTION, PAYLOADS } from '../support/hostile-payloads.js';
import { HOSTILE_SERVER_PATH } from '../support/paths.js';
import { waitUntil } from '../support/processes.js';
import { HubTracker, nodeServer } from './servers.js';

const tracker = new HubTracker();

afterEach(async () => {
  expect(await tracker.closeAll(), 'hubs that did not close, or server processes still alive').toEqual([]);
});

/** Control characters (but \n, \t), bidi controls and tag characters: what must not reach a terminal. */
const UNSAFE = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u200e\u200f\u202a-\u202e\u2066-\u2069]|\udb40[\udc00-\udc7f]/u;

function expectSafeAndVisible(raw: string): void {
  const safe = terminalSafe(raw);
  expect(safe).not.toMatch(UNSAFE);
  for (const payload of Object.values(PAYLOADS)) {
    if (raw.includes(payload.raw)) expect(safe).toContain(payload.visible);
  }
}

describe('hostile-server under the ToolHub', () => {
  it('lists its tools with the payloads in names and descriptions, and sends them in results, errors, logs and stderr', async () => {
    const stderr: string[] = [];
    const logs: ServerLogEntry[] = [];
    const hub = tracker.create([nodeServer('hostile', HOSTILE_SERVER_PATH)], {
      observer: { stderrLine: (_server, line) => stderr.push(line), serverLog: (_server, entry) => logs.push(entry) },
    });
    const report = await hub.start();
    tracker.notePids(hub);
    expect(report.failed.map((e) => e.message)).toEqual([]);

    // Raw tool names and descriptions, exactly as sent.
    const tools = hub.connections[0]!.tools;
    const names = tools.map((t) => t.name);
    expect(names).toEqual(expect.arrayContaining(['evil_result', 'evil_error', 'evil_is_error', 'hidden_instructions']));
    for (const [key, payload] of Object.entries(PAYLOADS)) expect(names).toContain(`name_${key}_${payload.raw}`);
    expect(tools.find((t) => t.name === 'evil_result')!.description).toBe(`Returns hostile text. ${ALL_PAYLOADS}`);
    // Every tool is offered to the model (under a model-safe exposed name).
    expect(hub.functionTools).toHaveLength(tools.length);
    for (const tool of hub.functionTools) expect(tool.function.name).toMatch(/^[a-zA-Z0-9_-]{1,64}$/);
    for (const tool of tools) {
      expectSafeAndVisible(tool.name);
      expectSafeAndVisible(tool.description ?? '');
    }

    // The hidden instruction is there for the model, and the warning spells it out for the user.
    const hidden = tools.find((t) => t.name === 'hidden_instructions')!.description!;
    expect(terminalSafe(hidden)).toContain(`<tags:${HIDDEN_INSTRUCTION}>`);
    expect(hiddenCharacterWarning(hidden)).toContain(JSON.stringify(HIDDEN_INSTRUCTION));
    expect(hiddenCharacterWarning(hidden)).toContain('U+202E');

    const result = await hub.call('evil_result', '{}');
    expect(result.isError).toBe(false);
    expect(result.text).toContain(`result: ${ALL_PAYLOADS}`);
    expectSafeAndVisible(result.text);

    const failure = await hub.call('evil_error', '{}');
    expect(failure.isError).toBe(true);
    expect(failure.text).toContain(`error: ${ALL_PAYLOADS}`);
    expectSafeAndVisible(failure.text);

    const isError = await hub.call('evil_is_error', '{}');
    expect(isError).toMatchObject({ isError: true });
    expect(isError.text).toContain(`failure: ${ALL_PAYLOADS}`);

    // The log entry was sent before the result, so it has arrived.
    expect(logs).toHaveLength(1);
    expect(logs[0]).toMatchObject({ level: 'warning', logger: `logger ${PAYLOADS.titleChange.raw}`, data: `log: ${ALL_PAYLOADS}` });
    expectSafeAndVisible(String(logs[0]!.data));

    // stderr is read line by line, so the \r payload stays inside its line.
    expect(await waitUntil(() => stderr.some((line) => line.startsWith('stderr during call: ')))).toBe(true);
    const atStart = stderr.find((line) => line.startsWith('stderr at start: '));
    expect(atStart).toBe(`stderr at start: ${ALL_PAYLOADS}`);
    expectSafeAndVisible(atStart!);
  });

  it('serves 900 tools (the cap per server is 1,000: see hostile-limits.test.ts), a 2,000-character name, a 1 MiB line, and a schema and a result nested 5,000 levels', async () => {
    const hub = tracker.create([
      nodeServer('hostile', HOSTILE_SERVER_PATH, ['--many-tools', '900', '--long-name', '2000', '--huge-line', '1', '--deep-schema', '5000', '--deep-result', '5000']),
    ]);
    const report = await hub.start();
    tracker.notePids(hub);
    expect(report.failed.map((e) => e.message)).toEqual([]);

    const tools = hub.connections[0]!.tools;
    const names = new Set(tools.map((t) => t.name));
    for (const name of ['many_1', 'many_900', 'huge_line', 'deep_schema', 'deep_result', 'long_'.padEnd(2000, 'x')]) {
      expect(names.has(name), name).toBe(true);
    }
    expect(tools.filter((t) => t.name.startsWith('many_'))).toHaveLength(900);

    // The deep schema arrived whole: 5,000 nested object schemas, then the string leaf.
    let schema = tools.find((t) => t.name === 'deep_schema')!.inputSchema as { properties?: { a?: unknown }; type?: string };
    let levels = 0;
    while (schema.properties?.a) {
      schema = schema.properties.a as typeof schema;
      levels++;
    }
    expect(levels).toBe(5000);
    expect(schema.type).toBe('string');

    const huge = await hub.call('huge_line', '{}');
    expect(huge.isError).toBe(false);
    expect(huge.text.startsWith('HUGE-')).toBe(true);
    expect(huge.text.endsWith('-END')).toBe(true);
    // The server sent the whole MiB on one line; the hub cut it in the middle to its budget.
    expect(huge.text).toContain(`the tool's output was ${1024 * 1024} characters`);

    const deep = await hub.call('deep_result', '{}');
    expect(deep.isError).toBe(false);
    expect(deep.text.startsWith('{"a":{"a":')).toBe(true);
  });
});
