/**
 * The host's own tool, `read_resource(uri)`: offered to the model when any running server
 * offers resources, so it can follow the `resource_link`s tools return and read what
 * `@server:uri` did not attach.
 *
 * Naming (kept with naming.ts's rules): the tool is called `read_resource` unless a server
 * tool already has that name, then `switchboard__read_resource`; once offered, the name is
 * remembered in the session's offered names like a server tool's, so it never moves and no
 * server tool is later given it.
 */
import type { FunctionTool } from '../llm/model.js';
import type { ServerConnection } from './connection.js';
import { toolIdentity } from './naming.js';
import { offersResources, readResource, resourceText } from './resources.js';

/** The identity the host tool is remembered by (a server name cannot be empty). */
export const READ_RESOURCE_IDENTITY = toolIdentity({ server: '', originalName: 'read_resource' });

/** The exposed name for the host tool, given the names offered so far (it is added to them). */
export function readResourceName(offered: Map<string, string>): string {
  for (const [name, identity] of offered) if (identity === READ_RESOURCE_IDENTITY) return name;
  const name = ['read_resource', 'switchboard__read_resource', 'switchboard__read_resource_host'].find((candidate) => !offered.has(candidate))!;
  offered.set(name, READ_RESOURCE_IDENTITY);
  return name;
}

export function readResourceTool(name: string, servers: readonly string[]): FunctionTool {
  return {
    type: 'function',
    function: {
      name,
      description:
        `Read a resource offered by an MCP server (${servers.join(', ')}) by its URI, e.g. one a tool returned as a resource link. ` +
        'Returns its text; binary contents are described, not returned.',
      parameters: {
        type: 'object',
        properties: {
          uri: { type: 'string', description: 'The resource URI, e.g. file:///path or demo://resource/static/document/x.md' },
          server: { type: 'string', description: `Optional: the server that offers it (${servers.join(', ')}); by default each is asked in turn` },
        },
        required: ['uri'],
      },
    },
  };
}

/** Servers that may be asked for resources right now, in config order. */
export function resourceServers(connections: readonly ServerConnection[]): ServerConnection[] {
  return connections.filter(offersResources);
}

/**
 * Runs `read_resource`: the named server, else each resource server in config order until one
 * reads the URI. Never throws: the model reads what went wrong.
 */
export async function runReadResource(connections: readonly ServerConnection[], args: Record<string, unknown>, timeoutMs: number, signal?: AbortSignal): Promise<{ text: string; isError: boolean; server?: string }> {
  const uri = args.uri;
  if (typeof uri !== 'string' || uri === '') return { text: 'Error calling read_resource: "uri" must be a non-empty string.', isError: true };
  const candidates = resourceServers(connections).filter((c) => args.server === undefined || c.name === args.server);
  if (candidates.length === 0) {
    const names = resourceServers(connections).map((c) => c.name).join(', ') || '(none)';
    return { text: `Error calling read_resource: no running server${args.server !== undefined ? ` named "${String(args.server)}"` : ''} offers resources. Servers with resources: ${names}.`, isError: true };
  }
  const problems: string[] = [];
  for (const connection of candidates) {
    try {
      const result = await readResource(connection, uri, timeoutMs, signal);
      return { text: resourceText(result), isError: false, server: connection.name };
    } catch (error) {
      if (signal?.aborted) return { text: 'Error: the call to read_resource was cancelled (interrupted by the user).', isError: true };
      problems.push(`${connection.name}: ${(error as Error).message.replace(/^MCP error -?\d+: /, '')}`);
    }
  }
  return { text: `Error calling read_resource: no server could read "${uri}" (${problems.join('; ')}).`, isError: true };
}
