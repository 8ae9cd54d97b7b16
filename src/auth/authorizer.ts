/**
 * OAuth for the run's remote servers: one provider per server (kept, so the code of a
 * sign-in reaches the provider that started it). Structurally the `RemoteAuthorizer` the
 * connection asks for; src/mcp never sees where tokens live or how a browser opens.
 */
import type { ServerSpec } from '../config/schema.js';
import { freeLoopbackPort } from './loopback.js';
import { SwitchboardOAuthProvider, type ProviderContext } from './provider.js';
import { TokenStore } from './store.js';

export interface AuthorizerOptions {
  env: NodeJS.ProcessEnv;
  interactive: boolean;
  notify(message: string): void;
  /** How long to wait for the browser's redirect (default 5 minutes). */
  redirectTimeoutMs?: number;
}

export function createAuthorizer(options: AuthorizerOptions) {
  const store = new TokenStore(options.env);
  const providers = new Map<string, SwitchboardOAuthProvider>();
  return {
    store,
    /** The server's provider; none when the entry sends its own Authorization header (a static token). */
    async provider(spec: ServerSpec): Promise<SwitchboardOAuthProvider | undefined> {
      if (!spec.url || Object.keys(spec.headers ?? {}).some((name) => name.toLowerCase() === 'authorization')) return undefined;
      let provider = providers.get(spec.name);
      if (!provider) {
        // The port the client was registered with, so its redirect URI still matches.
        const redirectPort = store.get(spec.url)?.redirectPort ?? (await freeLoopbackPort());
        const context: ProviderContext = { store, env: options.env, interactive: options.interactive, notify: options.notify, redirectPort, redirectTimeoutMs: options.redirectTimeoutMs ?? 300_000 };
        provider = new SwitchboardOAuthProvider(spec, context);
        providers.set(spec.name, provider);
      }
      return provider;
    },
    authorizationCode(spec: ServerSpec, signal: AbortSignal): Promise<string> {
      const provider = providers.get(spec.name);
      return provider ? provider.authorizationCode(signal) : Promise.reject(new Error('no sign-in is under way'));
    },
  };
}

export type Authorizer = ReturnType<typeof createAuthorizer>;
