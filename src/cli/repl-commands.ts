/**
 * What a message typed in the interactive chat means: a command, or text for the model.
 *
 * Contract (the README's "Commands" section says the same):
 * - A message whose first line starts with `/` and a letter is a command: its first word names
 *   it. A command takes no argument, or exactly one (`/model ID`): the rest of the message,
 *   trimmed; `/prompt` takes words (`/prompt NAME key=value ...`). An unknown command, a missing argument or an unexpected one is an error shown
 *   to the user and never sent to the model.
 * - `//` at the start sends the message with the first `/` removed, for text that must begin
 *   with a slash ("//etc/hosts is empty" sends "/etc/hosts is empty").
 * - A `/` followed by anything else (`/ `, `/5`) is plain text.
 */

/** Every command, its aliases, its argument and its one-line help, in the order /help lists them. */
export const REPL_COMMANDS = [
  { name: 'tools', aliases: [], arg: undefined, describe: 'list the tools the model can call' },
  { name: 'servers', aliases: [], arg: undefined, describe: "each server's state (ready, restarting, down) and tool count" },
  { name: 'model', aliases: [], arg: 'ID', describe: 'switch to another model (same endpoint and provider); the conversation stays' },
  { name: 'resources', aliases: [], arg: undefined, describe: "list the servers' resources (attach one to a message with @server:uri)" },
  { name: 'prompt', aliases: [], arg: 'WORDS', describe: "send a server's prompt: /prompt NAME key=value ..." },
  { name: 'usage', aliases: [], arg: undefined, describe: 'model calls and tokens used in this chat so far' },
  { name: 'sessions', aliases: [], arg: undefined, describe: 'list the recorded sessions' },
  { name: 'resume', aliases: [], arg: 'ID', describe: 'go on with a recorded session (an id from /sessions, or a path)' },
  { name: 'save', aliases: [], arg: 'PATH', describe: 'copy this session to a file' },
  { name: 'clear', aliases: [], arg: undefined, describe: 'forget the conversation (keeps the system prompt)' },
  { name: 'help', aliases: [], arg: undefined, describe: 'this help' },
  { name: 'exit', aliases: ['quit'], arg: undefined, describe: 'leave (or Ctrl+D)' },
] as const;

export type ReplCommand = (typeof REPL_COMMANDS)[number]['name'];

export type ParsedInput =
  | { kind: 'message'; text: string }
  /** `arg` is set exactly for the commands that take one; `args`: the words after a command that takes words (`/prompt`). */
  | { kind: 'command'; command: ReplCommand; arg?: string; args?: string[] }
  /** A user mistake: `message` says what was wrong and what to do instead. */
  | { kind: 'error'; message: string };

/** Reads one message (already trimmed, not empty). */
export function parseReplInput(input: string): ParsedInput {
  if (input.startsWith('//')) return { kind: 'message', text: input.slice(1) };
  if (!/^\/[a-z]/i.test(input)) return { kind: 'message', text: input };
  const word = /^\S+/.exec(input)![0];
  const rest = input.slice(word.length).trim();
  const typed = word.slice(1).toLowerCase();
  const command = REPL_COMMANDS.find((c) => c.name === typed || (c.aliases as readonly string[]).includes(typed));
  if (!command) {
    return { kind: 'error', message: `unknown command ${word}; /help lists them (start a message with // to send text beginning with /)` };
  }
  if (command.arg === undefined) {
    if (rest) return { kind: 'error', message: `/${command.name} takes no arguments; type it alone` };
    return { kind: 'command', command: command.name };
  }
  // Words (`/prompt NAME key=value ...`): none is fine (the command says what it needs).
  if (command.arg === 'WORDS') return { kind: 'command', command: command.name, ...(rest ? { args: rest.split(/\s+/) } : {}) };
  if (!rest) return { kind: 'error', message: `/${command.name} needs ${command.arg === 'PATH' ? 'a path' : 'an id'}: /${command.name} ${command.arg}` };
  return { kind: 'command', command: command.name, arg: rest };
}

export const REPL_HELP = [
  'Commands:',
  ...REPL_COMMANDS.map((c) => `  ${[`${c.name}${c.arg ? ` ${c.arg}` : ''}`, ...c.aliases].map((n) => `/${n}`).join(', ').padEnd(15)} ${c.describe}`),
  'Input:',
  '  Enter sends. A line ending in \\ continues on the next line; a paste is one message.',
  '  Start with // to send text beginning with / (the first / is dropped).',
  '  Messages typed while the model answers are queued and sent after it, in order.',
  '  Ctrl+C cancels the turn (and the queued messages); at an empty prompt it leaves.',
  '  Up and down arrows go through what you typed, in this chat and earlier ones.',
].join('\n');
