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
  /** Repeatable (`--allow a --allow b`): the value is a list, in order. Other flags given twice: the last wins. */
  multiple?: true;
}

/** Flags every command takes. Keys are the kebab-case flag names. */
export const GLOBAL_OPTIONS = {
  config: { type: 'string', describe: 'Config file, trusted for this run (default: ./switchboard.json once trusted, else ~/.config/switchboard/config.json, else the bundled temperature server)' },
  'tool-timeout': { type: 'number', describe: `Seconds a tool call may take (default: ${DEFAULTS.toolTimeoutSeconds}; a server's "timeout" wins)` },
  verbose: { type: 'boolean', alias: 'v', describe: 'Show server stderr, model reasoning and step counts' },
  strict: { type: 'boolean', describe: 'Fail when any server fails to start' },
  'log-file': { type: 'string', describe: 'Append a JSON-lines log of the run (events, server stderr, retries; secrets masked) to this file' },
  'log-level': { type: 'string', describe: `Least level written to --log-file: debug, info, warn or error (default: ${DEFAULTS.logLevel})` },
  // A boolean that is on by default: `--no-progress` is yargs' negation of it (the fast path
  // leaves `--no-x` to yargs), so both parsers read it as `progress: false`.
  progress: { type: 'boolean', describe: 'Show activity on a terminal: a spinner and the elapsed time while servers start, the model thinks and tools run (default: on; --no-progress turns it off)' },
  cache: { type: 'boolean', describe: 'Use the tool-listing cache in $XDG_CACHE_HOME/switchboard (default: on; --no-cache waits for every server and neither reads nor writes it)' },
} as const satisfies Record<string, OptionSpec>;

/** Flags about the model: `chat` and `serve` take them all, `doctor` those in DOCTOR_MODEL_OPTIONS. */
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
  'hide-reasoning': { type: 'boolean', describe: 'Do not show the model\'s reasoning in a terminal (shown dimmed by default; config "showReasoning": false)' },
} as const satisfies Record<string, OptionSpec>;

/**
 * The model flags `doctor` uses: what sets the model up (which one, where, with which key, over
 * which transport) and the one request `--model-check` sends (its timeout and retries). No
 * conversation runs, so no --system, --max-steps or --hide-reasoning.
 */
export const DOCTOR_MODEL_OPTIONS = {
  model: MODEL_OPTIONS.model,
  provider: MODEL_OPTIONS.provider,
  'endpoint-url': MODEL_OPTIONS['endpoint-url'],
  'api-key-env': MODEL_OPTIONS['api-key-env'],
  'model-timeout': MODEL_OPTIONS['model-timeout'],
  retries: MODEL_OPTIONS.retries,
  'allow-insecure-endpoint': MODEL_OPTIONS['allow-insecure-endpoint'],
} as const satisfies Record<string, OptionSpec>;

/** Flags about which tool calls run without asking (`chat` and `serve`; see policy/approval.ts). */
export const APPROVAL_OPTIONS = {
  allow: { type: 'string', multiple: true, describe: 'Run calls matching this glob over server/tool without asking, e.g. "filesystem/read_*" (repeatable)' },
  deny: { type: 'string', multiple: true, describe: 'Never run calls matching this glob over server/tool, e.g. "filesystem/write_file" (repeatable; wins over everything)' },
  yes: { type: 'boolean', alias: 'y', describe: 'Run every call that no deny rule forbids, without asking (same as --approval yes)' },
  approval: { type: 'string', describe: 'Calls no rule covers: ask, auto (default: read-only tools of trusted servers run, the rest ask) or yes' },
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
      ...APPROVAL_OPTIONS,
      json: { type: 'boolean', describe: 'One JSON object per event on stdout' },
      session: { type: 'string', describe: 'Record the chat in this session file (default: a new file in the sessions folder); --no-session records nothing' },
      resume: { type: 'string', describe: 'Go on with a recorded session: an id (switchboard sessions), a path, or "latest" (also the default when no value is given)' },
      trace: { type: 'string', describe: 'At the end, write the HTML picture of the run to this file' },
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
  doctor: {
    usage: 'doctor',
    describe: 'Start every configured server and report what works and what does not (exit 1 when anything failed), then check the model',
    positionals: [],
    options: {
      ...DOCTOR_MODEL_OPTIONS,
      json: { type: 'boolean', describe: 'Print the report as one JSON document' },
      'model-check': { type: 'boolean', describe: 'Send one small request to the model, to check the endpoint answers and accepts the key' },
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
  serve: {
    usage: 'serve',
    describe: 'Serve the configured servers to other programs: an OpenAI-compatible endpoint (default), or an MCP gateway (--mcp)',
    positionals: [],
    options: {
      ...MODEL_OPTIONS,
      ...APPROVAL_OPTIONS,
      host: { type: 'string', describe: 'Address to listen on (default: 127.0.0.1); one that is not loopback needs --token-env' },
      port: { type: 'number', describe: 'TCP port to listen on (default: 8787; 0: any free port, printed)' },
      'token-env': { type: 'string', describe: 'Environment variable holding the bearer token clients must send (default: a token generated on first start, stored 0600 in ~/.config/switchboard/serve-token)' },
      cors: { type: 'string', describe: 'Allow cross-origin requests from this one origin, e.g. http://localhost:3000 (default: none)' },
      'max-concurrent': { type: 'number', describe: 'Requests served at once; more get 429 with Retry-After (default: 4)' },
      'drain-timeout': { type: 'number', describe: 'On SIGTERM/SIGINT, seconds running requests may take to finish before they are stopped (default: 10)' },
      mcp: { type: 'boolean', describe: 'Be an MCP server (a gateway to the configured servers) over stdio instead of the OpenAI-compatible endpoint' },
      http: { type: 'boolean', describe: 'With --mcp: speak Streamable HTTP on --host/--port (same token rules) instead of stdio' },
    },
  },
  auth: {
    usage: 'auth [server]',
    describe: 'Sign in to a remote server now (OAuth); --logout SERVER, --status',
    positionals: [{ name: 'server', describe: 'The remote server (its name in the config) to sign in to', required: false }],
    options: {
      logout: { type: 'string', describe: 'Forget the tokens of this remote server' },
      status: { type: 'boolean', describe: 'List the remote servers with tokens: expiry and scopes (never the tokens)' },
    },
  },
} as const satisfies Record<string, CommandSpec>;

export type CommandName = keyof typeof COMMANDS;

/** What a parser hands to a command: camelCase flags and positionals by name. */
export type ParsedFlags = Record<string, string | number | boolean | string[] | undefined>;

export interface ParsedInvocation {
  command: CommandName;
  flags: ParsedFlags;
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
