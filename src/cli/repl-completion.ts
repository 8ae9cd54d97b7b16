/**
 * Tab completion in the interactive chat, for `@server:uri` mentions: `@ev<Tab>` completes a
 * server that offers resources, `@server:demo://x<Tab>` a URI the server lists, the fixed
 * part of a resource template, and a template's last variable through the server's
 * `completion/complete` where it supports it. Anything else completes to nothing.
 */
import type { ToolHub } from '../mcp/hub.js';
import { completeTemplateVariable, listResources, offersResources } from '../mcp/resources.js';

const TIMEOUT_MS = 5_000;
const MENTION_AT_END = /(?:^|\s)(@([^\s:@]*)(?::(\S*))?)$/;

/**
 * readline's completer contract: the candidates for the last word, and that word. Outside a
 * mention Tab stays a tab: the one candidate is the line with a tab added.
 */
export async function completeMention(hub: ToolHub, line: string): Promise<[string[], string]> {
  const match = MENTION_AT_END.exec(line);
  if (!match) return [[`${line}\t`], line];
  const [, word, server, prefix] = match as unknown as [string, string, string, string | undefined];
  const servers = hub.connections.filter(offersResources);
  if (prefix === undefined) return [servers.filter((c) => c.name.startsWith(server)).map((c) => `@${c.name}:`), word];
  const connection = servers.find((c) => c.name === server);
  if (!connection) return [[], word];
  const { resources, templates } = await listResources(connection, TIMEOUT_MS);
  const uris = new Set(resources.map((r) => r.uri).filter((uri) => uri.startsWith(prefix)));
  for (const template of templates) {
    const open = template.uriTemplate.indexOf('{');
    const fixed = open < 0 ? template.uriTemplate : template.uriTemplate.slice(0, open);
    if (fixed.startsWith(prefix) && fixed !== prefix) uris.add(fixed);
    // Only a template whose one variable ends it: `demo://x/{id}`.
    const variable = /^\{([^{}]+)\}$/.exec(template.uriTemplate.slice(open))?.[1];
    if (open < 0 || !variable || !prefix.startsWith(fixed)) continue;
    for (const value of await completeTemplateVariable(connection, template.uriTemplate, variable, prefix.slice(fixed.length), TIMEOUT_MS)) uris.add(`${fixed}${value}`);
  }
  return [[...uris].sort().map((uri) => `@${server}:${uri}`), word];
}
