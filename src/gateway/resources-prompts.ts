/**
 * Resources and prompts through the gateway, namespaced.
 *
 * - Resources keep their URIs (a URI already names its resource). resources/list and
 *   resources/templates/list are every running server's lists, in config order; when two
 *   servers list the same URI, the first one's is listed. resources/read goes to the server
 *   that listed the URI (found by listing when the gateway has not listed yet), else to each
 *   server offering resources in turn (a URI from a template is listed by nobody), first answer wins.
 * - Prompts are named like tools (naming.ts): a name unique across servers as it is, a shared
 *   one as `server__prompt` for every server involved; names given once keep their owner.
 * - A server whose config entry says `"permissions": "deny"` shows neither.
 * Each upstream request is bounded by the tool timeout and cancelled with the client's request.
 */
import type { Server } from '@modelcontextprotocol/sdk/server/index.js';
import {
  ErrorCode,
  GetPromptRequestSchema,
  ListPromptsRequestSchema,
  ListResourcesRequestSchema,
  ListResourceTemplatesRequestSchema,
  McpError,
  ReadResourceRequestSchema,
  type Prompt,
  type Resource,
  type ResourceTemplate,
  type ServerCapabilities,
} from '@modelcontextprotocol/sdk/types.js';
import type { ServerConnection } from '../mcp/connection.js';
import { assignExposedNames, toolIdentity } from '../mcp/naming.js';
import { getPrompt, listPrompts } from '../mcp/prompts.js';
import { listResources, readResource } from '../mcp/resources.js';
import type { GatewayContext } from './gateway-server.js';

/** Resource-not-found, as the MCP spec numbers it. */
const RESOURCE_NOT_FOUND = -32002;
/** Longest URI or prompt name quoted back in an error. */
const QUOTED_MAX = 200;

/** `resources` and `prompts` when a running upstream server offers them. */
export function resourceAndPromptCapabilities(context: GatewayContext): ServerCapabilities {
  const offered = (key: 'resources' | 'prompts') => visible(context).some((c) => Boolean(c.client?.getServerCapabilities()?.[key]));
  return { ...(offered('resources') ? { resources: {} } : {}), ...(offered('prompts') ? { prompts: {} } : {}) };
}

/** The servers whose resources and prompts the client may see (running, not denied). */
function visible(context: GatewayContext): ServerConnection[] {
  return context.hub.connections.filter((c) => context.policy.servers.get(c.name) !== 'deny');
}

export function registerResourcesAndPrompts(server: Server, context: GatewayContext, capabilities: ServerCapabilities): void {
  const timeoutMs = context.timeoutMs;
  /** URI -> the server that listed it (the latest listing). */
  const resourceOwners = new Map<string, string>();
  /** Exposed prompt name -> its server and name there. */
  const promptRoutes = new Map<string, { server: string; name: string }>();
  /** Every prompt name given out -> `server\u0000prompt` (names never move, as for tools). */
  const offeredPrompts = new Map<string, string>();

  /** Each visible server's answer to `list`, in config order; a failing server is logged and skipped. */
  const fromEach = async <T>(what: string, list: (c: ServerConnection) => Promise<T>): Promise<Array<{ connection: ServerConnection; value: T }>> => {
    const settled = await Promise.allSettled(visible(context).map(async (connection) => ({ connection, value: await list(connection) })));
    const answers: Array<{ connection: ServerConnection; value: T }> = [];
    settled.forEach((outcome, i) => {
      if (outcome.status === 'fulfilled') answers.push(outcome.value);
      else context.log(`! server "${visible(context)[i]?.name}": ${what} failed: ${(outcome.reason as Error).message}`);
    });
    return answers;
  };

  const listAllResources = async (): Promise<{ resources: Resource[]; templates: ResourceTemplate[] }> => {
    const answers = await fromEach('resources/list', (c) => listResources(c, timeoutMs));
    const resources: Resource[] = [];
    const templates: ResourceTemplate[] = [];
    resourceOwners.clear();
    for (const { connection, value } of answers) {
      for (const resource of value.resources) {
        if (resourceOwners.has(resource.uri)) continue;
        resourceOwners.set(resource.uri, connection.name);
        resources.push(resource);
      }
      templates.push(...value.templates);
    }
    return { resources, templates };
  };

  const listAllPrompts = async (): Promise<Prompt[]> => {
    const answers = await fromEach('prompts/list', (c) => listPrompts(c, timeoutMs));
    const entries = answers.flatMap(({ connection, value }) => value.prompts.map((prompt) => ({ server: connection.name, originalName: prompt.name, prompt })));
    const named = assignExposedNames(entries, offeredPrompts);
    promptRoutes.clear();
    return named.map((route, i) => {
      promptRoutes.set(route.exposedName, { server: route.server, name: route.originalName });
      offeredPrompts.set(route.exposedName, toolIdentity(route));
      return { ...entries[i]!.prompt, name: route.exposedName };
    });
  };

  const connectionNamed = (name: string) => visible(context).find((c) => c.name === name);

  if (capabilities.resources) {
    server.setRequestHandler(ListResourcesRequestSchema, async () => ({ resources: (await listAllResources()).resources }));
    server.setRequestHandler(ListResourceTemplatesRequestSchema, async () => ({ resourceTemplates: (await listAllResources()).templates }));
    server.setRequestHandler(ReadResourceRequestSchema, async (request, extra) => {
      const uri = request.params.uri;
      if (resourceOwners.size === 0) await listAllResources();
      const owner = resourceOwners.get(uri);
      const candidates = owner !== undefined ? [connectionNamed(owner)].filter((c): c is ServerConnection => c !== undefined) : visible(context).filter((c) => c.client?.getServerCapabilities()?.resources);
      const problems: string[] = [];
      for (const connection of candidates) {
        try {
          return await readResource(connection, uri, timeoutMs, extra.signal);
        } catch (error) {
          if (extra.signal.aborted) throw error;
          problems.push(`${connection.name}: ${(error as Error).message}`);
        }
      }
      const quoted = uri.length > QUOTED_MAX ? `${uri.slice(0, QUOTED_MAX)}…` : uri;
      throw new McpError(RESOURCE_NOT_FOUND, `Resource not found: ${quoted}${problems.length ? ` (${problems.join('; ').slice(0, 1000)})` : ''}`);
    });
  }

  if (capabilities.prompts) {
    server.setRequestHandler(ListPromptsRequestSchema, async () => ({ prompts: await listAllPrompts() }));
    server.setRequestHandler(GetPromptRequestSchema, async (request) => {
      const name = request.params.name;
      if (!promptRoutes.has(name)) await listAllPrompts();
      const route = promptRoutes.get(name);
      const connection = route && connectionNamed(route.server);
      if (!route || !connection) {
        const quoted = name.length > QUOTED_MAX ? `${name.slice(0, QUOTED_MAX)}…` : name;
        throw new McpError(ErrorCode.InvalidParams, `Unknown prompt: ${quoted}`);
      }
      return getPrompt(connection, route.name, request.params.arguments ?? {}, timeoutMs);
    });
  }
}
