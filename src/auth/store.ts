/**
 * The OAuth token store: one file per user, `$XDG_CONFIG_HOME/switchboard/auth.json` (else
 * `~/.config/switchboard/auth.json`), mode 0600, written atomically (a temp file in the same
 * folder, then rename), so a crash never leaves half a file and no other user can read it.
 *
 * One entry per remote server URL; an entry remembers which authorization server (issuer)
 * issued its tokens, the client registration it used (with the loopback redirect port it was
 * registered with), and when the access token expires. Token values never leave this file
 * except as request headers to the server they belong to (the SDK sends them).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { configHome } from '../policy/config-home.js';
import { writePrivateFile } from '../private-file.js';

export const authStorePath = (env: NodeJS.ProcessEnv): string => join(configHome(env), 'auth.json');

const StoredEntrySchema = z.looseObject({
  /** The authorization server that issued the tokens (its issuer URL), once known. */
  issuer: z.string().optional(),
  /** The SDK's OAuthTokens as the token endpoint returned them. */
  tokens: z.looseObject({ access_token: z.string(), token_type: z.string(), refresh_token: z.string().optional(), scope: z.string().optional(), expires_in: z.number().optional() }).optional(),
  /** Epoch milliseconds when the access token expires (from expires_in at the time it was saved). */
  expiresAt: z.number().optional(),
  /** The RFC 8707 resource indicator the tokens were issued for (their audience), asked for again on refresh. */
  resource: z.string().optional(),
  /** The client registration (dynamic or pre-registered) used with this server. */
  client: z.looseObject({ client_id: z.string() }).optional(),
  /** The loopback port the client was registered with (redirect URIs must match). */
  redirectPort: z.number().int().optional(),
});

const StoreSchema = z.object({ version: z.literal(1), servers: z.record(z.string(), StoredEntrySchema) });

export type StoredEntry = z.infer<typeof StoredEntrySchema>;
type Store = z.infer<typeof StoreSchema>;

/** Reads and writes the store file; each change re-reads it first, so two runs do not drop each other's servers. */
export class TokenStore {
  readonly path: string;

  constructor(env: NodeJS.ProcessEnv) {
    this.path = authStorePath(env);
  }

  get(serverUrl: string): StoredEntry | undefined {
    return this.read().servers[serverUrl];
  }

  all(): Record<string, StoredEntry> {
    return this.read().servers;
  }

  update(serverUrl: string, change: (entry: StoredEntry) => StoredEntry): void {
    const store = this.read();
    store.servers[serverUrl] = change(store.servers[serverUrl] ?? {});
    this.write(store);
  }

  /** Forgets a server's tokens and registration; false when there were none. */
  remove(serverUrl: string): boolean {
    const store = this.read();
    if (!(serverUrl in store.servers)) return false;
    delete store.servers[serverUrl];
    this.write(store);
    return true;
  }

  private read(): Store {
    let text: string;
    try {
      text = readFileSync(this.path, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { version: 1, servers: {} };
      throw new Error(`cannot read the token store ${this.path}: ${(error as Error).message}`);
    }
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      parsed = undefined;
    }
    const store = StoreSchema.safeParse(parsed);
    if (!store.success) throw new Error(`the token store ${this.path} is damaged; delete it (rm ${this.path}) and log in again with "switchboard auth SERVER"`);
    return store.data;
  }

  private write(store: Store): void {
    try {
      writePrivateFile(this.path, `${JSON.stringify(store, null, 2)}\n`);
    } catch (error) {
      throw new Error(`cannot write the token store ${this.path}: ${(error as Error).message}`);
    }
  }
}
