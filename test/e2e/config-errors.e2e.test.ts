/**
 * Mistakes in what the user wrote (config file, model setup): exit 2, a message that says
 * what and where, no stack trace, and no server started.
 */
import { describe, expect, it } from 'vitest';
import { startMockLlm } from '../support/mock-llm.js';
import { DEMO_SCRIPT_PATH } from '../support/paths.js';
import { EVERYTHING_SERVER } from '../integration/servers.js';
import { expectNoStackTrace, temperatureServer, useE2eHarness } from './harness.js';

const h = useE2eHarness();

describe('malformed config JSON', () => {
  const cases: Array<[string, string, number]> = [
    // [what, file text, line of the mistake]
    ['a missing colon', '{\n  "mcpServers": {\n    "t" { "command": "node" }\n  }\n}\n', 3],
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

describe('issue 7: config and command line made right', () => {
  const temperature = temperatureServer();
  const callTemperature = (config: string) => ['call', '--config', config, 'get_temperature', '{"city":"Paris"}'];

  it('an unknown key inside a server entry is not expanded: an unset ${VAR} there does not fail the load', async () => {
    const config = h.file('notes.json', { mcpServers: { t: { ...temperature, notes: '${SWITCHBOARD_E2E_UNSET_NOTES}' } } });
    const r = await h.run(callTemperature(config), { env: { SWITCHBOARD_E2E_UNSET_NOTES: undefined } });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/\b75\b/);
  });

  it('reads a VS Code mcp.json: JSONC, ${userHome}, ${input:ID} from SWITCHBOARD_INPUT_<ID>, envFile (the entry env wins)', async () => {
    const home = h.dir();
    h.file('server.env', 'FROM_FILE=file-value\nOVERRIDDEN=file\n');
    const config = h.file(
      'mcp.json',
      `{
  // VS Code writes comments and trailing commas
  "inputs": [{ "type": "promptString", "id": "api-key", "description": "API key", "password": true }],
  "servers": {
    "everything": {
      "type": "stdio",
      "command": "node",
      "args": ["${EVERYTHING_SERVER}", "stdio"],
      "envFile": "\${workspaceFolder}/server.env",
      "env": { "API_KEY": "\${input:api-key}", "HOME_DIR": "\${userHome}/x", "OVERRIDDEN": "entry", },
    },
  },
}
`,
    );
    const r = await h.run(['call', '--config', config, 'get-env'], { env: { SWITCHBOARD_INPUT_API_KEY: 'k-123', HOME: home, userHome: '/not/this' }, timeoutMs: 40_000 });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain('"API_KEY": "k-123"');
    expect(r.stdout).toContain(`"HOME_DIR": "${home}/x"`);
    expect(r.stdout).toContain('"FROM_FILE": "file-value"');
    expect(r.stdout).toContain('"OVERRIDDEN": "entry"');
  });

  it('${input:ID} with neither its variable nor a terminal: exit 2 naming the variable to set', async () => {
    const config = h.file('input.json', { mcpServers: { t: { ...temperature, env: { KEY: '${input:api-key}' } } } });
    const r = await h.run(callTemperature(config), { env: { SWITCHBOARD_INPUT_API_KEY: undefined } });
    expect(r.code, r.stderr).toBe(2);
    expect(r.stderr).toMatch(/mcpServers\.t\.env\.KEY: \$\{input:api-key\} has no value \(set SWITCHBOARD_INPUT_API_KEY=/);
    expectNoStackTrace(r.stderr);
    expect(r.processes).toEqual([]);
  });

  it('a top-level key that looks like a typo is a warning on stderr, and the config still loads', async () => {
    const config = h.file('typo.json', { modle: 'x', globalShortcut: 'Ctrl+Space', mcpServers: { t: temperature } });
    const r = await h.run(callTemperature(config));
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/warning: .*typo\.json: modle: .*did you mean "model"\?/);
    expect(r.stderr).not.toMatch(/globalShortcut/);
  });

  it('an unknown flag says "did you mean"; a model flag given to tools says which commands take it', async () => {
    const typo = await h.run(['chat', '--modle', 'x', 'hi'], { cwd: h.dir() });
    expect(typo.code, typo.stderr).toBe(2);
    expect(typo.stderr).toMatch(/Unknown flag --modle; did you mean --model\?/);
    expectNoStackTrace(typo.stderr);
    const misplaced = await h.run(['tools', '--model', 'x'], { cwd: h.dir() });
    expect(misplaced.code, misplaced.stderr).toBe(2);
    expect(misplaced.stderr).toMatch(/--model is not a flag of tools: only chat, doctor and serve take it/);
  });

  it('endpointUrl in the config follows the --endpoint-url rule: not http(s) is exit 2', async () => {
    for (const endpointUrl of ['localhost:8080/v1', 'ftp://example.com/v1', 'file:///tmp/v1']) {
      const config = h.file('endpoint.json', { endpointUrl, mcpServers: { t: temperature } });
      const r = await h.run(['tools', '--config', config]);
      expect(r.code, r.stderr).toBe(2);
      expect(r.stderr).toMatch(/endpointUrl: must be an http\(s\) URL such as http:\/\/127\.0\.0\.1:8080\/v1/);
      const flag = await h.run(['chat', '--endpoint-url', endpointUrl, '--model', 'm', 'hi'], { cwd: h.dir() });
      expect(flag.code, flag.stderr).toBe(2);
      expect(flag.stderr).toMatch(/--endpoint-url must be an http\(s\) URL such as http:\/\/127\.0\.0\.1:8080\/v1/);
    }
  });

  it('durations are bounded, in the config and as flags, and the error says the unit', async () => {
    const flag = await h.run(['call', '--tool-timeout', '3600000', 'get_temperature', '{"city":"Paris"}'], { cwd: h.dir() });
    expect(flag.code, flag.stderr).toBe(2);
    expect(flag.stderr).toMatch(/--tool-timeout must be a number of seconds from 0\.001 to 86400 \(24 hours\), not "3600000"/);
    expect(flag.processes).toEqual([]);
    const config = h.file('timeouts.json', { modelTimeout: 3_600_000, mcpServers: { t: { ...temperature, timeout: 1e9 } } });
    const r = await h.run(['tools', '--config', config]);
    expect(r.code, r.stderr).toBe(2);
    expect(r.stderr).toMatch(/modelTimeout: must be a number of seconds from 0\.001 to 86400/);
    expect(r.stderr).toMatch(/mcpServers\.t\.timeout: must be a number of seconds/);
  });

  it('a prompt starting with "-": rejected with a hint about --, and sent whole after --', async () => {
    const rejected = await h.run(['chat', '--model', 'm', '-5 degrees in Paris?'], { cwd: h.dir() });
    expect(rejected.code, rejected.stderr).toBe(2);
    expect(rejected.stderr).toMatch(/switchboard chat -- "-5 degrees in Paris\?"/);
    const mock = await startMockLlm({ script: [{ text: 'Cold.' }] });
    try {
      const r = await h.run(['chat', '--endpoint-url', mock.url, '--model', 'm', '--', '-5', 'degrees in Paris?'], { cwd: h.dir() });
      expect(r.code, r.stderr).toBe(0);
      expect(r.stdout).toContain('Cold.');
      expect(JSON.stringify(mock.requests[0]!.body)).toContain('"content":"-5 degrees in Paris?"');
    } finally {
      await mock.close();
    }
  });

  it('each command\'s --help lists its own flags: the model flags under chat, and under doctor only those that set the model up', async () => {
    const tools = await h.run(['tools', '--help']);
    const call = await h.run(['call', '--help']);
    const chat = await h.run(['chat', '--help']);
    const doctor = await h.run(['doctor', '--help']);
    for (const r of [tools, call]) {
      expect(r.code, r.stderr).toBe(0);
      expect(r.stdout).toContain('--tool-timeout');
      for (const flag of ['--model', '--provider', '--endpoint-url', '--max-steps', '--retries', '--system']) expect(r.stdout).not.toContain(flag);
    }
    expect(chat.stdout).toContain('--model');
    expect(chat.stdout).toContain('--endpoint-url');
    expect(doctor.code, doctor.stderr).toBe(0);
    for (const flag of ['--model ', '--endpoint-url', '--api-key-env', '--model-timeout', '--retries', '--model-check']) expect(doctor.stdout).toContain(flag);
    for (const flag of ['--system', '--max-steps', '--hide-reasoning', '--allow ', '--yes']) expect(doctor.stdout).not.toContain(flag);
    const refused = await h.run(['doctor', '--system', 'Be brief.']);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain('--system is not a flag of doctor: only chat and serve take it');
  });

  it('a typo of a flag gets a hint under every command, never a flag the command does not take', async () => {
    const tools = await h.run(['tools', '--modle', 'x']);
    expect(tools.code).toBe(2);
    expect(tools.stderr).toContain('Unknown flag --modle. (--model is close, but it is not a flag of tools: only chat, doctor and serve take it.)');
    const call = await h.run(['call', '--jsn', 'get_temperature']);
    expect(call.code).toBe(2);
    expect(call.stderr).toContain('Unknown flag --jsn; did you mean --json?');
  });
});
