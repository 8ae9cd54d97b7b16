/**
 * The tool-listing cache: each server's last `tools/list`, so a chat can send its first
 * model request with those tools while the servers are still starting.
 *
 * Contract:
 * - One file per server, `<dir>/tools-<key>.json`, where `<key>` is a SHA-256 over
 *   everything that defines the server: transport, command, args, cwd, url, and its env
 *   (names, and values hashed). A change to any of them is another key, so a stale
 *   listing is never used for a different server. Env values (tokens) never appear in
 *   clear: not in the name, not in the file, which holds only the listing.
 * - Written atomically (a temp file in the same folder, then rename), mode 0600 in a
 *   0700 folder: a reader sees the old file or the new one, never half of one.
 * - Reading never throws: a missing file is a miss; a corrupt or unreadable one is a miss
 *   with a `problem` the caller shows as a notice. Writing never throws either: a cache
 *   that cannot be written costs speed, not correctness.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { z } from 'zod';
import type { ServerSpec } from '../config/schema.js';
import { writePrivateFile } from '../private-file.js';
import type { McpToolDefinition } from './schema.js';

const FORMAT = 1;

const CacheFileSchema = z.object({
  format: z.literal(FORMAT),
  server: z.string(),
  tools: z.array(z.looseObject({ name: z.string() })),
});

/** A hit (`tools`), a miss, or a miss with a `problem` worth a notice (corrupt, unreadable). */
export type CacheRead = { tools: McpToolDefinition[]; problem?: undefined } | { tools?: undefined; problem?: string };

/** `$XDG_CACHE_HOME/switchboard`, else `~/.cache/switchboard` (a relative XDG path is ignored, as the spec says). */
export function cacheFolder(env: NodeJS.ProcessEnv = process.env): string {
  const xdg = env.XDG_CACHE_HOME;
  return join(xdg && xdg.startsWith('/') ? xdg : join(homedir(), '.cache'), 'switchboard');
}

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

/** The cache key of a server (hex); the name is part of it, since tools are offered under it. */
export function serverKey(spec: ServerSpec): string {
  const hashed = (record: Record<string, string> | undefined) =>
    Object.keys(record ?? {})
      .sort()
      .map((name) => [name, sha256(record![name]!)]);
  // Headers (remote servers) carry tokens like env values do: hashed the same way.
  const headers = (spec as { headers?: Record<string, string> }).headers;
  return sha256(JSON.stringify({ name: spec.name, transport: spec.transport, command: spec.command, args: spec.args, cwd: spec.cwd ?? null, url: spec.url ?? null, env: hashed(spec.env), headers: hashed(headers) }));
}

export class ToolCache {
  constructor(readonly folder: string) {}

  pathOf(spec: ServerSpec): string {
    return join(this.folder, `tools-${serverKey(spec)}.json`);
  }

  read(spec: ServerSpec): CacheRead {
    const path = this.pathOf(spec);
    let text: string;
    try {
      text = readFileSync(path, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return {};
      return { problem: `the cached tool list of server "${spec.name}" (${path}) could not be read (${(error as Error).message}); it is ignored, and the server's own list is used` };
    }
    try {
      const file = CacheFileSchema.parse(JSON.parse(text));
      return { tools: file.tools as McpToolDefinition[] };
    } catch {
      return { problem: `the cached tool list of server "${spec.name}" (${path}) is corrupt; it is ignored, and will be rewritten from the server's own list` };
    }
  }

  /** Stores `tools` as the server's listing; false (and nothing left behind) when it could not. */
  write(spec: ServerSpec, tools: readonly McpToolDefinition[]): boolean {
    try {
      writePrivateFile(this.pathOf(spec), JSON.stringify({ format: FORMAT, server: spec.name, tools }));
      return true;
    } catch {
      return false;
    }
  }
}

/** Same listing (as JSON): what decides whether a cached listing is still right. */
export function sameListing(a: readonly McpToolDefinition[], b: readonly McpToolDefinition[]): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}
