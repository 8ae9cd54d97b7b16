/**
 * Remote server entries through the built CLI: the refusal of plain http to a host that is
 * not loopback, connection failures named with the URL and cause, header tokens from the
 * environment (sent, never shown), an empty header as a config error, and `switchboard auth`.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { resolve } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../support/paths.js';
import { expectNoStackTrace, temperatureServer, useE2eHarness } from './harness.js';

const h = useE2eHarness();
const HTTP_FIXTURE = resolve(REPO_ROOT, 'dist/test/support/http-fixture-server.js');
const KEY = 'sb-remote-key-0123456789';

const children: ChildProcess[] = [];
afterEach(() => {
  for (const child of children.splice(0)) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
});

async function startFixture(...flags: string[]): Promise<string> {
  const probe = createServer();
  await new Promise<void>((ready) => probe.listen(0, '127.0.0.1', ready));
  const { port } = probe.address() as { port: number };
  await new Promise((done) => probe.close(done));
  const child = spawn(process.execPath, [HTTP_FIXTURE, '--port', String(port), ...flags], { stdio: ['ignore', 'pipe', 'inherit'] });
  children.push(child);
  await new Promise<void>((ready, reject) => {
    child.stdout!.on('data', (chunk: Buffer) => chunk.toString().includes('listening on') && ready());
    child.once('exit', (code) => reject(new Error(`the HTTP fixture exited (${code})`)));
  });
  return `http://127.0.0.1:${port}/mcp`;
}

describe('remote servers from the CLI', () => {
  it('refuses plain http to a host that is not loopback, naming the URL, while the other servers go on', async () => {
    const url = 'http://mcp.example.invalid/mcp';
    const config = h.file('insecure.json', { mcpServers: { far: { url }, temperature: temperatureServer() } });
    const r = await h.run(['tools', '--config', config]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toContain('server "far" failed to start: refusing plain http:// to mcp.example.invalid');
    expect(r.stderr).toContain('"allowInsecure": true');
    expect(r.stderr).toContain(`url: ${url}`);
    expect(r.stdout).toContain('get_temperature');
    expectNoStackTrace(r.stderr);
    const strict = await h.run(['tools', '--strict', '--config', config]);
    expect(strict.code).toBe(1);
  });

  it('with allowInsecure it tries, and a host that does not resolve is reported with the URL and the cause', async () => {
    const url = 'http://mcp.example.invalid/mcp';
    const config = h.file('allowed.json', { mcpServers: { far: { url, allowInsecure: true } } });
    const r = await h.run(['tools', '--config', config], { timeoutMs: 60_000 });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/server "far" failed to start: http:\/\/mcp\.example\.invalid\/mcp: (DNS lookup failed|.*ENOTFOUND|.*EAI_AGAIN)/);
    expect(r.stderr).not.toContain('refusing');
  }, 70_000);

  it('sends header tokens from the environment and never shows them, in output or failures', async () => {
    const url = await startFixture('--require-header', `x-api-key=${KEY}`);
    const config = h.file('headers.json', { mcpServers: { fx: { url, headers: { 'X-Api-Key': '${env:SB_REMOTE_KEY}' } } } });
    const ok = await h.run(['call', 'fx/echo', '{"text": "hi"}', '--verbose', '--config', config], { env: { SB_REMOTE_KEY: KEY } });
    expect(ok.code, ok.stderr).toBe(0);
    expect(ok.stdout).toContain('echo: hi');
    expect(ok.stdout + ok.stderr).not.toContain(KEY);

    const wrong = 'sb-wrong-key-9876543210';
    const refused = await h.run(['tools', '--verbose', '--config', config], { env: { SB_REMOTE_KEY: wrong } });
    expect(refused.stderr).toContain(`server "fx" failed to start: ${url}: the server asked for authorization, and signing in with OAuth failed`);
    expect(refused.stdout + refused.stderr).not.toContain(wrong);
    expectNoStackTrace(refused.stderr);
  });

  it('a header that expands to nothing is a config error naming it', async () => {
    const config = h.file('empty.json', { mcpServers: { fx: { url: 'https://mcp.example.invalid/mcp', headers: { Authorization: 'Bearer ${env:SB_EMPTY_TOKEN}' } } } });
    const r = await h.run(['tools', '--config', config], { env: { SB_EMPTY_TOKEN: '' } });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('mcpServers.fx.headers.Authorization: is empty');
    expectNoStackTrace(r.stderr);
  });

  it('switchboard auth: --status with no tokens, --logout of a server with none, and a server that is not remote', async () => {
    const home = h.dir();
    const config = h.file('auth.json', { mcpServers: { fx: { url: 'https://mcp.example.invalid/mcp' }, temperature: temperatureServer() } });
    const status = await h.run(['auth', '--status'], { env: { XDG_CONFIG_HOME: home } });
    expect(status.code, status.stderr).toBe(0);
    expect(status.stdout).toContain('No remote server has a token');
    const logout = await h.run(['auth', '--logout', 'fx', '--config', config], { env: { XDG_CONFIG_HOME: home } });
    expect(logout.code, logout.stderr).toBe(0);
    expect(logout.stdout).toContain('"fx" (https://mcp.example.invalid/mcp) had no stored tokens');
    const local = await h.run(['auth', 'temperature', '--config', config], { env: { XDG_CONFIG_HOME: home } });
    expect(local.code).toBe(2);
    expect(local.stderr).toContain('"temperature" is not a remote server');
    expect(local.stderr).toContain('Remote servers there: fx');
  });
});
