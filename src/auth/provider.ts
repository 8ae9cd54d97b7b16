/**
 * The SDK's `OAuthClientProvider`, implemented once for every remote server. The SDK's
 * `auth()` does the protocol (protected-resource and authorization-server discovery, client
 * registration in the order pre-registered > Client ID Metadata Document > dynamic
 * registration, PKCE S256, the `resource` parameter, refresh, scope step-up); this class
 * supplies what belongs to Switchboard: where tokens and registrations are kept (TokenStore),
 * the loopback redirect, opening the browser, and the `client_credentials` grant.
 */
import { randomBytes } from 'node:crypto';
import { auth, discoverAuthorizationServerMetadata, refreshAuthorization, type OAuthClientProvider, type OAuthDiscoveryState } from '@modelcontextprotocol/sdk/client/auth.js';
import { OAuthError, ServerError } from '@modelcontextprotocol/sdk/server/auth/errors.js';
import type { OAuthClientInformationMixed, OAuthClientMetadata, OAuthTokens } from '@modelcontextprotocol/sdk/shared/auth.js';
import type { ServerSpec } from '../config/schema.js';
import { VERSION } from '../version.js';
import { openInBrowser } from './browser.js';
import { listenForRedirect, redirectUrlFor } from './loopback.js';
import type { TokenStore } from './store.js';

/** Thrown when the flow needs a person and there is none (no terminal, no $BROWSER). */
export class AuthorizationNeededError extends Error {
  constructor(server: string) {
    super(`server "${server}" needs you to sign in, and this run has no terminal and no $BROWSER to do it with; run \`switchboard auth ${server}\` in a terminal first`);
    this.name = 'AuthorizationNeededError';
  }
}

/**
 * An access token that expires within this margin is refreshed before it is sent, so a
 * request never goes out with a token about to lapse (and the server never has to answer 401).
 */
export const REFRESH_MARGIN_MS = 60_000;

/** Half the token's lifetime when that is shorter than the margin: a short-lived token is not refreshed before every request. */
const refreshMargin = (expiresInSeconds: number | undefined): number => Math.min(REFRESH_MARGIN_MS, ((expiresInSeconds ?? Infinity) * 1000) / 2);

export interface ProviderContext {
  store: TokenStore;
  env: NodeJS.ProcessEnv;
  /** A person can take part (stdin and stderr are terminals), or `auth` was asked for explicitly. */
  interactive: boolean;
  /** Shows a line to the user (the authorization URL, how it was opened). */
  notify(message: string): void;
  /** The loopback port for this server's redirect URI. */
  redirectPort: number;
  /** How long to wait for the redirect. */
  redirectTimeoutMs: number;
}

export class SwitchboardOAuthProvider implements OAuthClientProvider {
  readonly clientMetadataUrl: string | undefined;
  private verifier: string | undefined;
  private expectedState: string | undefined;
  private discovery: OAuthDiscoveryState | undefined;
  private pending: Promise<string> | undefined;
  private readonly abort = new AbortController();
  /** The early refresh under way, shared by the requests that wait for it. */
  private refreshing: Promise<void> | undefined;

  constructor(
    private readonly spec: ServerSpec,
    private readonly context: ProviderContext,
  ) {
    this.clientMetadataUrl = spec.auth?.clientMetadataUrl;
  }

  private get key(): string {
    return this.spec.url!;
  }

  private get machineToMachine(): boolean {
    return this.spec.auth?.grant === 'client_credentials';
  }

  get redirectUrl(): string | undefined {
    return this.machineToMachine ? undefined : redirectUrlFor(this.context.redirectPort);
  }

  get clientMetadata(): OAuthClientMetadata {
    const secret = this.spec.auth?.clientSecret;
    return {
      client_name: 'Switchboard',
      software_id: 'switchboard',
      software_version: VERSION,
      redirect_uris: this.machineToMachine ? [] : [redirectUrlFor(this.context.redirectPort)],
      grant_types: this.machineToMachine ? ['client_credentials'] : ['authorization_code', 'refresh_token'],
      response_types: this.machineToMachine ? [] : ['code'],
      token_endpoint_auth_method: secret ? 'client_secret_basic' : 'none',
      ...(this.spec.auth?.scope ? { scope: this.spec.auth.scope } : {}),
    };
  }

  state(): string {
    this.expectedState = randomBytes(16).toString('base64url');
    return this.expectedState;
  }

  /** A pre-registered client from the config wins; else the registration stored for this server. */
  clientInformation(): OAuthClientInformationMixed | undefined {
    const auth = this.spec.auth;
    if (auth?.clientId) return { client_id: auth.clientId, ...(auth.clientSecret ? { client_secret: auth.clientSecret } : {}) };
    return this.context.store.get(this.key)?.client as OAuthClientInformationMixed | undefined;
  }

  saveClientInformation(information: OAuthClientInformationMixed): void {
    if (this.spec.auth?.clientId) return; // the config's client is not stored
    this.context.store.update(this.key, (entry) => ({ ...entry, client: information, redirectPort: this.context.redirectPort }));
  }

  /**
   * The stored tokens, for the SDK to send to this server (and only this one: the store is
   * keyed by its URL). An access token that expires within REFRESH_MARGIN_MS is refreshed
   * first with the refresh token, at the authorization server that issued it.
   */
  async tokens(): Promise<OAuthTokens | undefined> {
    const entry = this.context.store.get(this.key);
    const renewable = entry?.tokens?.refresh_token !== undefined || this.machineToMachine;
    if (!entry?.tokens || !renewable || entry.expiresAt === undefined || entry.expiresAt - Date.now() > refreshMargin(entry.tokens.expires_in)) return entry?.tokens as OAuthTokens | undefined;
    const refreshToken = entry.tokens.refresh_token;
    this.refreshing ??= (refreshToken ? this.refreshEarly(refreshToken, entry.issuer, entry.resource) : this.renewMachineToken()).finally(() => (this.refreshing = undefined));
    await this.refreshing;
    return this.context.store.get(this.key)?.tokens as OAuthTokens | undefined;
  }

  /**
   * The refresh before expiry. Only the authorization server recorded as the tokens' issuer
   * sees the refresh token; the `resource` they were issued for is asked for again (RFC 8707).
   * A refusal (the refresh token expired or was revoked) drops the tokens, so the request
   * goes out without one and the server's 401 starts a new sign-in (in a terminal, or with
   * $BROWSER), or fails telling the user to run `switchboard auth`. A network failure or an
   * authorization server error keeps them: they may still be good, and a 401 refreshes again.
   */
  private async refreshEarly(refreshToken: string, issuer: string | undefined, resource: string | undefined): Promise<void> {
    const client = this.clientInformation();
    if (!issuer || !client) return; // no record of where the tokens came from: only a 401 may start over
    try {
      const known = this.discovery?.authorizationServerUrl === issuer ? this.discovery.authorizationServerMetadata : undefined;
      const metadata = known ?? (await discoverAuthorizationServerMetadata(issuer));
      const tokens = await refreshAuthorization(issuer, { metadata, clientInformation: client, refreshToken, ...(resource ? { resource } : {}) });
      this.saveTokens({ ...tokens, issuer } as OAuthTokens);
    } catch (error) {
      if (error instanceof OAuthError && !(error instanceof ServerError)) {
        this.invalidateCredentials('tokens');
        this.context.notify(`server "${this.spec.name}": refreshing its access token failed (${error.errorCode}); it needs a new sign-in`);
      }
    }
  }

  /**
   * A client_credentials token about to expire (such grants rarely come with a refresh
   * token): the grant is run again through the SDK's `auth()`, which for a flow without a
   * redirect goes straight to the token request and never asks for `tokens()` (no re-entry).
   * A failure leaves the old token: the server's 401 then runs the grant again.
   */
  private async renewMachineToken(): Promise<void> {
    try {
      await auth(this, { serverUrl: new URL(this.key) });
    } catch {
      // reported by the 401 path if the token is refused
    }
  }

  saveTokens(tokens: OAuthTokens): void {
    const issuer = (tokens as { issuer?: string }).issuer ?? this.discovery?.authorizationServerMetadata?.issuer ?? this.discovery?.authorizationServerUrl;
    // The resource (RFC 8707) the tokens were asked for: a refresh asks for the same audience.
    const resource = this.discovery?.resourceMetadata?.resource;
    this.context.store.update(this.key, (entry) => ({
      ...entry,
      tokens,
      ...(tokens.expires_in !== undefined ? { expiresAt: Date.now() + tokens.expires_in * 1000 } : { expiresAt: undefined }),
      ...(issuer ? { issuer: String(issuer) } : {}),
      ...(resource ? { resource } : {}),
    }));
  }

  /**
   * Starts the loopback listener, then shows the URL and opens it. The code arrives through
   * `authorizationCode()`, which the connection awaits after the SDK reports the redirect.
   */
  async redirectToAuthorization(authorizationUrl: URL): Promise<void> {
    const browserAvailable = Boolean(this.context.env.BROWSER?.trim());
    if (!this.context.interactive && !browserAvailable) throw new AuthorizationNeededError(this.spec.name);
    const { code } = await listenForRedirect(this.context.redirectPort, this.expectedState ?? '', this.abort.signal, this.context.redirectTimeoutMs);
    this.pending = code;
    this.context.notify(`server "${this.spec.name}" needs you to sign in; open this URL: ${authorizationUrl.href}`);
    const how = openInBrowser(authorizationUrl.href, this.context.env, this.context.interactive);
    this.context.notify(how ? `opened it with ${how}; waiting for the redirect to ${this.redirectUrl}` : `waiting for the redirect to ${this.redirectUrl}`);
  }

  /** The code of the redirect started by `redirectToAuthorization`. */
  authorizationCode(signal: AbortSignal): Promise<string> {
    if (!this.pending) return Promise.reject(new Error('no sign-in is under way'));
    const onAbort = () => this.abort.abort();
    signal.addEventListener('abort', onAbort, { once: true });
    return this.pending.finally(() => {
      signal.removeEventListener('abort', onAbort);
      this.pending = undefined;
    });
  }

  saveCodeVerifier(codeVerifier: string): void {
    this.verifier = codeVerifier;
  }

  codeVerifier(): string {
    if (!this.verifier) throw new Error('no PKCE code verifier saved');
    return this.verifier;
  }

  invalidateCredentials(scope: 'all' | 'client' | 'tokens' | 'verifier' | 'discovery'): void {
    if (scope === 'verifier') this.verifier = undefined;
    else if (scope === 'discovery') this.discovery = undefined;
    else if (scope === 'all') this.context.store.remove(this.key);
    else {
      this.context.store.update(this.key, (entry) => {
        const { tokens: _t, expiresAt: _e, client, ...rest } = entry;
        return scope === 'tokens' ? { ...rest, client } : rest;
      });
    }
  }

  /** The `client_credentials` grant: no browser, the client's own credentials buy the token. */
  prepareTokenRequest(scope?: string): URLSearchParams | undefined {
    if (!this.machineToMachine) return undefined;
    const params = new URLSearchParams({ grant_type: 'client_credentials' });
    const wanted = scope ?? this.spec.auth?.scope;
    if (wanted) params.set('scope', wanted);
    return params;
  }

  saveDiscoveryState(state: OAuthDiscoveryState): void {
    this.discovery = state;
  }

  discoveryState(): OAuthDiscoveryState | undefined {
    return this.discovery;
  }
}
