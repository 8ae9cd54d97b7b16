/**
 * Exposed tool names: what the model sees, and the route back to the owner.
 *
 * Rules (pure and deterministic, so the same config always yields the same names):
 * - A tool name unique across all servers is exposed as it is.
 * - A name that several servers share is exposed as `server__tool` for EVERY server
 *   involved (no server silently wins).
 * - Every exposed name matches `^[a-zA-Z0-9_-]{1,64}$`: other characters become `_`,
 *   and a name longer than 64 is cut and given a short hash suffix of the full name.
 * - If sanitizing makes two names equal, the later one gets a hash suffix.
 */
import { createHash } from 'node:crypto';

export const EXPOSED_NAME_PATTERN = /^[a-zA-Z0-9_-]{1,64}$/;
const MAX_LENGTH = 64;
const HASH_LENGTH = 6;

export interface ToolOwner {
  /** Server name from the config. */
  server: string;
  /** The tool's name on that server. */
  originalName: string;
}

export interface Route extends ToolOwner {
  exposedName: string;
}

/** Assigns exposed names; input order (servers in config order, tools in list order) decides ties. */
export function assignExposedNames(tools: readonly ToolOwner[]): Route[] {
  const serversByName = new Map<string, Set<string>>();
  for (const { server, originalName } of tools) {
    const owners = serversByName.get(originalName) ?? new Set<string>();
    owners.add(server);
    serversByName.set(originalName, owners);
  }
  const taken = new Set<string>();
  const routes: Route[] = [];
  for (const tool of tools) {
    const collides = (serversByName.get(tool.originalName)?.size ?? 0) > 1;
    const wanted = collides ? `${tool.server}__${tool.originalName}` : tool.originalName;
    let exposedName = sanitize(wanted, `${tool.server}\u0000${tool.originalName}`);
    if (taken.has(exposedName)) exposedName = withHash(exposedName, `${tool.server}\u0000${tool.originalName}\u0000dup`);
    taken.add(exposedName);
    routes.push({ ...tool, exposedName });
  }
  return routes;
}

/** Replaces disallowed characters and cuts to 64 characters with a hash of `identity`. */
export function sanitize(name: string, identity: string = name): string {
  const cleaned = name.replace(/[^a-zA-Z0-9_-]/g, '_');
  if (cleaned.length === 0) return withHash('tool', identity);
  if (cleaned.length <= MAX_LENGTH) return cleaned;
  return withHash(cleaned, identity);
}

function withHash(name: string, identity: string): string {
  const hash = createHash('sha256').update(identity).digest('hex').slice(0, HASH_LENGTH);
  return `${name.slice(0, MAX_LENGTH - HASH_LENGTH - 1)}_${hash}`;
}
