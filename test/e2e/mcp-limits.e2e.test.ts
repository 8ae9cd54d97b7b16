/**
 * The MCP-side resource bounds of issue 9 as a user meets them: the built CLI against the
 * hostile server (test/support/hostile-server.ts). Peak memory of the CLI process is read
 * with the benchmark's rss-probe preload (process.resourceUsage().maxRSS at exit).
 */
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { startMockLlm } from '../support/mock-llm.js';
import { HOSTILE_SERVER_PATH, REPO_ROOT } from '../support/paths.js';
import { expectNoStackTrace, lines, useE2eHarness } from './harness.js';

const h = useE2eHarness();
const RSS_PROBE = resolve(REPO_ROOT, 'dist/test/bench/rss-probe.js');

function hostileConfig(...flags: string[]): string {
  return h.file('switchboard.json', { mcpServers: { hostile: { command: 'node', args: [HOSTILE_SERVER_PATH, ...flags] } } });
}

/** Runs the CLI with the RSS probe; returns the result and the CLI process's peak RSS in MiB. */
async function runMeasured(args: string[]) {
  const rssFile = join(h.dir(), 'rss');
  const r = await h.run(args, { cwd: h.dir(), env: { NODE_OPTIONS: `--import=${RSS_PROBE}`, BENCH_RSS_FILE: rssFile }, timeoutMs: 60_000 });
  const peakMib = Number(readFileSync(rssFile, 'utf8').trim()) / 1024;
  return { r, peakMib };
}

describe('MCP-side limits through the CLI', () => {
  it('tools: 50,000 tools, a 10,000-character name and a schema nested 5,000 levels give warnings, a narrow table, and valid --json', async () => {
    const config = hostileConfig('--many-tools', '50000', '--long-name', '10000', '--deep-schema', '5000');
    const table = await h.run(['tools', '--config', config], { cwd: h.dir(), timeoutMs: 60_000 });
    expect(table.code, table.stderr).toBe(0);
    expectNoStackTrace(table.stderr);
    expect(table.stderr).toContain('server "hostile" lists 50014 tools; only the first 1000 are used');
    expect(table.stderr).toMatch(/! 999 tools are offered to the model, and many providers accept at most 128 per request: keep the ones you need with "tools": \{"include": \[\.\.\.\]\} or "exclude"/);
    expect(table.stderr).toMatch(/tool "deep_schema" of server "hostile" is left out: its inputSchema nests more than 256 levels deep/);
    const rows = lines(table.stdout);
    expect(rows.length).toBeGreaterThan(900);
    for (const row of rows) expect([...row].length, row.slice(0, 120)).toBeLessThan(500);
    expect(table.stdout).toMatch(/ long_x+… /);

    const json = await h.run(['tools', '--json', '--config', config], { cwd: h.dir(), timeoutMs: 60_000 });
    expect(json.code, json.stderr).toBe(0);
    const schemas = JSON.parse(json.stdout) as Array<{ function: { name: string } }>;
    expect(schemas).toHaveLength(1000 - 1); // the first 1,000 listed, less deep_schema
    expect(schemas.some((s) => s.function.name === 'deep_schema')).toBe(false);
  });

  it('call: a server whose stdout line never ends is stopped at 64 MiB and reported as flooding; the CLI stays well under 1 GB', async () => {
    const config = hostileConfig('--endless-line');
    const { r, peakMib } = await runMeasured(['call', '--config', config, 'hostile/endless_line', '{}']);
    expect(r.code, r.stderr).toBe(1);
    expectNoStackTrace(r.stderr);
    expect(r.stdout + r.stderr).toContain('was stopped while running endless_line because it flooded stdout with more than 64 MiB without a newline');
    expect(r.stdout + r.stderr).toContain('one MCP message may be at most 64 MiB');
    expect(peakMib).toBeLessThan(600);
  });

  it('call: a 40 MiB tool result arrives whole (cut to the output budget) with bounded memory', async () => {
    const config = hostileConfig('--huge-line', '40');
    const { r, peakMib } = await runMeasured(['call', '--config', config, 'hostile/huge_line', '{}']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout.startsWith('HUGE-')).toBe(true);
    expect(r.stdout.trimEnd().endsWith('-END')).toBe(true);
    expect(r.stdout).toContain(`the tool's output was ${40 * 1024 * 1024} characters`);
    expect(peakMib).toBeLessThan(600);
  });

  it('call: a 40 MiB stderr line does not hold the CLI; --verbose shows it cut at 64 KiB', async () => {
    const config = hostileConfig('--stderr-flood', '40');
    const { r, peakMib } = await runMeasured(['call', '--verbose', '--config', config, 'hostile/stderr_flood', '{}']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toBe('flooded\n');
    expect(peakMib).toBeLessThan(600);
    const cut = lines(r.stderr).filter((line) => line.includes('more bytes of this line dropped'));
    // The stderr pipe is read to its end before the CLI exits only when the server wrote it all
    // before answering, which stderr_flood does (stderr on a pipe is synchronous in Node).
    expect(cut).toHaveLength(1);
    expect(cut[0]).toContain(`[hostile] ${'e'.repeat(100)}`);
    expect([...cut[0]!].length).toBeLessThan(64 * 1024 + 200);
  });

  it('chat: after a stdout flood and a 40 MiB stderr line, the same turn goes on and the next call answers', async () => {
    const config = hostileConfig('--endless-line', '--stderr-flood', '40');
    // (Arguments nested 5,000 levels are refused by the hub: test/integration/hostile-limits.test.ts.
    // The chat's terminal renderer is not part of this file's work.)
    const mock = await startMockLlm({
      script: [
        { toolCalls: [{ name: 'endless_line', arguments: {} }] },
        { toolCalls: [{ name: 'stderr_flood', arguments: {} }] },
        { toolCalls: [{ name: 'hidden_instructions', arguments: { a: 1, b: 2 } }] },
        { text: 'all done' },
      ],
    });
    try {
      const { r, peakMib } = await runMeasured(['chat', '--config', config, '--endpoint-url', mock.url, '--model', 'test-model', '--yes', 'go']);
      expect(r.code, r.stderr).toBe(0);
      expectNoStackTrace(r.stderr);
      expect(r.stdout).toBe('all done\n');
      expect(peakMib).toBeLessThan(600);
      expect(mock.requests).toHaveLength(4);
      /** The tool message the model read after its i-th reply. */
      const toolMessage = (i: number): string => {
        const messages = mock.requests[i]!.body.messages as Array<{ role: string; content: string }>;
        return messages.filter((m) => m.role === 'tool').at(-1)!.content;
      };
      expect(toolMessage(1)).toContain('was stopped while running endless_line because it flooded stdout with more than 64 MiB');
      expect(toolMessage(2)).toBe('flooded');
      expect(toolMessage(3)).toBe('3');
    } finally {
      await mock.close();
    }
  });
});
