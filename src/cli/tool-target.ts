/**
 * Which tool a command names: `server/tool`, `--server NAME` with a tool, or a bare
 * name. Naming the server lets `call` and `tools NAME` start that server alone
 * instead of every configured one; a bare name starts them all, as it always did.
 */
import { UserInputError } from '../errors.js';
import type { ToolRoute } from '../mcp/routes.js';

export interface ToolTarget {
  /** The server named by the user, when one was. */
  server?: string;
  /** The tool: an exposed name, or (with a server) that server's own name for it. */
  tool: string;
}

/**
 * Reads `spec` against the configured server names. `server/tool` splits at the
 * longest configured server name followed by `/` (exposed names never contain `/`,
 * but server names and original tool names may).
 */
export function parseToolTarget(spec: string, serverFlag: string | undefined, serverNames: readonly string[]): ToolTarget {
  const list = serverNames.length > 0 ? serverNames.join(', ') : '(none configured)';
  if (serverFlag !== undefined) {
    if (!serverNames.includes(serverFlag)) throw new UserInputError('USAGE', `--server: no server named "${serverFlag}" in the config. Servers: ${list}.`);
    // `--server s s/tool` is the same as `s/tool`.
    return { server: serverFlag, tool: spec.startsWith(`${serverFlag}/`) ? spec.slice(serverFlag.length + 1) : spec };
  }
  if (!spec.includes('/')) return { tool: spec };
  const server = [...serverNames].sort((a, b) => b.length - a.length).find((name) => spec.startsWith(`${name}/`));
  if (server === undefined) {
    throw new UserInputError('USAGE', `"${spec}" names no configured server (server/tool). Servers: ${list}. See: switchboard tools`);
  }
  return { server, tool: spec.slice(server.length + 1) };
}

/** The route for a target after start; a usage error saying what there is when none fits. */
export function findRoute(routes: ReadonlyMap<string, ToolRoute>, target: ToolTarget): ToolRoute {
  const all = [...routes.values()];
  if (target.server !== undefined) {
    const own = all.filter((route) => route.server === target.server);
    const found = own.find((route) => route.originalName === target.tool) ?? own.find((route) => route.exposedName === target.tool);
    if (found) return found;
    const names = own.map((route) => route.originalName);
    throw new UserInputError('TOOL_NOT_FOUND', `Server "${target.server}" has no tool named "${target.tool}". Its tools: ${names.join(', ') || '(none: it did not start, or lists none)'}. See: switchboard tools`);
  }
  const exposed = routes.get(target.tool);
  if (exposed) return exposed;
  // A server's own name for a tool that was renamed (server__tool) still works while it is unambiguous.
  const byOriginal = all.filter((route) => route.originalName === target.tool);
  if (byOriginal.length === 1) return byOriginal[0]!;
  if (byOriginal.length > 1) {
    const choices = byOriginal.map((route) => `${route.server}/${route.originalName}`).join(', ');
    throw new UserInputError('TOOL_NOT_FOUND', `"${target.tool}" is a tool of several servers; name one: ${choices}.`);
  }
  const names = [...routes.keys()];
  throw new UserInputError('TOOL_NOT_FOUND', `No tool named "${target.tool}". Available: ${names.join(', ') || '(none)'}. See: switchboard tools`);
}

/** Starts only the target's server when the user named one (`servers` option of withSession). */
export function serverFilter(spec: string, serverFlag: string | undefined, onTarget: (target: ToolTarget) => void) {
  return <S extends { name: string }>(specs: S[]): S[] => {
    const target = parseToolTarget(spec, serverFlag, specs.map((s) => s.name));
    onTarget(target);
    return target.server === undefined ? specs : specs.filter((s) => s.name === target.server);
  };
}
