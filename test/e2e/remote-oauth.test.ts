/**
 * OAuth against loopback authorization and resource servers (test/support/oauth-loopback.ts),
 * through the built CLI, with a `$BROWSER` that follows the authorization redirect:
 * - an access token about to expire is refreshed BEFORE the request that would carry it
 *   (the refresh reaches the authorization server first, the MCP request then carries the new
 *   token, and no 401 is ever seen);
 * - a refresh that is refused fails clearly without a terminal or $BROWSER, and signs in
 *   again with one;
 * - two servers with two authorization servers: each gets only its own tokens (issued for its
 *   own URL as `resource`), and a header from the config reaches only its own server;
 * - protected resource metadata naming another resource is refused before any sign-in;
 * - `auth --status` shows expiry, scopes and issuer, never a token.
 */
import { readFileSync, statSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../support/paths.js';
import { startOAuthLoopback, type OAuthEvent, type OAuthLoopback } from '../support/oauth-loopback.js';
import { expectNoStackTrace, useE2eHarness } from './harness.js';

const h = useE2eHarness();
const BROWSER = `${process.execPath} ${resolve(REPO_ROOT, 'dist/test/conformance/fake-browser.js')}`;

const servers: OAuthLoopback[] = [];
afterEach(async () => {
  for (const server of servers.splice(0)) await server.close();
});
async function start(...args: Parameters<typeof startOAuthLoopback>): Promise<OAuthLoopback> {
  const server = await startOAuthLoopback(...args);
  servers.push(server);
  return server;
}

type Store = { servers: Record<string, { expiresAt?: number; issuer?: string; resource?: string; tokens?: { access_token: string } }> };
const readStore = (home: string): Store => JSON.parse(readFileSync(join(home, 'switchboard', 'auth.json'), 'utf8')) as Store;
/** Moves a stored token's expiry (the test's stand-in for the clock moving on). */
function setExpiry(home: string, url: string, expiresAt: number): void {
  const path = join(home, 'switchboard', 'auth.json');
  const store = readStore(home);
  store.servers[url]!.expiresAt = expiresAt;
  writeFileSync(path, JSON.stringify(store));
}
const mcpEvents = (events: OAuthEvent[]) => events.filter((event): event is Extract<OAuthEvent, { kind: 'mcp' }> => event.kind === 'mcp');
const tokenEvents = (events: OAuthEvent[]) => events.filter((event): event is Extract<OAuthEvent, { kind: 'token' }> => event.kind === 'token');

describe('OAuth tokens of remote servers', () => {
  it('refreshes a token about to expire before the request, so the server never answers 401', async () => {
    const lo = await start({ name: 'alpha' });
    const home = h.dir();
    const config = h.file('oauth.json', { mcpServers: { fx: { url: lo.url } } });

    const signIn = await h.run(['auth', 'fx', '--config', config], { env: { XDG_CONFIG_HOME: home, BROWSER } });
    expect(signIn.code, signIn.stderr).toBe(0);
    expect(signIn.stdout).toContain(`Signed in to "fx" (${lo.url}); scopes: tools:read tools:call`);
    expect(statSync(join(home, 'switchboard', 'auth.json')).mode & 0o777).toBe(0o600);
    expect(tokenEvents(lo.events).map((event) => event.grant)).toEqual(['authorization_code']);

    // Signed in an hour ago: the token now expires in 10 s, within the refresh margin.
    setExpiry(home, lo.url, Date.now() + 10_000);
    const mark = lo.events.length;
    const call = await h.run(['call', 'fx/echo', '{"text": "hi"}', '--config', config], { env: { XDG_CONFIG_HOME: home, BROWSER: undefined } });
    expect(call.code, call.stderr).toBe(0);
    expect(call.stdout).toContain('alpha echo: hi');
    const after = lo.events.slice(mark);
    const refreshes = tokenEvents(after);
    expect(refreshes.map((event) => [event.grant, event.refused])).toEqual([['refresh_token', undefined]]);
    expect(refreshes[0]!.resource).toBe(lo.url); // the same audience asked for again
    const refreshed = refreshes[0]!.issued!;
    const firstMcp = after.findIndex((event) => event.kind === 'mcp');
    expect(after.indexOf(refreshes[0]!)).toBeLessThan(firstMcp);
    expect(mcpEvents(after).length).toBeGreaterThan(0);
    for (const event of mcpEvents(after)) expect([event.method, event.status, event.token]).toEqual([event.method, 200, refreshed]);
    expect(readStore(home).servers[lo.url]!.tokens!.access_token).toBe(refreshed);

    // The refreshed token lives an hour: the next run uses it as it is.
    const mark2 = lo.events.length;
    const again = await h.run(['call', 'fx/echo', '{"text": "again"}', '--config', config], { env: { XDG_CONFIG_HOME: home, BROWSER: undefined } });
    expect(again.code, again.stderr).toBe(0);
    expect(tokenEvents(lo.events.slice(mark2))).toEqual([]);
    for (const event of mcpEvents(lo.events.slice(mark2))) expect(event.token).toBe(refreshed);
    expect(call.stdout + call.stderr + again.stdout + again.stderr).not.toMatch(/alpha-(at|rt)-/);
  }, 60_000);

  it('a client_credentials token about to expire is renewed with the grant before the request (no refresh token, no 401)', async () => {
    const lo = await start({ name: 'alpha' });
    const home = h.dir();
    const config = h.file('m2m.json', { mcpServers: { fx: { url: lo.url, auth: { grant: 'client_credentials', clientId: 'm2m', clientSecret: '${env:SB_M2M_SECRET}' } } } });
    const env = { XDG_CONFIG_HOME: home, BROWSER: undefined, SB_M2M_SECRET: 'm2m-secret' };
    const first = await h.run(['call', 'fx/echo', '{"text": "one"}', '--config', config], { env });
    expect(first.code, first.stderr).toBe(0);
    expect(tokenEvents(lo.events).map((event) => event.grant)).toEqual(['client_credentials']);

    setExpiry(home, lo.url, Date.now() + 10_000);
    const mark = lo.events.length;
    const second = await h.run(['call', 'fx/echo', '{"text": "two"}', '--config', config], { env });
    expect(second.code, second.stderr).toBe(0);
    expect(second.stdout).toContain('alpha echo: two');
    const after = lo.events.slice(mark);
    const renewed = tokenEvents(after);
    expect(renewed.map((event) => [event.grant, event.refused])).toEqual([['client_credentials', undefined]]);
    expect(after.indexOf(renewed[0]!)).toBeLessThan(after.findIndex((event) => event.kind === 'mcp'));
    for (const event of mcpEvents(after)) expect([event.method, event.status, event.token]).toEqual([event.method, 200, renewed[0]!.issued]);
    expect(first.stdout + first.stderr + second.stdout + second.stderr).not.toContain('m2m-secret');
  }, 60_000);

  it('a refused refresh fails clearly with no terminal and no $BROWSER, and signs in again with $BROWSER', async () => {
    const lo = await start({ name: 'alpha' });
    const home = h.dir();
    const config = h.file('oauth.json', { mcpServers: { fx: { url: lo.url } } });
    const signIn = await h.run(['auth', 'fx', '--config', config], { env: { XDG_CONFIG_HOME: home, BROWSER } });
    expect(signIn.code, signIn.stderr).toBe(0);

    setExpiry(home, lo.url, Date.now() - 1_000);
    lo.revokeAll();
    const mark = lo.events.length;
    const refused = await h.run(['call', 'fx/echo', '{"text": "hi"}', '--config', config], { env: { XDG_CONFIG_HOME: home, BROWSER: undefined } });
    expect(refused.code).not.toBe(0);
    expect(refused.stderr).toContain('refreshing its access token failed (invalid_grant)');
    expect(refused.stderr).toContain('run `switchboard auth fx` in a terminal first');
    expectNoStackTrace(refused.stderr);
    const tried = lo.events.slice(mark);
    expect(tokenEvents(tried).map((event) => [event.grant, event.refused !== undefined])).toEqual([['refresh_token', true]]);
    // The refused refresh came first; the old access token was never sent.
    expect(tried.indexOf(tokenEvents(tried)[0]!)).toBeLessThan(tried.findIndex((event) => event.kind === 'mcp'));
    expect(mcpEvents(tried).every((event) => event.token === undefined)).toBe(true);

    const mark2 = lo.events.length;
    const again = await h.run(['call', 'fx/echo', '{"text": "back"}', '--config', config], { env: { XDG_CONFIG_HOME: home, BROWSER } });
    expect(again.code, again.stderr).toBe(0);
    expect(again.stdout).toContain('alpha echo: back');
    expect(lo.events.slice(mark2).some((event) => event.kind === 'authorize')).toBe(true);
  }, 60_000);

  it('two servers with their own authorization servers: each gets only its own token and header', async () => {
    const alpha = await start({ name: 'alpha' });
    const beta = await start({ name: 'beta' });
    const key = 'sb-alpha-key-0123456789';
    const home = h.dir();
    const config = h.file('two.json', { mcpServers: { a: { url: alpha.url, headers: { 'X-Api-Key': '${env:SB_ALPHA_KEY}' } }, b: { url: beta.url } } });
    const env = { XDG_CONFIG_HOME: home, BROWSER, SB_ALPHA_KEY: key };

    const tools = await h.run(['tools', '--strict', '--config', config], { env });
    expect(tools.code, tools.stderr).toBe(0);
    for (const [server, name] of [['a', 'alpha'], ['b', 'beta']] as const) {
      const call = await h.run(['call', `${server}/echo`, '{"text": "x"}', '--config', config], { env });
      expect(call.code, call.stderr).toBe(0);
      expect(call.stdout).toContain(`${name} echo: x`);
    }

    for (const [lo, own, other] of [[alpha, 'alpha', 'beta'], [beta, 'beta', 'alpha']] as const) {
      const sent = mcpEvents(lo.events).filter((event) => event.token !== undefined);
      expect(sent.length).toBeGreaterThan(0);
      expect(sent.every((event) => event.token!.startsWith(`${own}-at-`))).toBe(true);
      expect(JSON.stringify(lo.events)).not.toContain(`${other}-`);
      // Every authorization and token request asked for this server's URL as the audience.
      const asked = lo.events.filter((event) => event.kind === 'authorize' || event.kind === 'token');
      expect(asked.length).toBeGreaterThan(0);
      expect(asked.every((event) => 'resource' in event && event.resource === lo.url)).toBe(true);
    }
    // The configured header goes to server a itself, never to its authorization server or to b.
    expect(mcpEvents(alpha.events).every((event) => event.headers['x-api-key'] === key)).toBe(true);
    expect(alpha.events.filter((event) => event.at === 'as').some((event) => 'x-api-key' in event.headers)).toBe(false);
    expect(beta.events.some((event) => 'x-api-key' in event.headers)).toBe(false);

    // Stored per server URL, each with the authorization server that issued it.
    const store = readStore(home);
    expect(new URL(store.servers[alpha.url]!.issuer!).origin).toBe(alpha.issuer);
    expect(new URL(store.servers[beta.url]!.issuer!).origin).toBe(beta.issuer);
    expect(store.servers[alpha.url]!.resource).toBe(alpha.url);

    const status = await h.run(['auth', '--status'], { env: { XDG_CONFIG_HOME: home } });
    expect(status.code, status.stderr).toBe(0);
    for (const lo of [alpha, beta]) {
      const line = status.stdout.split('\n').find((text) => text.startsWith(`${lo.url}\t`));
      expect(line).toMatch(/\texpires \d{4}-\d\d-\d\dT[\d:.]+Z\tscopes: tools:read tools:call\tissuer: http:\/\/127\.0\.0\.1:\d+\/?$/);
    }
    expect(status.stdout).not.toMatch(/(alpha|beta)-(at|rt)-/);
  }, 90_000);

  it('refuses protected resource metadata that names another resource, before any sign-in', async () => {
    const lo = await start({ name: 'alpha', prmResource: () => 'https://other.example.invalid/mcp' });
    const home = h.dir();
    const config = h.file('mismatch.json', { mcpServers: { fx: { url: lo.url } } });
    const r = await h.run(['tools', '--strict', '--config', config], { env: { XDG_CONFIG_HOME: home, BROWSER } });
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain('Protected resource https://other.example.invalid/mcp does not match');
    expect(lo.events.some((event) => event.kind === 'authorize' || event.kind === 'token' || event.kind === 'register')).toBe(false);
    expectNoStackTrace(r.stderr);
  }, 60_000);
});
