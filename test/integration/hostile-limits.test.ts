/**
 * Every MCP-side resource bound of issue 9 crossed by the hostile server (a real child
 * process) under the ToolHub: a stdout line that never ends, a 40 MiB stderr line, 50,000
 * tools, tools/list paging forever, a schema nested 5,000 levels, arguments nested 5,000
 * levels. After each, the host answers the next request, and its memory stays bounded.
 * (Time is not asserted here: the linear reader is proved by counting work in
 * test/unit/line-reader.test.ts and timed in the benchmark.)
 */
import { afterEach, describe, expect, it } from 'vitest';
import { MAX_TOOLS_PER_SERVER, MAX_TOOL_PAGES } from '../../src/mcp/connection.js';
import { PROVIDER_TOOL_LIMIT } from '../../src/mcp/hub.js';
import { HOSTILE_SERVER_PATH } from '../support/paths.js';
import { waitUntil } from '../support/processes.js';
import { HubTracker, nodeServer } from './servers.js';

const tracker = new HubTracker();

afterEach(async () => {
  expect(await tracker.closeAll(), 'hubs that did not close, or server processes still alive').toEqual([]);
});

/** Samples this process's RSS until stopped; returns the peak in MiB. */
function rssPeak(): () => number {
  let peak = process.memoryUsage().rss;
  const timer = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 20);
  return () => {
    clearInterval(timer);
    return Math.max(peak, process.memoryUsage().rss) / (1024 * 1024);
  };
}

function hostileHub(flags: string[]) {
  const notices: string[] = [];
  const stderr: string[] = [];
  const skipped: Array<{ tool: string; reason: string }> = [];
  const hub = tracker.create([nodeServer('hostile', HOSTILE_SERVER_PATH, flags)], {
    observer: {
      notice: (_server, message) => notices.push(message),
      stderrLine: (_server, line) => stderr.push(line),
      toolSkipped: (_server, tool, reason) => skipped.push({ tool, reason }),
    },
  });
  return { hub, notices, stderr, skipped };
}

/** The plain tool that proves the host still answers: 1 + 2. */
async function expectAnswers(hub: ReturnType<typeof hostileHub>['hub']): Promise<void> {
  const sum = await hub.call('hidden_instructions', '{"a":1,"b":2}');
  expect(sum, sum.text).toMatchObject({ isError: false, text: '3' });
}

describe('MCP-side limits against the hostile server', () => {
  it('stops a server whose stdout line never ends at 64 MiB, says it was flooding, restarts it on the next call', async () => {
    const { hub, notices } = hostileHub(['--endless-line']);
    expect((await hub.start()).failed).toEqual([]);
    tracker.notePids(hub);
    const firstPid = hub.connections[0]!.pid;
    const peak = rssPeak();
    const flood = await hub.call('endless_line', '{}');
    expect(peak(), 'peak RSS of the host (MiB)').toBeLessThan(1024);
    expect(flood.isError).toBe(true);
    expect(flood.text).toContain('was stopped while running endless_line because it flooded stdout with more than 64 MiB without a newline');
    expect(flood.text).toContain('one MCP message may be at most 64 MiB');
    expect(flood.text).toContain('it will be restarted on the next call');
    expect(notices.some((n) => /server "hostile" was stopped because it flooded stdout.*restarted on its next tool call/.test(n)), notices.join('\n')).toBe(true);

    await expectAnswers(hub);
    tracker.notePids(hub);
    expect(hub.connections[0]!.pid).not.toBe(firstPid);
  });

  it('cuts a 40 MiB stderr line at 64 KiB with a marker, and answers the next call', async () => {
    const { hub, stderr } = hostileHub(['--stderr-flood', '40']);
    expect((await hub.start()).failed).toEqual([]);
    tracker.notePids(hub);
    const peak = rssPeak();
    const flood = await hub.call('stderr_flood', '{}');
    expect(flood).toMatchObject({ isError: false, text: 'flooded' });
    expect(await waitUntil(() => stderr.includes('stderr-flood-done'), 20_000)).toBe(true);
    expect(peak(), 'peak RSS of the host (MiB)').toBeLessThan(1024);
    const long = stderr.find((line) => line.startsWith('eeee'))!;
    const dropped = 40 * 1024 * 1024 - 64 * 1024;
    expect(long).toBe(`${'e'.repeat(64 * 1024)} … [${dropped} more bytes of this line dropped: stderr lines are cut at 64 KiB]`);
    await expectAnswers(hub);
  });

  it('quotes a 64 KiB stderr line cut to 1,000 characters when it reports the server stopped', async () => {
    const { hub, notices, stderr } = hostileHub(['--stderr-flood', '40', '--endless-line']);
    expect((await hub.start()).failed).toEqual([]);
    tracker.notePids(hub);
    expect(await hub.call('stderr_flood', '{}')).toMatchObject({ text: 'flooded' });
    expect(await waitUntil(() => stderr.includes('stderr-flood-done'), 20_000)).toBe(true);
    const flood = await hub.call('endless_line', '{}');
    expect(flood.isError).toBe(true);
    const stopped = notices.find((n) => n.includes('was stopped because it flooded stdout'))!;
    expect(stopped).toContain(`Its last stderr lines: `);
    expect(stopped).toMatch(new RegExp(` \\| e{1000}… \\[\\d+ more characters\\] \\| stderr-flood-done`));
    expect(stopped.length).toBeLessThan(5000);
  });

  it(`keeps the first ${MAX_TOOLS_PER_SERVER} of 50,000 tools, says so, and warns past ${PROVIDER_TOOL_LIMIT} tools naming the filters`, async () => {
    const { hub, notices } = hostileHub(['--many-tools', '50000', '--long-name', '10000']);
    expect((await hub.start()).failed).toEqual([]);
    tracker.notePids(hub);
    expect(hub.connections[0]!.tools).toHaveLength(MAX_TOOLS_PER_SERVER);
    expect(hub.functionTools.length).toBeLessThanOrEqual(MAX_TOOLS_PER_SERVER);
    // 50,000 + the long name + the 12 tools it always lists.
    expect(notices.filter((n) => n.includes(`lists 50013 tools; only the first ${MAX_TOOLS_PER_SERVER} are used`)), notices.join('\n')).toHaveLength(1);
    const warning = notices.filter((n) => n.includes('many providers accept at most 128'));
    expect(warning).toHaveLength(1);
    expect(warning[0]).toContain('"tools": {"include": [...]}');
    expect(warning[0]).toContain(`hostile ${hub.functionTools.length}`);
    await expectAnswers(hub);
  });

  it(`stops asking for tools/list pages after ${MAX_TOOL_PAGES} pages of a server that pages forever`, async () => {
    const { hub, notices } = hostileHub(['--pages', '0']);
    expect((await hub.start()).failed).toEqual([]);
    tracker.notePids(hub);
    expect(hub.connections[0]!.tools.map((t) => t.name)).toEqual(Array.from({ length: MAX_TOOL_PAGES }, (_, i) => `paged_${i + 1}`));
    expect(notices).toContain(`server "hostile" lists tools on more than ${MAX_TOOL_PAGES} pages; Switchboard stopped asking for more and uses the first ${MAX_TOOL_PAGES}`);
  });

  it('still reads every page of a server that pages a few times', async () => {
    const { hub, notices } = hostileHub(['--pages', '3']);
    expect((await hub.start()).failed).toEqual([]);
    tracker.notePids(hub);
    const names = hub.connections[0]!.tools.map((t) => t.name);
    expect(names.slice(0, 3)).toEqual(['paged_1', 'paged_2', 'paged_3']);
    expect(names).toContain('hidden_instructions');
    expect(notices).toEqual([]);
    await expectAnswers(hub);
  });

  it('leaves out a tool whose schema nests 5,000 levels, with the reason; the other tools stay offered and serialisable', async () => {
    const { hub, skipped } = hostileHub(['--deep-schema', '5000']);
    expect((await hub.start()).failed).toEqual([]);
    tracker.notePids(hub);
    expect(skipped).toEqual([{ tool: 'deep_schema', reason: expect.stringContaining('its inputSchema nests more than 256 levels deep') }]);
    expect(hub.routes.has('deep_schema')).toBe(false);
    expect(JSON.parse(JSON.stringify(hub.functionTools))).toHaveLength(hub.functionTools.length);
    await expectAnswers(hub);
  });

  it('answers arguments nested 5,000 levels with an error tool message, without calling the server', async () => {
    const logs: unknown[] = [];
    const hub = tracker.create([nodeServer('hostile', HOSTILE_SERVER_PATH)], { observer: { serverLog: (_server, entry) => logs.push(entry.data) } });
    expect((await hub.start()).failed).toEqual([]);
    tracker.notePids(hub);
    const deep = `{"x":${'['.repeat(5000)}${']'.repeat(5000)}}`;
    const refused = await hub.call('evil_result', deep);
    expect(refused.isError).toBe(true);
    expect(refused.text).toContain('the arguments nest objects or arrays more than 256 levels deep');
    // evil_result logs once per call, before its result (same pipe, in order): after the
    // next good call's result, exactly one log entry means the refused call never ran.
    const called = await hub.call('evil_result', '{}');
    expect(called.isError).toBe(false);
    expect(logs).toHaveLength(1);
  });

  it('quotes a 10,000-character unknown tool name from the model cut to 100 characters', async () => {
    const hub = tracker.create([nodeServer('hostile', HOSTILE_SERVER_PATH)]);
    expect((await hub.start()).failed).toEqual([]);
    tracker.notePids(hub);
    const unknown = await hub.call(`no_such_${'y'.repeat(9992)}`, '{}');
    expect(unknown.isError).toBe(true);
    expect(unknown.text).toContain(`there is no tool named "no_such_${'y'.repeat(92)}…" (10000 characters). Available tools: `);
    expect(unknown.text.length).toBeLessThan(3000);
  });
});
