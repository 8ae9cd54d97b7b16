/**
 * Mistakes in what the user wrote (config file, model setup): exit 2, a message that says
 * what and where, no stack trace, and no server started.
 */
import { describe, expect, it } from 'vitest';
import { DEMO_SCRIPT_PATH } from '../support/paths.js';
import { expectNoStackTrace, temperatureServer, useE2eHarness } from './harness.js';

const h = useE2eHarness();

describe('malformed config JSON', () => {
  const cases: Array<[string, string, number]> = [
    // [what, file text, line of the mistake]
    ['a trailing comma', '{\n  "mcpServers": {\n    "t": { "command": "node", }\n  }\n}\n', 3],
    ['a missing value', '{\n  "maxSteps": ,\n  "mcpServers": {}\n}\n', 2],
    ['a single-quoted string', '{\n  "mcpServers": {},\n  "model": \'x\'\n}\n', 3],
    ['a truncated file', '{\n  "mcpServers": {\n    "t": { "command": "node"', 3],
  ];
  for (const [what, text, line] of cases) {
    it(`${what}: exit 2 with the line and column`, async () => {
      const config = h.file('bad.json', text);
      const r = await h.run(['tools', '--config', config]);
      expect(r.code, r.stderr).toBe(2);
      expect(r.stdout).toBe('');
      expect(r.stderr).toContain(config);
      expect(r.stderr).toMatch(/not valid JSON/i);
      expect(r.stderr).toMatch(new RegExp(`line ${line}\\b.*column \\d+`));
      expectNoStackTrace(r.stderr);
      expect(r.processes).toEqual([]);
    });
  }
});

describe('config validation', () => {
  it('reports every schema problem at once as path: message (a bad setting AND a server without a command)', async () => {
    const config = h.file('invalid.json', { maxSteps: 'many', mcpServers: { nocmd: { args: ['x'] }, temperature: temperatureServer() } });
    const r = await h.run(['tools', '--config', config]);
    expect(r.code, r.stderr).toBe(2);
    expect(r.stderr).toContain(config);
    expect(r.stderr).toMatch(/^\s*- maxSteps: .*number/m);
    expect(r.stderr).toMatch(/^\s*- mcpServers\.nocmd\.command: .*command/m);
    expectNoStackTrace(r.stderr);
    expect(r.processes).toEqual([]);
  });

  it('reports a server without a command as path: message', async () => {
    const config = h.file('nocmd.json', { mcpServers: { nocmd: { args: ['x'] } } });
    const r = await h.run(['tools', '--config', config]);
    expect(r.code, r.stderr).toBe(2);
    expect(r.stderr).toMatch(/^\s*- mcpServers\.nocmd\.command: /m);
    expectNoStackTrace(r.stderr);
  });

  it('names a ${env:VAR} that is not set, and where it is used', async () => {
    const config = h.file('env.json', {
      mcpServers: { temperature: { ...temperatureServer(), env: { API_KEY: '${env:SWITCHBOARD_E2E_UNSET_VAR}' } } },
    });
    const r = await h.run(['tools', '--config', config], { env: { SWITCHBOARD_E2E_UNSET_VAR: undefined } });
    expect(r.code, r.stderr).toBe(2);
    expect(r.stderr).toMatch(/SWITCHBOARD_E2E_UNSET_VAR/);
    expect(r.stderr).toMatch(/mcpServers\.temperature\.env\.API_KEY/);
    expectNoStackTrace(r.stderr);
    expect(r.processes).toEqual([]);
  });

  it('expands a ${env:VAR} that is set', async () => {
    const config = h.file('env-ok.json', { mcpServers: { temperature: { command: '${env:SWITCHBOARD_E2E_NODE}', args: temperatureServer().args } } });
    const r = await h.run(['call', '--config', config, 'get_temperature', '{"city":"Paris"}'], { env: { SWITCHBOARD_E2E_NODE: 'node' } });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/\b75\b/);
  });

  it('--config naming a file that does not exist: exit 2 naming it', async () => {
    const cwd = h.dir();
    const r = await h.run(['chat', '--config', 'does-not-exist.json', '--model', `scripted:${DEMO_SCRIPT_PATH}`, 'hi'], { cwd });
    expect(r.code, r.stderr).toBe(2);
    expect(r.stderr).toMatch(/does-not-exist\.json/);
    expect(r.stderr).toMatch(/not found/i);
    expectNoStackTrace(r.stderr);
    expect(r.processes).toEqual([]);
  });
});

describe('model setup', () => {
  it('no HF_TOKEN and no --endpoint-url with a real model: exit 2 saying how to fix it, before starting servers', async () => {
    const r = await h.run(['chat', 'What is the temperature in Paris?'], { cwd: h.dir() });
    expect(r.code, r.stderr).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(/HF_TOKEN/);
    expect(r.stderr).toMatch(/--endpoint-url/);
    expectNoStackTrace(r.stderr);
    expect(r.processes).toEqual([]);
  });

  it('a scripted model file that does not exist: exit 2', async () => {
    const r = await h.run(['chat', '--model', 'scripted:no-such-script.json', 'hi'], { cwd: h.dir() });
    expect(r.code, r.stderr).toBe(2);
    expect(r.stderr).toMatch(/no-such-script\.json/);
    expectNoStackTrace(r.stderr);
  });
});
