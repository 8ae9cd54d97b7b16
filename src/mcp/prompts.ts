/**
 * Prompts of the running servers: listing them (paged) with their arguments, fetching one,
 * and turning its messages into the text of one user turn (embedded resources included as
 * text, images and audio as placeholders).
 */
import { GetPromptResultSchema, ListPromptsResultSchema, type GetPromptResult, type Prompt } from '@modelcontextprotocol/sdk/types.js';
import type { ServerConnection } from './connection.js';
import { listAllPages } from './paging.js';

export interface ServerPrompts {
  server: string;
  prompts: Prompt[];
}

export async function listPrompts(connection: ServerConnection, timeoutMs: number): Promise<ServerPrompts> {
  const client = connection.client;
  if (!client?.getServerCapabilities()?.prompts) return { server: connection.name, prompts: [] };
  return { server: connection.name, prompts: await listAllPages(client, 'prompts/list', ListPromptsResultSchema, (page) => page.prompts, timeoutMs) };
}

export async function getPrompt(connection: ServerConnection, name: string, args: Record<string, string>, timeoutMs: number): Promise<GetPromptResult> {
  const client = connection.client;
  if (!client) throw new Error(`server "${connection.name}" is not running (${connection.state})`);
  return client.request({ method: 'prompts/get', params: { name, arguments: args } }, GetPromptResultSchema, { timeout: timeoutMs });
}

/**
 * The prompt's messages as one user turn. A prompt of user messages only reads as their text;
 * assistant messages in it are marked, so the model can tell who said what.
 */
export function promptText(result: GetPromptResult): string {
  const mixed = result.messages.some((message) => message.role !== 'user');
  return result.messages
    .map((message) => {
      const content = message.content;
      let text: string;
      switch (content.type) {
        case 'text':
          text = content.text;
          break;
        case 'resource':
          text = 'text' in content.resource ? content.resource.text : `[binary resource ${content.resource.uri}${content.resource.mimeType ? ` (${content.resource.mimeType})` : ''}]`;
          break;
        case 'resource_link':
          text = `[resource ${content.uri}${content.name ? ` (${content.name})` : ''}]`;
          break;
        default:
          text = `[${content.type}${'mimeType' in content && content.mimeType ? ` ${content.mimeType}` : ''} omitted]`;
      }
      return mixed ? `[${message.role}] ${text}` : text;
    })
    .join('\n\n');
}
