/**
 * `switchboard tools`, `switchboard call` and `--help`, end to end.
 */
import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { startMockLlm } from '../support/mock-llm.js';
import { CLI_PATH, REPO_ROOT } from '../support/paths.js';
import { expectNoStackTrace, useE2eHarness } from './harness.js';

const h = useE2eHarness();

describe('tools', () => {
  it('lists get_temperature and its server', async () => {
    const r = await h.run(['tools'], { cwd: h.dir() });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^get_temperature\s+temperature\s+get_temperature\s+\S/m);
    expect(r.stdout).toMatch(/^TOOL\s+SERVER\b/m);
    expectNoStackTrace(r.stderr);
  });

  it('--json prints the function schemas exactly as the model receives them', async () => {
    const cwd = h.dir();
    const listed = await h.run(['tools', '--json'], { cwd });
    expect(listed.code, listed.stderr).toBe(0);
    const schemas = JSON.parse(listed.stdout) as Array<Record<string, any>>;
    expect(Array.isArray(schemas)).toBe(true);
    for (const schema of schemas) {
      expect(schema.type).toBe('function');
      expect(typeof schema.function.name).toBe('string');
      expect(schema.function.parameters.type).toBe('object');
    }
    const temperature = schemas.find((s) => s.function.name === 'get_temperature');
    expect(temperature).toBeDefined();
    expect(temperature!.function.parameters.properties.city).toMatchObject({ type: 'string' });
    expect(temperature!.function.parameters.required).toContain('city');
    expect(typeof temperature!.function.description).toBe('string');

    // What a chat run with the same config sends to the model.
    const mock = await startMockLlm({ script: [{ text: 'no tools needed' }] });
    try {
      const chat = await h.run(['chat', '--endpoint-url', mock.url, '--model', 'test-model', 'hello'], { cwd });
      expect(chat.code, chat.stderr).toBe(0);
      expect(chat.stdout).toBe('no tools needed\n');
      expect(mock.requests).toHaveLength(1);
      expect(mock.requests[0]!.body.tools).toEqual(schemas);
    } finally {
      await mock.close();
    }
  });
});

describe('call', () => {
  it('calls a tool directly and prints its result', async () => {
    const r = await h.run(['call', 'get_temperature', '{"city":"Tokyo"}'], { cwd: h.dir() });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/\b73\b/);
    expect(r.stdout).toMatch(/Tokyo/);
  });

  it('exits 1 when the tool answers with an error result, and shows the error', async () => {
    const r = await h.run(['call', 'get_temperature', '{"city":""}'], { cwd: h.dir() });
    expect(r.code).toBe(1);
    expect(`${r.stdout}${r.stderr}`).toMatch(/city/i);
    expectNoStackTrace(r.stderr);
  });

  it('exits 2 for an unknown tool, naming the available tools', async () => {
    const r = await h.run(['call', 'nope', '{}'], { cwd: h.dir() });
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(/nope/);
    expect(r.stderr).toMatch(/get_temperature/);
    expectNoStackTrace(r.stderr);
  });

  // The servers are started to read the tool's schema for the hint (issue 7), and closed.
  it("exits 2 when the arguments are not JSON, showing the tool's own example", async () => {
    const r = await h.run(['call', 'get_temperature', 'not json'], { cwd: h.dir() });
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(/JSON/);
    expect(r.stderr).toContain(`switchboard call get_temperature '{"city":"..."}'`);
    expectNoStackTrace(r.stderr);
  });
});

describe('help and packaging', () => {
  it('--help exits 0 and lists the commands', async () => {
    const r = await h.run(['--help']);
    expect(r.code, r.stderr).toBe(0);
    for (const command of ['chat', 'tools', 'call']) expect(r.stdout).toMatch(new RegExp(`switchboard ${command}\\b`));
    expect(r.processes).toEqual([]);
  });

  it('no command is a usage error (exit 2)', async () => {
    const r = await h.run([]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/Name a command: chat, tools, call, .*\btrust\b/);
    expectNoStackTrace(r.stderr);
  });

  it('package.json bin entries point at built files with a node shebang', () => {
    const pkg = JSON.parse(readFileSync(resolve(REPO_ROOT, 'package.json'), 'utf8')) as { bin: Record<string, string> };
    expect(Object.keys(pkg.bin)).toContain('switchboard');
    expect(resolve(REPO_ROOT, pkg.bin.switchboard!)).toBe(CLI_PATH);
    for (const [name, path] of Object.entries(pkg.bin)) {
      const file = resolve(REPO_ROOT, path);
      expect(existsSync(file), `bin ${name} -> ${path}`).toBe(true);
      expect(readFileSync(file, 'utf8').split('\n')[0], `bin ${name} shebang`).toBe('#!/usr/bin/env node');
    }
  });
});
