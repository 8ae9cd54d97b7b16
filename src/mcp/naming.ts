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
 * - Names already offered in this session (`offered`) are kept: a tool that was given a
 *   name keeps it, and no other tool is ever given it, so a name the model saw earlier
 *   always reaches the same tool. A newcomer whose name is taken gets `server__tool`.
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

/** `server\u0000tool`: what a remembered name belongs to. */
export function toolIdentity(tool: ToolOwner): string {
  return `${tool.server}\u0000${tool.originalName}`;
}

/**
 * Assigns exposed names; input order (servers in config order, tools in list order) decides ties.
 * `offered` maps names given earlier in the session to the tool they were given to.
 */
export function assignExposedNames(tools: readonly ToolOwner[], offered: ReadonlyMap<string, string> = new Map()): Route[] {
  const serversByName = new Map<string, Set<string>>();
  for (const { server, originalName } of tools) {
    const owners = serversByName.get(originalName) ?? new Set<string>();
    owners.add(server);
    serversByName.set(originalName, owners);
  }
  const kept = new Map<string, string>(); // identity -> its earlier name
  for (const [name, identity] of offered) kept.set(identity, name);
  const taken = new Set<string>();
  for (const tool of tools) {
    const name = kept.get(toolIdentity(tool));
    if (name !== undefined) taken.add(name);
  }
  const promisedElsewhere = (name: string, identity: string) => (offered.get(name) ?? identity) !== identity;
  // Free for this tool: not taken now, and not promised to another tool earlier.
  const free = (name: string, identity: string) => !taken.has(name) && !promisedElsewhere(name, identity);
  return tools.map((tool) => {
    const identity = toolIdentity(tool);
    let exposedName = kept.get(identity);
    if (exposedName === undefined) {
      const collides = (serversByName.get(tool.originalName)?.size ?? 0) > 1;
      const bare = sanitize(tool.originalName, identity);
      const qualified = sanitize(`${tool.server}__${tool.originalName}`, identity);
      exposedName = collides || promisedElsewhere(bare, identity) ? qualified : bare;
      if (!free(exposedName, identity)) exposedName = withHash(exposedName, `${identity}\u0000dup`);
      taken.add(exposedName);
    }
    return { ...tool, exposedName };
  });
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
