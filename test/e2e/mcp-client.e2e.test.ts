/**
 * MCP client features beside tools (issue 11), through the built CLI with real servers:
 * roots (`"roots": []` leaves server-filesystem its folder arguments; the roots themselves are
 * checked in test/integration/roots.test.ts),
 * `logging/setLevel` from --log-level, and structuredContent checked against outputSchema.
 */
import { realpathSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { FILESYSTEM_SERVER } from '../integration/servers.js';
import { startMockLlm, type RecordedRequest } from '../support/mock-llm.js';
import { expectNoStackTrace, fixtureServer, useE2eHarness } from './harness.js';

const h = useE2eHarness();

describe('roots', () => {
  // Roots offered by the client replace server-filesystem's folder arguments (test/integration/roots.test.ts
  // checks the roots it is given); an empty list leaves it with its own.
  it('"roots": [] offers none, so server-filesystem keeps the folder given as its argument', async () => {
    const folder = realpathSync(h.dir());
    const config = h.file('fs-args.json', { mcpServers: { fs: { command: 'node', args: [FILESYSTEM_SERVER, folder], roots: [] } } });
    const cwd = realpathSync(h.dir());
    const r = await h.run(['call', 'fs/list_allowed_directories', '{}', '--config', config], { cwd });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain(folder);
    expect(r.stdout).not.toContain(cwd);
  });
});

describe('logging/setLevel', () => {
  const log = (level: string, message: string) => JSON.stringify({ level, message });

  it('tells a server that logs the run\'s --log-level, and only messages at that level or above are shown', async () => {
    const config = h.file('log.json', { mcpServers: { fixture: fixtureServer('--tools', 'echo', '--log-tool') } });
    const warn = await h.run(['call', 'fixture/log', log('info', 'info-note'), '--config', config, '--verbose', '--log-level', 'warn'], { cwd: h.dir() });
    expect(warn.code, warn.stderr).toBe(0);
    expect(warn.stderr).toContain('fixture: log level set to warning');
    expect(warn.stderr).not.toContain('info-note');

    const debug = await h.run(['call', 'fixture/log', log('debug', 'debug-note'), '--config', config, '--verbose', '--log-level', 'debug'], { cwd: h.dir() });
    expect(debug.code, debug.stderr).toBe(0);
    expect(debug.stderr).toContain('fixture: log level set to debug');
    expect(debug.stderr).toMatch(/^\[fixture\] debug: debug-note$/m);
  });

  it('is not sent to a server that does not declare logging', async () => {
    const config = h.file('nolog.json', { mcpServers: { fixture: fixtureServer('--tools', 'echo') } });
    const r = await h.run(['call', 'fixture/echo', '{"text":"hi"}', '--config', config, '--verbose', '--log-level', 'debug'], { cwd: h.dir() });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).not.toMatch(/setLevel|log level set/);
  });
});

describe('structured output', () => {
  it('a structuredContent that does not match the outputSchema is an error result that says so', async () => {
    const config = h.file('out.json', { mcpServers: { fixture: fixtureServer('--tools', 'add', '--wrong-output') } });
    const wrong = await h.run(['call', 'fixture/wrong_output', '{}', '--config', config], { cwd: h.dir() });
    expect(wrong.code).toBe(1);
    expect(wrong.stdout).toMatch(/not what the tool promised: its structuredContent does not match the tool's declared outputSchema/);
    expect(wrong.stdout).toMatch(/sum/);
    expectNoStackTrace(wrong.stderr);

    const good = await h.run(['call', 'fixture/add', '{"a":1,"b":2}', '--config', config], { cwd: h.dir() });
    expect(good.code, good.stderr).toBe(0);
    expect(good.stdout).toMatch(/\b3\b/);
    expect(good.stdout).not.toMatch(/promised/);
  });

  it('the model reads the mismatch in its tool message', async () => {
    const config = h.file('out.json', { mcpServers: { fixture: fixtureServer('--tools', 'add', '--wrong-output') } });
    const mock = await startMockLlm({
      script: (request: RecordedRequest) =>
        (request.body?.messages ?? []).some((m: { role: string }) => m.role === 'tool') ? { text: 'done' } : { toolCalls: [{ name: 'wrong_output', arguments: {} }] },
    });
    try {
      const r = await h.run(['chat', '--config', config, '--endpoint-url', mock.url, '--model', 'm', '--yes', 'go'], { cwd: h.dir() });
      expect(r.code, r.stderr).toBe(0);
      const tool = mock.requests[1]!.body.messages.find((m: { role: string }) => m.role === 'tool');
      expect(tool.content).toMatch(/does not match the tool's declared outputSchema/);
    } finally {
      await mock.close();
    }
  });
});
