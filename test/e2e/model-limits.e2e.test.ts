/**
 * Resource limits on the model side (issue 9), through the built CLI and the real
 * @huggingface/inference streaming path against the loopback mock model:
 * - a reply with 10,000 tool calls: 128 run (maxToolCallsPerReply), the rest are answered with
 *   an error naming the limit, every call gets exactly one tool message in call order;
 * - at most maxParallelToolCalls calls run at once;
 * - an endless stream (text, or reasoning) stops at maxReplyChars; a trickle stops at maxReplyTime;
 *   neither is retried;
 * - tool arguments nested 5,000 levels deep are shown without killing the run.
 * Memory: the CLI's peak RSS (the kernel's high-water mark, as VmHWM in /proc/PID/status, read
 * by test/support/peak-rss-probe.ts when the process exits) stays far under 1 GB.
 * No timing assertions: a bound that does not hold shows up as the run being killed by the
 * harness's timeout, as extra requests, or as a wrong message.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { startMockLlm, type MockLlm, type ScriptedReply } from '../support/mock-llm.js';
import { CLI_PATH, REPO_ROOT } from '../support/paths.js';
import { expectNoStackTrace, fixtureServer, lines, temperatureServer, useE2eHarness } from './harness.js';

const h = useE2eHarness();

let mocks: MockLlm[] = [];
afterEach(async () => {
  await Promise.allSettled(mocks.map((m) => m.close()));
  mocks = [];
});

async function mockWith(...replies: ScriptedReply[]): Promise<MockLlm> {
  const mock = await startMockLlm({ script: replies });
  mocks.push(mock);
  return mock;
}

const RSS_PROBE = resolve(REPO_ROOT, 'dist/test/support/peak-rss-probe.js');

/** Environment that makes the CLI record its peak RSS on exit; `peakMb()` reads the CLI's (not a child's). */
function rssProbe(): { env: Record<string, string>; peakMb(): number } {
  const dir = h.dir();
  return {
    env: { NODE_OPTIONS: `--import ${pathToFileURL(RSS_PROBE).href}`, PEAK_RSS_DIR: dir },
    peakMb() {
      const records = readdirSync(dir).map((name) => JSON.parse(readFileSync(join(dir, name), 'utf8')) as { script: string; maxRssKb: number });
      const cli = records.filter((r) => r.script === CLI_PATH);
      expect(cli, `peak RSS records: ${JSON.stringify(records)}`).toHaveLength(1);
      return cli[0]!.maxRssKb / 1024;
    },
  };
}

const MAX_PEAK_MB = 400;

function chatArgs(mock: MockLlm, config: unknown, ...rest: string[]): string[] {
  // --yes: these tests are about limits, not approvals (the fixture server is not trusted).
  return ['chat', '--config', h.file('switchboard.json', config), '--endpoint-url', mock.url, '--model', 'test-model', '--yes', ...rest];
}

function events(stdout: string): Array<Record<string, any>> {
  return lines(stdout).map((line) => JSON.parse(line));
}

describe('calls per reply and calls at once', () => {
  it('a reply with 10,000 tool calls: 128 run, the other 9,872 are told the limit, every call answered once in call order', async () => {
    const calls = Array.from({ length: 10_000 }, (_, i) => ({ id: `call_${i}`, name: 'get_temperature', arguments: { city: 'Paris' } }));
    const mock = await mockWith({ toolCalls: calls }, { text: 'Done.' });
    const rss = rssProbe();
    const r = await h.run(chatArgs(mock, { mcpServers: { temperature: temperatureServer() } }, '--json', 'Weather?'), { env: rss.env, timeoutMs: 120_000 });
    expect(r.code, r.stderr).toBe(0);
    const out = events(r.stdout);
    expect(out.filter((e) => e.type === 'tool_call')).toHaveLength(128);
    expect(out.filter((e) => e.type === 'tool_result')).toHaveLength(128);
    const notice = out.find((e) => e.type === 'notice');
    expect(notice?.message).toMatch(/10000 tool calls.*first 128 run \(maxToolCallsPerReply\).*other 9872/);
    expect(out.at(-1)).toMatchObject({ type: 'final', text: 'Done.' });

    // The next request answers every call exactly once, in call order.
    expect(mock.requests).toHaveLength(2);
    const messages: Array<Record<string, any>> = mock.requests[1]!.body.messages;
    const assistant = messages.findIndex((m) => m.role === 'assistant');
    expect(messages[assistant]!.tool_calls).toHaveLength(10_000);
    const toolMessages = messages.slice(assistant + 1);
    expect(toolMessages.map((m) => m.tool_call_id)).toEqual(calls.map((c) => c.id));
    for (const m of toolMessages.slice(0, 128)) expect(m.content).toMatch(/Paris/);
    for (const m of toolMessages.slice(128)) expect(m.content).toMatch(/not run.*at most 128 run per reply \(the maxToolCallsPerReply limit\)/);
    expect(rss.peakMb()).toBeLessThan(MAX_PEAK_MB);
    console.log(`10,000 calls: peak RSS ${rss.peakMb().toFixed(0)} MB`);
  }, 150_000);

  it('"maxToolCallsPerReply" and "maxParallelToolCalls" in the config: at most that many calls run, and at once', async () => {
    const calls = Array.from({ length: 8 }, (_, i) => ({ id: `call_${i}`, name: 'in_flight', arguments: { ms: 300 } }));
    const mock = await mockWith({ toolCalls: calls }, { text: 'Done.' });
    const config = { mcpServers: { fixture: fixtureServer('--tools', 'echo', '--in-flight-tool') }, maxToolCallsPerReply: 6, maxParallelToolCalls: 2 };
    const r = await h.run(chatArgs(mock, config, '--json', 'Go'), { timeoutMs: 60_000 });
    expect(r.code, r.stderr).toBe(0);
    const results = events(r.stdout).filter((e) => e.type === 'tool_result');
    expect(results).toHaveLength(6);
    const most = results.map((e) => Number(/most at once: (\d+)/.exec(e.text)?.[1]));
    // Never more than 2 at once, and 2 did run together.
    expect(Math.max(...most)).toBe(2);
    const toolMessages = mock.requests[1]!.body.messages.filter((m: any) => m.role === 'tool');
    expect(toolMessages.map((m: any) => m.tool_call_id)).toEqual(calls.map((c) => c.id));
    expect(toolMessages.slice(6).every((m: any) => /at most 6 run per reply/.test(m.content))).toBe(true);
  }, 90_000);
});

describe('reply size and total reply time', () => {
  it('an endless text stream stops at maxReplyChars with a clear message, exit 1, not retried, memory bounded', async () => {
    const mock = await mockWith({ fault: 'endless' }, { fault: 'endless' });
    const rss = rssProbe();
    const r = await h.run(chatArgs(mock, { mcpServers: {} }, 'Hi'), { env: rss.env, timeoutMs: 60_000 });
    expect(r.code, r.stderr).toBe(1);
    expect(r.stderr).toMatch(/reply passed 1,000,000 characters .*"maxReplyChars".*not retried/);
    expectNoStackTrace(r.stderr);
    expect(mock.requests).toHaveLength(1);
    expect(rss.peakMb()).toBeLessThan(MAX_PEAK_MB);
    console.log(`endless stream: peak RSS ${rss.peakMb().toFixed(0)} MB`);
  });

  it('one stream line that never ends stops too (it would grow inside the stream parser), memory bounded, not retried', async () => {
    const mock = await mockWith({ fault: 'endless-line' }, { fault: 'endless-line' });
    const rss = rssProbe();
    const r = await h.run(chatArgs(mock, { mcpServers: {} }, 'Hi'), { env: rss.env, timeoutMs: 60_000 });
    expect(r.code, r.stderr).toBe(1);
    expect(r.stderr).toMatch(/reply passed 1,000,000 characters .*"maxReplyChars"/);
    expectNoStackTrace(r.stderr);
    expect(mock.requests).toHaveLength(1);
    expect(rss.peakMb()).toBeLessThan(MAX_PEAK_MB);
  });

  it('reasoning counts toward maxReplyChars (set in the config)', async () => {
    const mock = await mockWith({ fault: 'endless', field: 'reasoning_content' }, { fault: 'endless', field: 'reasoning_content' });
    const r = await h.run(chatArgs(mock, { mcpServers: {}, maxReplyChars: 50_000 }, '--json', 'Hi'), { timeoutMs: 60_000 });
    expect(r.code, r.stderr).toBe(1);
    expect(events(r.stdout).at(-1)).toMatchObject({ type: 'error', code: 'MODEL_REQUEST', message: expect.stringMatching(/passed 50,000 characters/) });
    expect(mock.requests).toHaveLength(1);
  });

  it('a trickle that keeps resetting the idle timeout stops at maxReplyTime, not retried', async () => {
    const mock = await mockWith({ fault: 'endless', chunkSize: 1, delayMs: 20 }, { fault: 'endless', chunkSize: 1, delayMs: 20 });
    const r = await h.run(chatArgs(mock, { mcpServers: {}, maxReplyTime: 2, modelTimeout: 60 }, 'Hi'), { timeoutMs: 40_000 });
    expect(r.code, r.stderr).toBe(1);
    expect(r.stderr).toMatch(/still streaming after 2 s in total \(the "maxReplyTime" limit\).*not retried/);
    expectNoStackTrace(r.stderr);
    expect(mock.requests).toHaveLength(1);
  });

  it('a bad maxReplyChars in the config is a config error naming the key', async () => {
    const mock = await mockWith({ text: 'unused' });
    const r = await h.run(chatArgs(mock, { mcpServers: {}, maxReplyChars: 'lots' }, 'Hi'));
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/maxReplyChars/);
    expect(mock.requests).toEqual([]);
  });
});

describe('rendering cannot kill the run', () => {
  const deep = `{"city":"Paris","x":${'['.repeat(5000)}${']'.repeat(5000)}}`;

  it('tool arguments nested 5,000 levels deep: the call is shown, the turn goes on to its answer', async () => {
    const mock = await mockWith({ toolCalls: [{ id: 'call_deep', name: 'get_temperature', arguments: deep }] }, { text: 'Survived.' });
    const r = await h.run(chatArgs(mock, { mcpServers: { temperature: temperatureServer() } }, 'Weather?'));
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toBe('Survived.\n');
    expect(r.stderr).toMatch(/→ get_temperature .*\{"city":"Paris","x":\[\[\[/);
    expect(r.stderr).not.toMatch(/could not show/);
    expectNoStackTrace(r.stderr);
  });

  it('with --json the tool_call event carries the raw text of arguments too deep to nest', async () => {
    const mock = await mockWith({ toolCalls: [{ id: 'call_deep', name: 'get_temperature', arguments: deep }] }, { text: 'Survived.' });
    const r = await h.run(chatArgs(mock, { mcpServers: { temperature: temperatureServer() } }, '--json', 'Weather?'));
    expect(r.code, r.stderr).toBe(0);
    const out = events(r.stdout);
    expect(out.find((e) => e.type === 'tool_call')).toMatchObject({ id: 'call_deep', arguments: deep });
    expect(out.at(-1)).toMatchObject({ type: 'final', text: 'Survived.' });
  });
});
