/**
 * What a message typed in the interactive chat means: a command, or text for the model.
 *
 * Contract (the README's "Commands" section says the same):
 * - A message whose first line starts with `/` and a letter is a command: its first word names
 *   it. Known commands take no arguments. An unknown one is an error shown to the user and never
 *   sent to the model.
 * - `//` at the start sends the message with the first `/` removed, for text that must begin
 *   with a slash ("//etc/hosts is empty" sends "/etc/hosts is empty").
 * - A `/` followed by anything else (`/ `, `/5`) is plain text.
 */

/** Every command, its aliases and its one-line help, in the order /help lists them. */
export const REPL_COMMANDS = [
  { name: 'tools', aliases: [], describe: 'list the tools the model can call' },
  { name: 'resources', aliases: [], describe: 'list the servers\' resources (attach one to a message with @server:uri)' },
  { name: 'prompt', aliases: [], describe: 'send a server\'s prompt: /prompt NAME key=value ...', takesArguments: true },
  { name: 'clear', aliases: [], describe: 'forget the conversation (keeps the system prompt)' },
  { name: 'help', aliases: [], describe: 'this help' },
  { name: 'exit', aliases: ['quit'], describe: 'leave (or Ctrl+D)' },
] as const;

export type ReplCommand = (typeof REPL_COMMANDS)[number]['name'];

export type ParsedInput =
  | { kind: 'message'; text: string }
  /** `args`: the words after the command, for a command that takes them (`/prompt`). */
  | { kind: 'command'; command: ReplCommand; args?: string[] }
  /** A user mistake: `message` says what was wrong and what to do instead. */
  | { kind: 'error'; message: string };

/** Reads one message (already trimmed, not empty). */
export function parseReplInput(input: string): ParsedInput {
  if (input.startsWith('//')) return { kind: 'message', text: input.slice(1) };
  if (!/^\/[a-z]/i.test(input)) return { kind: 'message', text: input };
  const [word = '', ...rest] = input.split(/\s+/);
  const typed = word.slice(1).toLowerCase();
  const command = REPL_COMMANDS.find((c) => c.name === typed || (c.aliases as readonly string[]).includes(typed));
  if (!command) {
    return { kind: 'error', message: `unknown command ${word}; /help lists them (start a message with // to send text beginning with /)` };
  }
  if ('takesArguments' in command) return { kind: 'command', command: command.name, ...(rest.length > 0 ? { args: rest } : {}) };
  if (rest.length > 0) return { kind: 'error', message: `/${command.name} takes no arguments; type it alone` };
  return { kind: 'command', command: command.name };
}

export const REPL_HELP = [
  'Commands:',
  ...REPL_COMMANDS.map((c) => `  ${[c.name, ...c.aliases].map((n) => `/${n}`).join(', ').padEnd(13)} ${c.describe}`),
  'Input:',
  '  Enter sends. A line ending in \\ continues on the next line; a paste is one message.',
  '  Start with // to send text beginning with / (the first / is dropped).',
  '  Messages typed while the model answers are queued and sent after it, in order.',
  '  Ctrl+C cancels the turn (and the queued messages); at an empty prompt it leaves.',
].join('\n');
