/**
 * Resources of the running servers: listing (resources and templates, paged), reading one,
 * and the text a resource gives the model or a chat message. Pure of any terminal: the CLI
 * and the hub's `read_resource` tool render what this returns.
 */
import {
  CompleteResultSchema,
  ListResourcesResultSchema,
  ListResourceTemplatesResultSchema,
  ReadResourceResultSchema,
  type ReadResourceResult,
  type Resource,
  type ResourceTemplate,
} from '@modelcontextprotocol/sdk/types.js';
import type { ServerConnection } from './connection.js';
import { listAllPages } from './paging.js';

export interface ServerResources {
  server: string;
  resources: Resource[];
  templates: ResourceTemplate[];
}

/** True when the running server declared the `resources` capability. */
export function offersResources(connection: ServerConnection): boolean {
  return Boolean(connection.client?.getServerCapabilities()?.resources);
}

/** Every resource and template a server lists (none when it does not offer resources). */
export async function listResources(connection: ServerConnection, timeoutMs: number): Promise<ServerResources> {
  const client = connection.client;
  if (!client || !offersResources(connection)) return { server: connection.name, resources: [], templates: [] };
  const resources = await listAllPages(client, 'resources/list', ListResourcesResultSchema, (page) => page.resources, timeoutMs);
  // Templates are optional: a server that offers resources but not templates answers "method not found".
  const templates = await listAllPages(client, 'resources/templates/list', ListResourceTemplatesResultSchema, (page) => page.resourceTemplates, timeoutMs).catch(() => []);
  return { server: connection.name, resources, templates };
}

export async function readResource(connection: ServerConnection, uri: string, timeoutMs: number, signal?: AbortSignal): Promise<ReadResourceResult> {
  const client = connection.client;
  if (!client) throw new Error(`server "${connection.name}" is not running (${connection.state})`);
  return client.request({ method: 'resources/read', params: { uri } }, ReadResourceResultSchema, { timeout: timeoutMs, ...(signal ? { signal } : {}) });
}

/**
 * A read resource as text: text contents as they are; binary contents named (uri, mime type,
 * size), never as base64, which no model or reader wants inline.
 */
export function resourceText(result: ReadResourceResult): string {
  return result.contents
    .map((content) => ('text' in content && typeof content.text === 'string' ? content.text : `[binary resource ${content.uri}${content.mimeType ? `, ${content.mimeType}` : ''}, ${blobBytes(content)} bytes]`))
    .join('\n');
}

/** Decoded size of a base64 blob content (0 for text). */
export function blobBytes(content: ReadResourceResult['contents'][number]): number {
  return 'blob' in content && typeof content.blob === 'string' ? Buffer.byteLength(content.blob, 'base64') : 0;
}

/**
 * Values for one variable of a resource template (`completion/complete`), when the server
 * declares the `completions` capability; none otherwise, or when it fails (completion is a
 * convenience: it never stands in the way).
 */
export async function completeTemplateVariable(connection: ServerConnection, uriTemplate: string, variable: string, value: string, timeoutMs: number): Promise<string[]> {
  const client = connection.client;
  if (!client?.getServerCapabilities()?.completions) return [];
  try {
    const result = await client.request(
      { method: 'completion/complete', params: { ref: { type: 'ref/resource', uri: uriTemplate }, argument: { name: variable, value } } },
      CompleteResultSchema,
      { timeout: timeoutMs },
    );
    return result.completion.values;
  } catch {
    return [];
  }
}
