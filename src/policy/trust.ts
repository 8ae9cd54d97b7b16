/**
 * Trust of project configs: a config found implicitly (`./switchboard.json`) starts
 * nothing until the user approves it. An approval is keyed by the file's real path AND a
 * SHA-256 of its content: any change to the file voids it (an approval that survives edits
 * lets whoever can edit the file, e.g. a `git pull`, run anything).
 *
 * The store is `trusted-configs.json` in the user's Switchboard folder (config-home.ts),
 * mode 0600, written atomically (temp file in the same folder, then rename), so a crash
 * never leaves half a store. This module decides and records; it never prompts.
 */
import { createHash } from 'node:crypto';
import { readFileSync, realpathSync } from 'node:fs';
import { resolve } from 'node:path';
import { z } from 'zod';
import { UserInputError } from '../errors.js';
import { writePrivateFile } from '../private-file.js';
import { trustStorePath } from './config-home.js';

const ApprovalSchema = z.object({
  /** SHA-256 (hex) of the file's content when it was approved. */
  sha256: z.string().regex(/^[0-9a-f]{64}$/),
  /** ISO time of the approval, for `switchboard trust --list`. */
  approvedAt: z.string(),
});

const TrustStoreSchema = z.object({
  version: z.literal(1),
  /** Approvals by the config file's real (symlink-free) absolute path. */
  configs: z.record(z.string(), ApprovalSchema),
});

export type Approval = z.infer<typeof ApprovalSchema>;
type TrustStore = z.infer<typeof TrustStoreSchema>;

export type TrustState = 'trusted' | 'unknown' | 'changed';

export function contentHash(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('hex');
}

/** The key a file is approved under: its real path (a symlink and its target are one file). */
export function trustKey(path: string): string {
  try {
    return realpathSync(path);
  } catch {
    return resolve(path);
  }
}


export function trustState(path: string, text: string, env: NodeJS.ProcessEnv): TrustState {
  const approval = readStore(env).configs[trustKey(path)];
  if (!approval) return 'unknown';
  return approval.sha256 === contentHash(text) ? 'trusted' : 'changed';
}

export function approve(path: string, text: string, env: NodeJS.ProcessEnv): void {
  const store = readStore(env);
  store.configs[trustKey(path)] = { sha256: contentHash(text), approvedAt: new Date().toISOString() };
  writeStore(store, env);
}

/** Removes the approval of `path`; false when there was none. */
export function revoke(path: string, env: NodeJS.ProcessEnv): boolean {
  const store = readStore(env);
  const key = [trustKey(path), resolve(path)].find((candidate) => candidate in store.configs);
  if (!key) return false;
  delete store.configs[key];
  writeStore(store, env);
  return true;
}

export function listApprovals(env: NodeJS.ProcessEnv): Array<{ path: string } & Approval> {
  return Object.entries(readStore(env).configs).map(([path, approval]) => ({ path, ...approval }));
}

function readStore(env: NodeJS.ProcessEnv): TrustStore {
  const path = trustStorePath(env);
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { version: 1, configs: {} };
    throw new UserInputError('CONFIG_INVALID', `Cannot read the trust store ${path}: ${(error as Error).message}`);
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    parsed = undefined;
  }
  const store = TrustStoreSchema.safeParse(parsed);
  if (!store.success) {
    throw new UserInputError('CONFIG_INVALID', `The trust store ${path} is damaged. Delete it (rm ${path}) and approve your configs again with "switchboard trust PATH".`);
  }
  return store.data;
}

function writeStore(store: TrustStore, env: NodeJS.ProcessEnv): void {
  const path = trustStorePath(env);
  try {
    writePrivateFile(path, `${JSON.stringify(store, null, 2)}\n`);
  } catch (error) {
    throw new UserInputError('CONFIG_INVALID', `Cannot write the trust store ${path}: ${(error as Error).message}`);
  }
}
