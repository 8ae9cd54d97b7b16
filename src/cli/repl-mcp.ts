/**
 * The interactive chat's MCP features beside tools: `/resources`, `/prompt NAME key=value ...`,
 * and `@server:uri` in a message, which attaches that resource's text to the message.
 * Each returns what to print or to send; a user mistake throws a UserInputError, which the
 * REPL shows and goes on.
 */
import { UserInputError } from '../errors.js';
import type { ToolHub } from '../mcp/hub.js';
import { listResources, offersResources, readResource, resourceText } from '../mcp/resources.js';
import { formatResources } from '../ui/resource-list.js';
import { parsePromptArgs, promptTurn } from './prompts.js';

const TIMEOUT_MS = 30_000;

export async function resourcesListing(hub: ToolHub): Promise<string> {
  // The chat may run while servers start (the cached tool listings): their resources are wanted.
  await hub.serversSettled(hub.connections.map((c) => c.name));
  return formatResources(await Promise.all(hub.connections.filter(offersResources).map((c) => listResources(c, TIMEOUT_MS))));
}

/** `/prompt NAME key=value ...` (the words after `/prompt`): the user turn to send. */
export async function promptCommandTurn(hub: ToolHub, words: readonly string[]): Promise<string> {
  const [name, ...args] = words;
  if (!name) throw new UserInputError('USAGE', '/prompt needs a prompt name: /prompt NAME key=value ... (switchboard prompts lists them)');
  return promptTurn(hub, name, parsePromptArgs(args));
}

/** `@server:uri` where `server` is a configured server's name (a word starting with @, up to the next space). */
const MENTION = /(?<=^|\s)@([^\s:@]+):(\S+)/g;

/**
 * The message with every `@server:uri` of a known server's resource attached after it, as
 * `<resource server=... uri=...>` blocks; the mention stays in the text, so the model sees
 * what the user pointed at. Mentions of names that are not servers are left alone (e-mail
 * addresses, handles). A resource that cannot be read is an error: the message is not sent.
 */
export async function attachMentionedResources(hub: ToolHub, text: string): Promise<string> {
  const attachments: string[] = [];
  const seen = new Set<string>();
  for (const match of text.matchAll(MENTION)) {
    const [, server, uri] = match as unknown as [string, string, string];
    const connection = hub.connections.find((c) => c.name === server);
    if (!connection || seen.has(`${server} ${uri}`)) continue;
    seen.add(`${server} ${uri}`);
    await hub.serversSettled([server]);
    if (!offersResources(connection)) throw new UserInputError('USAGE', `@${server}:${uri}: server "${server}" offers no resources (it is ${connection.state}). /resources lists what there is.`);
    let body: string;
    try {
      body = resourceText(await readResource(connection, uri, TIMEOUT_MS));
    } catch (error) {
      throw new UserInputError('NOT_FOUND', `@${server}:${uri}: ${(error as Error).message.replace(/^MCP error -?\d+: /, '')}. The message was not sent; /resources lists what there is.`);
    }
    attachments.push(`<resource server="${server}" uri="${uri}">\n${body}\n</resource>`);
  }
  return attachments.length === 0 ? text : `${text}\n\n${attachments.join('\n\n')}`;
}
