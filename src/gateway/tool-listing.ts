/**
 * What the gateway's client sees of the hub's tools, and whether a call may run (pure).
 *
 * - Names: the hub's exposed names (routes.ts / naming.ts), the very names a model sees in
 *   `chat`, collisions resolved the same way (`server__tool`).
 * - Definitions: passed through as the owning server gave them (title, description, output
 *   schema, annotations, `_meta`); the input schema is the route's (the server's own, minus
 *   `$schema`, always an object schema: what MCP requires of a listed tool).
 * - Policy (policy/approval.ts, the same config rules and flags as `chat`): a tool the policy
 *   denies is not listed at all; a tool it would ask about is listed, and its calls are
 *   refused, since a gateway has nobody to ask (`--yes` makes every tool no deny rule forbids
 *   run). A tool that appears after the gateway started is "unseen", as in chat: mode `auto`
 *   never lets it run unasked.
 */
import type { Tool } from '@modelcontextprotocol/sdk/types.js';
import type { ToolRoute } from '../mcp/routes.js';
import { decide, qualifiedName, type ApprovalPolicy, type PolicyDecision } from '../policy/approval.js';

/** The policy's verdict on one route. `known`: `server/tool` of the tools present at start (undefined: all are). */
export function verdictFor(policy: ApprovalPolicy, route: ToolRoute, known?: ReadonlySet<string>): PolicyDecision {
  return decide(policy, {
    server: route.server,
    originalName: route.originalName,
    exposedName: route.exposedName,
    ...(route.definition.annotations ? { annotations: route.definition.annotations } : {}),
    ...(known && !known.has(qualifiedName(route)) ? { unseen: true } : {}),
  });
}

/** The MCP tool the gateway lists for one route. */
export function exposedTool(route: ToolRoute): Tool {
  const { definition } = route;
  const extra = definition as unknown as Record<string, unknown>;
  return {
    name: route.exposedName,
    ...(definition.title !== undefined ? { title: definition.title } : {}),
    ...(definition.description !== undefined ? { description: definition.description } : {}),
    inputSchema: route.functionTool.function.parameters as Tool['inputSchema'],
    ...(definition.outputSchema !== undefined ? { outputSchema: definition.outputSchema as Tool['outputSchema'] } : {}),
    ...(definition.annotations !== undefined ? { annotations: definition.annotations as Tool['annotations'] } : {}),
    ...(extra._meta !== undefined ? { _meta: extra._meta as Tool['_meta'] } : {}),
  };
}

/** Every route the policy does not deny, in the hub's order (the order a model sees). */
export function listedTools(routes: ReadonlyMap<string, ToolRoute>, policy: ApprovalPolicy, known?: ReadonlySet<string>): Tool[] {
  return [...routes.values()].filter((route) => verdictFor(policy, route, known).permission !== 'deny').map(exposedTool);
}

/**
 * Why a call of this route is refused, or undefined when it may run. The text is for the
 * client's model or user: what was refused and what would allow it.
 */
export function refusal(policy: ApprovalPolicy, route: ToolRoute, known?: ReadonlySet<string>): string | undefined {
  const verdict = verdictFor(policy, route, known);
  const name = qualifiedName(route);
  if (verdict.permission === 'deny') return `Not run: Switchboard's policy denies ${name} (${verdict.why}).`;
  if (verdict.permission === 'ask') {
    return (
      `Not run: Switchboard's policy would ask before running ${name} (${verdict.why}), and a gateway has nobody to ask. ` +
      `To allow it, add "${name}" to "permissions.allow" in the gateway's config, or start the gateway with --allow "${name}" or --yes.`
    );
  }
  return undefined;
}
