/**
 * `switchboard prompts [--server S] [--json]`: every prompt the servers offer, with its
 * arguments. And the prompt lookup `chat --prompt NAME --arg key=value` and the chat's
 * `/prompt NAME key=value ...` share: find the prompt, check its required arguments, fetch
 * it, and give its messages as the text of one user turn.
 */
import { UserInputError } from '../errors.js';
import type { ToolHub } from '../mcp/hub.js';
import { getPrompt, listPrompts, promptText } from '../mcp/prompts.js';
import { formatPrompts } from '../ui/resource-list.js';
import { onlyServer } from './resources.js';
import { withSession } from './session.js';
import type { GlobalFlags } from './settings.js';

const PROMPT_TIMEOUT_MS = 30_000;

export async function promptsCommand(flags: GlobalFlags & { server?: string; json?: boolean }, signal: AbortSignal): Promise<number> {
  return withSession(flags, { needsModel: false, announce: false, signal, servers: onlyServer(flags.server) }, async ({ hub }) => {
    const lists = await Promise.all(hub.connections.filter((c) => c.client).map((c) => listPrompts(c, PROMPT_TIMEOUT_MS)));
    process.stdout.write(flags.json ? `${JSON.stringify(lists, null, 2)}\n` : `${formatPrompts(lists)}\n`);
    return 0;
  });
}

/** `key=value` words as prompt arguments (a usage error for a word without `=`). */
export function parsePromptArgs(words: readonly string[]): Record<string, string> {
  const args: Record<string, string> = {};
  for (const word of words) {
    const at = word.indexOf('=');
    if (at <= 0) throw new UserInputError('USAGE', `Prompt arguments are key=value, not "${word}" (e.g. --arg city=Paris).`);
    args[word.slice(0, at)] = word.slice(at + 1);
  }
  return args;
}

/**
 * The user turn for prompt `name` (or `server/name`) with `args`. Usage errors name what is
 * missing: an unknown prompt (with the ones there are), a required argument not given.
 */
export async function promptTurn(hub: ToolHub, name: string, args: Record<string, string>): Promise<string> {
  // A chat may run while servers start (the cached tool listings): their prompts are wanted.
  await hub.serversSettled(hub.connections.map((c) => c.name));
  const lists = await Promise.all(hub.connections.filter((c) => c.client).map((c) => listPrompts(c, PROMPT_TIMEOUT_MS)));
  const matches = lists.flatMap((l) => l.prompts.filter((p) => p.name === name || `${l.server}/${p.name}` === name).map((prompt) => ({ server: l.server, prompt })));
  if (matches.length === 0) {
    const all = lists.flatMap((l) => l.prompts.map((p) => p.name));
    throw new UserInputError('NOT_FOUND', `No prompt named "${name}". Prompts: ${all.join(', ') || '(none)'}. See: switchboard prompts`);
  }
  if (matches.length > 1) throw new UserInputError('USAGE', `"${name}" is a prompt of several servers; name one: ${matches.map((m) => `${m.server}/${m.prompt.name}`).join(', ')}.`);
  const { server, prompt } = matches[0]!;
  const declared = prompt.arguments ?? [];
  const missing = declared.filter((a) => a.required && args[a.name] === undefined).map((a) => a.name);
  if (missing.length > 0) {
    const usage = declared.map((a) => `${a.name}=...${a.required ? '' : ' (optional)'}`).join(' ');
    throw new UserInputError('USAGE', `Prompt "${prompt.name}" needs ${missing.map((m) => `"${m}"`).join(', ')}. Its arguments: ${usage}.`);
  }
  const unknown = Object.keys(args).filter((key) => !declared.some((a) => a.name === key));
  if (unknown.length > 0) throw new UserInputError('USAGE', `Prompt "${prompt.name}" has no argument ${unknown.map((u) => `"${u}"`).join(', ')}. Its arguments: ${declared.map((a) => a.name).join(', ') || '(none)'}.`);
  const connection = hub.connections.find((c) => c.name === server)!;
  return promptText(await getPrompt(connection, prompt.name, args, PROMPT_TIMEOUT_MS));
}
