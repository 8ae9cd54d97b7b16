/**
 * `switchboard auth SERVER`: signs in to a remote server now (the authorization-code flow in
 * the browser, or the client_credentials grant), so later runs without a terminal have a
 * token. `--logout SERVER` forgets the server's tokens and registration; `--status` lists the
 * servers with tokens, their expiry and scopes, never a token value.
 */
import { UserInputError, SwitchboardError } from '../errors.js';
import { TokenStore } from '../auth/store.js';
import { loadConfigForRun } from './config-loader.js';
import { withSession } from './session.js';
import type { GlobalFlags } from './settings.js';

export interface AuthOptions extends GlobalFlags {
  server?: string;
  logout?: string;
  status: boolean;
}

export async function authCommand(options: AuthOptions, signal: AbortSignal): Promise<number> {
  const given = [options.server !== undefined, options.logout !== undefined, options.status].filter(Boolean).length;
  if (given !== 1) throw new UserInputError('USAGE', 'switchboard auth takes one of: a SERVER to sign in to, --logout SERVER, or --status.');
  const store = new TokenStore(process.env);
  if (options.status) {
    const entries = Object.entries(store.all()).filter(([, entry]) => entry.tokens);
    if (entries.length === 0) process.stdout.write(`No remote server has a token (${store.path}).\n`);
    for (const [url, entry] of entries) {
      const expiry = entry.expiresAt === undefined ? 'no expiry given' : entry.expiresAt <= Date.now() ? `expired ${new Date(entry.expiresAt).toISOString()}${entry.tokens?.refresh_token ? ' (will refresh)' : ''}` : `expires ${new Date(entry.expiresAt).toISOString()}`;
      process.stdout.write(`${url}\t${expiry}\tscopes: ${entry.tokens?.scope || '(none given)'}${entry.issuer ? `\tissuer: ${entry.issuer}` : ''}\n`);
    }
    return 0;
  }
  const name = (options.server ?? options.logout)!;
  const config = await loadConfigForRun(options.config);
  const spec = config.servers.find((server) => server.name === name);
  const remotes = config.servers.filter((server) => server.transport === 'http').map((server) => server.name);
  const url = spec?.transport === 'http' ? spec.url : undefined;
  if (!spec || !url) {
    throw new UserInputError('USAGE', `"${name}" is not a remote server in ${config.path}. Remote servers there: ${remotes.length ? remotes.join(', ') : '(none)'}.`);
  }
  if (options.logout !== undefined) {
    const removed = store.remove(url);
    process.stdout.write(removed ? `Signed out of "${name}" (${url}): its tokens are deleted.\n` : `"${name}" (${url}) had no stored tokens.\n`);
    return 0;
  }
  // Signing in now means a fresh sign-in: drop the old tokens, keep the client registration.
  if (store.get(url)) store.update(url, ({ tokens: _t, expiresAt: _e, ...rest }) => rest);
  return withSession(options, { needsModel: false, announce: false, signal, servers: () => [spec], interactiveAuth: true }, async ({ hub }) => {
    const status = hub.servers[0];
    if (status?.state !== 'ready') throw new SwitchboardError('SERVER_START', `Could not sign in to "${name}" (${url}); the reason is above.`);
    const entry = store.get(url);
    process.stdout.write(entry?.tokens ? `Signed in to "${name}" (${url}); scopes: ${entry.tokens.scope || '(none given)'}.\n` : `"${name}" (${url}) answered without asking to sign in: no token is needed.\n`);
    return 0;
  });
}
