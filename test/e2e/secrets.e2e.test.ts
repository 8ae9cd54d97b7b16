/**
 * Secrets on the config side, end to end through the built CLI:
 * - a value that came from a variable, and every server `env` value, is masked (`***`) in the
 *   start-failure message (command line and stderr tail), in server stderr shown with
 *   --verbose, and in the error report, even when the server echoes it back;
 * - a model token goes over TLS only, except to loopback (`--allow-insecure-endpoint` overrides).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startMockLlm, type MockLlm } from '../support/mock-llm.js';
import { expectNoStackTrace, fixtureServer, lines, useE2eHarness } from './harness.js';

const h = useE2eHarness();

const SECRET = 'ghp_e2eSecretValue0123456789';
const LITERAL = 'literal-env-value-in-the-file';

/** A server given the secret in its args (from a variable) and env (from a variable and literally), echoing both. */
function echoingServer(...more: string[]) {
  const server = fixtureServer('--token', '${SB_E2E_SECRET}', '--echo-argv', '--echo-env', 'API_KEY', '--echo-env', 'PLAIN', ...more);
  return { ...server, env: { API_KEY: '${env:SB_E2E_SECRET}', PLAIN: LITERAL } };
}

describe('secrets from the config are masked', () => {
  it('in the start-failure message of a server that echoes them on stderr', async () => {
    const config = h.file('crash.json', { mcpServers: { leaky: echoingServer('--crash-at-start') } });
    const r = await h.run(['tools', '--config', config], { env: { SB_E2E_SECRET: SECRET } });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/server "leaky" failed to start/);
    expect(r.stderr).toMatch(/command: node .*fixture-server\.js --token \*\*\* --echo-argv/);
    expect(r.stderr).toContain('| fixture argv: --token *** --echo-argv');
    expect(r.stderr).toContain('| fixture env API_KEY=***');
    expect(r.stderr).toContain('| fixture env PLAIN=***');
    for (const output of [r.stdout, r.stderr]) {
      expect(output).not.toContain(SECRET);
      expect(output).not.toContain(LITERAL);
    }
  });

  it('in server stderr shown with --verbose, and in the message of a failed run (--strict)', async () => {
    const config = h.file('verbose.json', { mcpServers: { leaky: echoingServer(), broken: echoingServer('--crash-at-start') } });
    const r = await h.run(['tools', '--verbose', '--strict', '--config', config], { env: { SB_E2E_SECRET: SECRET } });
    expect(r.code, r.stderr).toBe(1);
    expect(r.stderr).toContain('[leaky] fixture env API_KEY=***');
    expect(r.stderr).toContain('[leaky] fixture argv: --token ***');
    expect(r.stderr).toMatch(/--strict makes that fatal/);
    expectNoStackTrace(r.stderr);
    expect(r.stderr).not.toContain(SECRET);
    expect(r.stderr).not.toContain(LITERAL);
  });

  it('in --json events, which stay valid JSON', async () => {
    const script = h.file('script.json', [{ toolCalls: [{ name: 'echo', arguments: { text: `key=${SECRET}` } }] }, { text: 'Got {{last_tool_result}}' }]);
    const config = h.file('json.json', { mcpServers: { leaky: echoingServer() } });
    const r = await h.run(['chat', '--json', '--config', config, '--model', `scripted:${script}`, '--yes', 'hi'], { env: { SB_E2E_SECRET: SECRET } });
    expect(r.code, r.stderr).toBe(0);
    const events = lines(r.stdout).map((line) => JSON.parse(line) as { type: string });
    expect(events.map((e) => e.type)).toContain('tool_result');
    expect(r.stdout).toContain('key=***');
    expect(r.stdout).not.toContain(SECRET);
  });

  it('in the error report (a URL built from a secret)', async () => {
    const config = h.file('url.json', { endpointUrl: 'http://model.invalid/${env:SB_E2E_SECRET}/v1', mcpServers: {} });
    const r = await h.run(['chat', '--config', config, '--model', 'm', 'hi'], { env: { SB_E2E_SECRET: SECRET, SWITCHBOARD_API_KEY: 'sk-local-key-1234' } });
    expect(r.code, r.stderr).toBe(2);
    expect(r.stderr).toContain('http://model.invalid/***/v1');
    expect(r.stderr).not.toContain(SECRET);
  });
});

describe('the model token goes over TLS only, except to loopback', () => {
  let mock: MockLlm;
  beforeAll(async () => {
    mock = await startMockLlm({ script: [{ text: 'fine' }] });
  });
  afterAll(async () => {
    await mock.close();
  });

  it('refuses to send SWITCHBOARD_API_KEY over http to a host that is not loopback, naming the URL and the override', async () => {
    const r = await h.run(['chat', '--endpoint-url', 'http://model.invalid/v1', '--model', 'm', 'hi'], { env: { SWITCHBOARD_API_KEY: 'sk-local-key-1234' } });
    expect(r.code, r.stderr).toBe(2);
    expect(r.stderr).toContain('Refusing to send the model token over plain http to http://model.invalid/v1');
    expect(r.stderr).toContain('--allow-insecure-endpoint');
    expectNoStackTrace(r.stderr);
    expect(r.processes).toEqual([]);
  });

  it('refuses HF_TOKEN over http to a Hugging Face host too (endpointUrl from the config)', async () => {
    const config = h.file('hf.json', { endpointUrl: 'http://router.huggingface.co/v1', mcpServers: {} });
    const r = await h.run(['chat', '--config', config, '--model', 'm', 'hi'], { env: { HF_TOKEN: 'hf_abcdefgh' } });
    expect(r.code, r.stderr).toBe(2);
    expect(r.stderr).toContain('http://router.huggingface.co/v1');
    expect(r.stderr).toContain('--allow-insecure-endpoint');
  });

  it('sends the token over http to loopback', async () => {
    const before = mock.requests.length;
    const r = await h.run(['chat', '--endpoint-url', mock.url, '--model', 'm', 'hi'], { cwd: h.dir(), env: { SWITCHBOARD_API_KEY: 'sk-local-key-1234' } });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain('fine');
    expect(mock.requests.slice(before)[0]!.headers.authorization).toBe('Bearer sk-local-key-1234');
  });

  it('--allow-insecure-endpoint lets it through (the request is then made, and fails on the unknown host)', async () => {
    const r = await h.run(['chat', '--endpoint-url', 'http://model.invalid/v1', '--model', 'm', '--retries', '0', '--allow-insecure-endpoint', 'hi'], {
      env: { SWITCHBOARD_API_KEY: 'sk-local-key-1234' },
      timeoutMs: 60_000,
    });
    expect(r.code, r.stderr).toBe(1);
    expect(r.stderr).not.toContain('Refusing');
    expect(r.stderr).toMatch(/The model request failed/);
  });
});
