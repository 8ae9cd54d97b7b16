/**
 * The servers part of a session header, from a started hub: each configured server with the
 * exposed names of its tools, and whether it failed to start. Names only: a server's
 * command, arguments and environment (which may hold tokens) are never recorded.
 */
import type { SessionStart } from './records.js';

/** What this needs of a `ToolHub` (structural, so this module does not depend on mcp/). */
export interface HubView {
  readonly connections: ReadonlyArray<{ readonly name: string }>;
  readonly routes: ReadonlyMap<string, { readonly server: string }>;
}

export function serversForHeader(hub: HubView, failed: ReadonlyArray<{ readonly server: string }> = []): SessionStart['servers'] {
  const failedNames = new Set(failed.map((f) => f.server));
  return hub.connections.map(({ name }) => ({
    name,
    tools: [...hub.routes.entries()].filter(([, route]) => route.server === name).map(([exposed]) => exposed),
    ...(failedNames.has(name) ? { failed: true } : {}),
  }));
}
