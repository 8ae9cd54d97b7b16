/**
 * The command line, declared once: every flag and command with its help text. Both
 * parsers read this table: yargs (help, usage errors, anything unusual) and the fast
 * path in `fast-parse.ts` (plain invocations), so they cannot drift apart.
 */
import { DEFAULTS } from './settings.js';

export interface OptionSpec {
  type: 'string' | 'number' | 'boolean';
  describe: string;
  alias?: string;
  /** A string flag that may be given several times (`--arg a=1 --arg b=2`): its value is a string[]. */
  multiple?: boolean;
}

/** Flags every command takes. Keys are the kebab-case flag names. */
export const GLOBAL_OPTIONS = {
  config: { type: 'string', describe: 'Config file, trusted for this run (default: ./switchboard.json once trusted, else ~/.config/switchboard/config.json, else the bundled temperature server)' },
  'tool-timeout': { type: 'number', describe: `Seconds a tool call may take (default: ${DEFAULTS.toolTimeoutSeconds}; a server's "timeout" wins)` },
  verbose: { type: 'boolean', alias: 'v', describe: 'Show server stderr, model reasoning and step counts' },
  strict: { type: 'boolean', describe: 'Fail when any server fails to start' },
  'log-file': { type: 'string', describe: 'Append a JSON-lines log of the run (events, server stderr, retries; secrets masked) to this file' },
  'log-level': { type: 'string', describe: `Least level written to --log-file: debug, info, warn or error (default: ${DEFAULTS.logLevel})` },
} as const satisfies Record<string, OptionSpec>;

/** Flags about the model: only `chat` talks to one, so only `chat` takes them. */
export const MODEL_OPTIONS = {
  model: { type: 'string', describe: `Model id, model name at --endpoint-url, or scripted:PATH (default: ${DEFAULTS.model})` },
  provider: { type: 'string', describe: `Inference provider on Hugging Face (default: ${DEFAULTS.provider}); ignored with --endpoint-url` },
  'endpoint-url': { type: 'string', describe: 'Base URL of an OpenAI-compatible server, e.g. http://127.0.0.1:8080/v1' },
  'api-key-env': { type: 'string', describe: 'Environment variable holding the model server\'s key (default: HF_TOKEN for Hugging Face, SWITCHBOARD_API_KEY elsewhere)' },
  system: { type: 'string', describe: 'System prompt' },
  'max-steps': { type: 'number', describe: `Most model calls per user message (default: ${DEFAULTS.maxSteps})` },
  'model-timeout': { type: 'number', describe: `Seconds the model server may stay silent before the request is retried (default: ${DEFAULTS.modelTimeoutSeconds})` },
  retries: { type: 'number', describe: `Retries of a failed model request (default: ${DEFAULTS.retries})` },
  'allow-insecure-endpoint': { type: 'boolean', describe: 'Send the model token over plain http:// to a host that is not loopback' },
} as const satisfies Record<string, OptionSpec>;

export interface PositionalSpec {
  name: string;
  describe: string;
  required: boolean;
}

export interface CommandSpec {
  /** yargs command string, e.g. `call <tool> [args]`. */
  usage: string;
  describe: string;
  positionals: PositionalSpec[];
  /** The command's own flags, beside GLOBAL_OPTIONS. */
  options: Record<string, OptionSpec>;
}

export const COMMANDS = {
  chat: {
    // The positional is `message` because `--prompt` names an MCP prompt.
    usage: 'chat [message]',
    describe: 'Chat with the agent: one turn with a prompt (or piped stdin), else an interactive session',
    positionals: [{ name: 'message', describe: 'The message (after --, everything is the message); omit it for a REPL or to read stdin', required: false }],
    options: {
      ...MODEL_OPTIONS,
      json: { type: 'boolean', describe: 'One JSON object per event on stdout' },
      prompt: { type: 'string', describe: "Send a server's prompt (switchboard prompts) as the message, one turn" },
      arg: { type: 'string', multiple: true, describe: 'An argument of --prompt, key=value; repeat it for each' },
    },
  },
  tools: {
    usage: 'tools [name]',
    describe: 'List the tools the model can call, or show one in full',
    positionals: [{ name: 'name', describe: 'A tool (exposed name, or server/tool): show its description, input schema, annotations and server', required: false }],
    options: { json: { type: 'boolean', describe: 'Print the exact function schemas sent to the model' } },
  },
  call: {
    usage: 'call <tool> [args]',
    describe: 'Call one tool directly (no model) and print its result',
    positionals: [
      { name: 'tool', describe: 'Exposed tool name, as `switchboard tools` lists it, or server/tool (starts only that server)', required: true },
      { name: 'args', describe: 'Arguments as a JSON object, e.g. \'{"city": "Paris"}\'; - (or none, with stdin piped) reads them from stdin', required: false },
    ],
    options: {
      server: { type: 'string', describe: 'Start only this server and call its tool' },
      json: { type: 'boolean', describe: 'Print the raw MCP result as JSON' },
      'save-media': { type: 'string', describe: 'Write image, audio and binary parts of the result to files in this folder and print their paths' },
    },
  },
  resources: {
    usage: 'resources',
    describe: 'List the resources and resource templates the servers offer',
    positionals: [],
    options: {
      server: { type: 'string', describe: 'Start only this server and list its resources' },
      json: { type: 'boolean', describe: 'Print the lists as JSON' },
    },
  },
  read: {
    usage: 'read <uri>',
    describe: 'Print one resource (text as it is; binary to --out FILE)',
    positionals: [{ name: 'uri', describe: 'The resource URI, as `switchboard resources` lists it', required: true }],
    options: {
      server: { type: 'string', describe: 'Start only this server and read from it' },
      out: { type: 'string', describe: 'Write the contents to this file instead of stdout' },
    },
  },
  prompts: {
    usage: 'prompts',
    describe: 'List the prompts the servers offer, with their arguments',
    positionals: [],
    options: {
      server: { type: 'string', describe: 'Start only this server and list its prompts' },
      json: { type: 'boolean', describe: 'Print the lists as JSON' },
    },
  },
  trust: {
    usage: 'trust [path]',
    describe: 'Trust a project config (default ./switchboard.json) so it may start its servers; --list, --revoke PATH',
    positionals: [{ name: 'path', describe: 'The config file to trust as it is now', required: false }],
    options: {
      list: { type: 'boolean', describe: 'List the trusted configs' },
      revoke: { type: 'string', describe: 'Stop trusting the config at PATH' },
    },
  },
  sessions: {
    usage: 'sessions',
    describe: 'List the recorded chat sessions, newest first',
    positionals: [],
    options: { json: { type: 'boolean', describe: 'Print the list as JSON' } },
  },
  trace: {
    usage: 'trace <session>',
    describe: 'Write the HTML picture of a recorded session to stdout (switchboard trace ID > trace.html)',
    positionals: [{ name: 'session', describe: 'A session id, as `switchboard sessions` lists it, or the path of a session file', required: true }],
    options: {},
  },
} as const satisfies Record<string, CommandSpec>;

export type CommandName = keyof typeof COMMANDS;

/** What a parser hands to a command: camelCase flags and positionals by name. */
export type ParsedFlags = Record<string, string | number | boolean | string[] | undefined>;

export interface ParsedInvocation {
  command: CommandName;
  flags: ParsedFlags;
}

/**
 * Every value of a repeatable flag, in order, read from the raw arguments (`--flag value` or
 * `--flag=value`, up to `--`): yargs keeps only the last of a repeated flag here (see
 * yargs-parse.ts), so it takes them from this.
 */
export function repeatedValues(argv: readonly string[], flag: string): string[] | undefined {
  const values: string[] = [];
  for (let i = 0; i < argv.length && argv[i] !== '--'; i++) {
    const arg = argv[i]!;
    if (arg === `--${flag}` && i + 1 < argv.length) values.push(argv[++i]!);
    else if (arg.startsWith(`--${flag}=`)) values.push(arg.slice(flag.length + 3));
  }
  return values.length > 0 ? values : undefined;
}

/** `max-steps` -> `maxSteps` */
export function camelCase(flag: string): string {
  return flag.replace(/-([a-z])/g, (_, letter: string) => letter.toUpperCase());
}

/** Every flag `command` takes (kebab-case), the global ones included. */
export function optionsOf(command: CommandName): Record<string, OptionSpec> {
  return { ...GLOBAL_OPTIONS, ...COMMANDS[command].options };
}

/**
 * `chat ... -- text...`: after `--` nothing is a flag, and every word is the prompt
 * (joined with spaces), so a prompt may start with `-` (`chat -- "-5 degrees in Paris?"`).
 * Returns the arguments before `--`, and the prompt when there are words after it.
 * Other commands keep `--` where it is (both parsers then leave it to yargs).
 */
export function splitPromptAfterDoubleDash(argv: readonly string[]): { argv: readonly string[]; prompt?: string } {
  const cut = argv.indexOf('--');
  if (argv[0] !== 'chat' || cut < 0) return { argv };
  const rest = argv.slice(cut + 1);
  return { argv: argv.slice(0, cut), ...(rest.length > 0 ? { prompt: rest.join(' ') } : {}) };
}
