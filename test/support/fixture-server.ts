/**
 * fixture-server: ONE fault-injecting MCP server over stdio, configured by command-line flags.
 *
 *   node dist/test/support/fixture-server.js [flags]
 *
 * Built on the SDK's low-level `Server` so tool lists and schemas are fully under our control
 * (including deliberately invalid ones). Flags:
 *   --name NAME            server name (default "fixture")
 *   --tools a,b,c          list only these built-in tools (flag-added and runtime-added tools are
 *                          always listed). Calling a tool that is not listed is a JSON-RPC
 *                          InvalidParams error.
 *   --bad-schema           also list `bad_schema` whose inputSchema is {type:"string"}
 *   --page-size N          tools/list pages of at most N tools, with an opaque `nextCursor`
 *   --long-names           also list an 80-char tool name and "weird.tool/name!"
 *   --ignore-sigterm       ignore SIGTERM/SIGINT and keep running after stdin EOF (SIGKILL only)
 *   --grandchild PIDFILE   spawn a long-lived grandchild (same process group, not detached) and
 *                          write its pid to PIDFILE; it outlives this process unless the host
 *                          kills the whole group/tree
 *   --setsid-child PIDFILE spawn a long-lived child in a session of its own (it leaves the
 *                          server's process group, as a daemonizing server would) and write its
 *                          pid to PIDFILE; only a host that finds it by other means can kill it
 *   --pidfile PATH         write own pid to PATH at start
 *   --event-log PATH       append one line per shutdown step received ("stdin-eof", "SIGTERM",
 *                          "SIGINT"), so a test can tell which stages of a shutdown reached it
 *   --log-initialized      also log "initialized" to --event-log once the host has its initialize
 *                          answer (the host's notifications/initialized arrived)
 *   --start-gate PATH      wait until the file PATH exists before connecting the transport, so a
 *                          test decides when the server comes up (after --slow-start)
 *   --tools-file PATH      like --tools, read from PATH at start (comma-separated): the listing
 *                          changes between runs while the command line (the cache key) does not
 *   --garbage-stdout       write non-JSON lines to stdout at start and before each tool result
 *   --exit-during-init     exit 3 when the initialize request arrives (after a stderr line)
 *   --stderr-lines N       write N lines "fixture stderr line i" to stderr at start
 *   --slow-start MS        wait MS before connecting the transport
 *   --crash-at-start       write "fixture: fatal start error" to stderr and exit 1 before connecting
 *   --init-error MESSAGE   answer initialize with a JSON-RPC error (InternalError) carrying MESSAGE
 *   --shared-id            also list `need_a` and `need_b`, whose inputSchemas share one `$id` and
 *                          require `a` and `b` respectively, and `swap_required`, which swaps
 *                          what they require and sends notifications/tools/list_changed
 *   --log-tool             also list `log` {level, message, logger?}: sends that MCP log message
 *                          (`notifications/message`) before answering "logged"; the server
 *                          declares the `logging` capability; messages below the level the client
 *                          set with `logging/setLevel` are not sent, and each setLevel received
 *                          is written to stderr as "fixture: log level set to LEVEL"
 *   --wrong-output         also list `wrong_output`, whose outputSchema wants {sum: number} and
 *                          whose result has structuredContent {sum: "three"}
 *   --schema-smells        also list tools whose inputSchemas some providers reject: `smell_schema`
 *                          ($schema), `smell_no_properties` (no properties), `smell_ref` ($ref into
 *                          $defs), `smell_format` (format "phone-number")
 *   --wordy CHARS          also list `wordy`, whose description is CHARS characters long
 *   --token VALUE          accepted and ignored: a credential on the command line, as real servers take one
 *   --echo-argv            write "fixture argv: <its arguments>" to stderr at start (a server echoing a secret)
 *   --gate-tool PATH       also list `gate` {}: holds the call (cancellable) until the file PATH
 *                          exists, then answers "gate open": a test decides when a call ends
 *   --in-flight-tool       also list `in_flight` {ms}: holds the call for ms (cancellable), then
 *                          answers "in flight at start: K; most at once: M" (calls of it running when
 *                          it started, itself included, and the most ever running together)
 *   --echo-env NAME        write "fixture env NAME=<value>" to stderr at start (repeatable)
 *   --env-tool             also list `env_value` {name}: answers "NAME=<value>" from its own
 *                          environment (a server echoing a secret back in a tool result)
 *   --call-log PATH        append "<tool name> <arguments as JSON>" to PATH when a call starts running
 *                          (the server-side effect that proves whether a call ran)
 *   --annotations JSON     {"<tool>": {MCP annotations}, ...}: listed with those tools (runtime-added
 *                          ones included), e.g. '{"echo": {"readOnlyHint": true}}'
 *   --sampling-tool        also list `sample_with_tools` {prompt}: sends sampling/createMessage with
 *                          the prompt, maxTokens 50 and one tool of its own (`lookup` {q}), then
 *                          answers with the host's result as JSON
 *   --resources N          offer N text resources fixture://r/1..N ("resource i"), paged like tools
 *                          with --page-size; declares the `resources` capability
 *   --url-elicit-tool      also list `open_url` {url, message}: sends a URL-mode elicitation/create
 *                          (elicitationId "e1"); on accept, sends notifications/elicitation/complete
 *                          for it before answering with the action
 *   --form-elicit-tool     also list `ask_form` {required}: sends a form elicitation/create whose fields
 *                          have defaults (name "Ada", count 3, ok true, color "red") and one optional
 *                          field without (note); `required` (a field name) is made required; answers
 *                          with the host's result as JSON
 *
 * Built-in tools: echo, add, sleep, crash, hang, big, fail, image, no_params, add_tool,
 * cancelled_count, raw (see TOOLS below for schemas and behaviour).
 * Without --ignore-sigterm the process exits 0 when stdin reaches EOF.
 */
import { spawn } from 'node:child_process';
import { appendFileSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { Server } from '@modelcontextprotocol/sdk/server/index.js';
import { StdioServerTransport } from '@modelcontextprotocol/sdk/server/stdio.js';
import {
  CallToolRequestSchema,
  CreateMessageResultWithToolsSchema,
  ElicitResultSchema,
  ErrorCode,
  ListResourcesRequestSchema,
  ListToolsRequestSchema,
  McpError,
  SetLevelRequestSchema,
  ReadResourceRequestSchema,
  type CallToolResult,
  type Tool,
} from '@modelcontextprotocol/sdk/types.js';

// ---------------------------------------------------------------------------------------------
// Flags (parsed by hand: no dependencies)

interface Flags {
  name: string;
  tools?: string[];
  badSchema: boolean;
  pageSize?: number;
  longNames: boolean;
  ignoreSigterm: boolean;
  grandchild?: string;
  setsidChild?: string;
  pidfile?: string;
  eventLog?: string;
  garbageStdout: boolean;
  exitDuringInit: boolean;
  stderrLines: number;
  slowStartMs: number;
  crashAtStart: boolean;
  initError?: string;
  sharedId: boolean;
  logTool: boolean;
  inFlightTool: boolean;
  gateTool?: string;
  wrongOutput: boolean;
  schemaSmells: boolean;
  wordyChars: number;
  samplingTool: boolean;
  urlElicitTool: boolean;
  formElicitTool: boolean;
  resources: number;
  echoArgv: boolean;
  echoEnv: string[];
  envTool: boolean;
  callLog?: string;
  annotations: Record<string, Record<string, unknown>>;
  startGate?: string;
  logInitialized: boolean;
}

function fatalUsage(message: string): never {
  process.stderr.write(`fixture: ${message}\n`);
  process.exit(2);
}

function parseFlags(argv: string[]): Flags {
  const flags: Flags = {
    name: 'fixture',
    badSchema: false,
    longNames: false,
    ignoreSigterm: false,
    garbageStdout: false,
    exitDuringInit: false,
    stderrLines: 0,
    slowStartMs: 0,
    crashAtStart: false,
    sharedId: false,
    logTool: false,
    inFlightTool: false,
    wrongOutput: false,
    schemaSmells: false,
    wordyChars: 0,
    samplingTool: false,
    urlElicitTool: false,
    formElicitTool: false,
    resources: 0,
    echoArgv: false,
    echoEnv: [],
    envTool: false,
    annotations: {},
    logInitialized: false,
  };
  const value = (i: number, flag: string): string => {
    const v = argv[i];
    if (v === undefined) fatalUsage(`${flag} needs a value`);
    return v;
  };
  const int = (i: number, flag: string): number => {
    const n = Number(value(i, flag));
    if (!Number.isInteger(n) || n < 0) fatalUsage(`${flag} needs a non-negative integer`);
    return n;
  };
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i];
    switch (flag) {
      case '--name': flags.name = value(++i, flag); break;
      case '--tools': flags.tools = value(++i, flag).split(',').map((s) => s.trim()).filter(Boolean); break;
      case '--bad-schema': flags.badSchema = true; break;
      case '--page-size': {
        flags.pageSize = int(++i, flag);
        if (flags.pageSize < 1) fatalUsage('--page-size must be >= 1');
        break;
      }
      case '--long-names': flags.longNames = true; break;
      case '--ignore-sigterm': flags.ignoreSigterm = true; break;
      case '--grandchild': flags.grandchild = value(++i, flag); break;
      case '--setsid-child': flags.setsidChild = value(++i, flag); break;
      case '--pidfile': flags.pidfile = value(++i, flag); break;
      case '--event-log': flags.eventLog = value(++i, flag); break;
      case '--garbage-stdout': flags.garbageStdout = true; break;
      case '--exit-during-init': flags.exitDuringInit = true; break;
      case '--stderr-lines': flags.stderrLines = int(++i, flag); break;
      case '--slow-start': flags.slowStartMs = int(++i, flag); break;
      case '--crash-at-start': flags.crashAtStart = true; break;
      case '--init-error': flags.initError = value(++i, flag); break;
      case '--shared-id': flags.sharedId = true; break;
      case '--log-tool': flags.logTool = true; break;
      case '--in-flight-tool': flags.inFlightTool = true; break;
      case '--wrong-output': flags.wrongOutput = true; break;
      case '--schema-smells': flags.schemaSmells = true; break;
      case '--wordy': flags.wordyChars = int(++i, flag); break;
      case '--sampling-tool': flags.samplingTool = true; break;
      case '--url-elicit-tool': flags.urlElicitTool = true; break;
      case '--form-elicit-tool': flags.formElicitTool = true; break;
      case '--resources': flags.resources = int(++i, flag); break;
      case '--token': value(++i, flag); break;
      case '--echo-argv': flags.echoArgv = true; break;
      case '--echo-env': flags.echoEnv.push(value(++i, flag)); break;
      case '--env-tool': flags.envTool = true; break;
      case '--call-log': flags.callLog = value(++i, flag); break;
      case '--annotations': flags.annotations = JSON.parse(value(++i, flag)) as Flags['annotations']; break;
      case '--log-initialized': flags.logInitialized = true; break;
      case '--start-gate': flags.startGate = value(++i, flag); break;
      case '--gate-tool': flags.gateTool = value(++i, flag); break;
      case '--tools-file': flags.tools = readFileSync(value(++i, flag), 'utf8').split(',').map((s) => s.trim()).filter(Boolean); break;
      default: fatalUsage(`unknown flag ${String(flag)}`);
    }
  }
  return flags;
}

const flags = parseFlags(process.argv.slice(2));

// ---------------------------------------------------------------------------------------------
// Tools

type Args = Record<string, unknown>;
type Extra = {
  signal: AbortSignal;
  _meta?: { progressToken?: string | number } & Record<string, unknown>;
  sendNotification: (notification: any) => Promise<void>;
  sendRequest: (request: any, schema: any) => Promise<unknown>;
};
type Handler = (args: Args, extra: Extra) => Promise<CallToolResult> | CallToolResult;

interface FixtureTool {
  tool: Tool;
  handler: Handler;
}

const text = (t: string): CallToolResult => ({ content: [{ type: 'text', text: t }] });

/** A 1x1 transparent PNG. */
const PNG_1X1 =
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==';

/** A tiny valid WAV file (8 kHz, mono, 8-bit, 8 samples of silence). */
function tinyWav(): string {
  const samples = 8;
  const buf = Buffer.alloc(44 + samples, 0x80);
  buf.write('RIFF', 0, 'ascii');
  buf.writeUInt32LE(36 + samples, 4);
  buf.write('WAVE', 8, 'ascii');
  buf.write('fmt ', 12, 'ascii');
  buf.writeUInt32LE(16, 16); // fmt chunk size
  buf.writeUInt16LE(1, 20); // PCM
  buf.writeUInt16LE(1, 22); // channels
  buf.writeUInt32LE(8000, 24); // sample rate
  buf.writeUInt32LE(8000, 28); // byte rate
  buf.writeUInt16LE(1, 32); // block align
  buf.writeUInt16LE(8, 34); // bits per sample
  buf.write('data', 36, 'ascii');
  buf.writeUInt32LE(samples, 40);
  return buf.toString('base64');
}

/** Echo-like handler used by runtime-added and flag-added extra tools. */
function echoLike(name: string): Handler {
  return (args) => text(typeof args.text === 'string' ? args.text : `${name} called with ${JSON.stringify(args)}`);
}

const echoSchema: Tool['inputSchema'] = {
  type: 'object',
  properties: { text: { type: 'string', description: 'Text to echo back' } },
  required: ['text'],
};

let cancelledCount = 0;
/** The level set by the client with logging/setLevel (--log-tool); undefined: send everything. */
let logLevel: string | undefined;
const LOG_LEVELS = ['debug', 'info', 'notice', 'warning', 'error', 'critical', 'alert', 'emergency'];
const addedTools: FixtureTool[] = [];
let server: Server;

function sleepFor(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) return reject(new Error('cancelled'));
    const timer = setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = (): void => {
      clearTimeout(timer);
      reject(new Error('cancelled'));
    };
    signal.addEventListener('abort', onAbort, { once: true });
  });
}

const BUILTIN_TOOLS: FixtureTool[] = [
  {
    tool: { name: 'echo', description: 'Echo the given text back.', inputSchema: echoSchema },
    handler: (args) => text(String(args.text ?? '')),
  },
  {
    tool: {
      name: 'add',
      description: 'Add two numbers.',
      inputSchema: {
        type: 'object',
        properties: { a: { type: 'number' }, b: { type: 'number' } },
        required: ['a', 'b'],
      },
      outputSchema: { type: 'object', properties: { sum: { type: 'number' } }, required: ['sum'] },
    },
    handler: (args) => {
      const sum = Number(args.a) + Number(args.b);
      return { content: [{ type: 'text', text: String(sum) }], structuredContent: { sum } };
    },
  },
  {
    tool: {
      name: 'sleep',
      description: 'Sleep for ms milliseconds (cancellable); optionally report progress every 100 ms.',
      inputSchema: {
        type: 'object',
        properties: { ms: { type: 'number' }, progress: { type: 'boolean' } },
        required: ['ms'],
      },
    },
    handler: async (args, extra) => {
      const ms = Math.max(0, Number(args.ms) || 0);
      const token = extra._meta?.progressToken;
      let ticker: NodeJS.Timeout | undefined;
      if (args.progress === true && token !== undefined) {
        const started = Date.now();
        ticker = setInterval(() => {
          const elapsed = Math.min(ms, Date.now() - started);
          void extra
            .sendNotification({
              method: 'notifications/progress',
              params: { progressToken: token, progress: elapsed, total: ms, message: `slept ${elapsed} ms` },
            })
            .catch(() => {});
        }, 100);
      }
      try {
        await sleepFor(ms, extra.signal);
      } finally {
        if (ticker) clearInterval(ticker);
      }
      return text(`slept ${ms} ms`);
    },
  },
  {
    tool: {
      name: 'crash',
      description: 'Exit the server process with code 1 mid-call, after writing `stderr` (if given) to stderr.',
      inputSchema: { type: 'object', properties: { stderr: { type: 'string' } } },
    },
    handler: (args) => {
      if (typeof args.stderr === 'string') process.stderr.write(`${args.stderr}\n`);
      process.exit(1);
    },
  },
  {
    tool: { name: 'hang', description: 'Never answer.', inputSchema: { type: 'object', properties: {} } },
    // Never resolves; on cancellation it rejects, and the SDK sends nothing for an aborted request.
    handler: (_args, extra) =>
      new Promise<CallToolResult>((_resolve, reject) => {
        extra.signal.addEventListener('abort', () => reject(new Error('cancelled')), { once: true });
      }),
  },
  {
    tool: {
      name: 'big',
      description: 'Return one text content of exactly `chars` characters ("HEAD-" ... "-TAIL"; minimum 10).',
      inputSchema: { type: 'object', properties: { chars: { type: 'number' } }, required: ['chars'] },
    },
    handler: (args) => {
      const chars = Math.max(10, Math.floor(Number(args.chars) || 0));
      const pattern = '0123456789abcdefghijklmnopqrstuvwxyz';
      const fill = pattern.repeat(Math.ceil((chars - 10) / pattern.length)).slice(0, chars - 10);
      return text(`HEAD-${fill}-TAIL`);
    },
  },
  {
    tool: { name: 'fail', description: 'Always fails with isError.', inputSchema: { type: 'object', properties: {} } },
    handler: () => ({ isError: true, content: [{ type: 'text', text: 'fixture failure: this tool always fails' }] }),
  },
  {
    tool: {
      name: 'image',
      description: 'Return image, audio, resource_link and embedded resource contents.',
      inputSchema: { type: 'object', properties: {} },
    },
    handler: () => ({
      content: [
        { type: 'image', data: PNG_1X1, mimeType: 'image/png' },
        { type: 'audio', data: tinyWav(), mimeType: 'audio/wav' },
        { type: 'resource_link', uri: 'file:///tmp/x.txt', name: 'x.txt', mimeType: 'text/plain' },
        { type: 'resource', resource: { uri: 'mem://note', mimeType: 'text/plain', text: 'embedded note' } },
      ],
    }),
  },
  {
    // Deliberately no description and no properties; only a title.
    tool: { name: 'no_params', title: 'No Params Title', inputSchema: { type: 'object' } },
    handler: () => text('ok'),
  },
  {
    tool: {
      name: 'add_tool',
      description: 'Add an echo-like tool with the given name and send notifications/tools/list_changed.',
      inputSchema: { type: 'object', properties: { name: { type: 'string' } }, required: ['name'] },
    },
    handler: async (args) => {
      const name = String(args.name ?? '');
      if (!name) return { isError: true, content: [{ type: 'text', text: 'add_tool: name is required' }] };
      if (!allTools().some((t) => t.tool.name === name)) {
        addedTools.push({
          tool: { name, description: `Runtime-added echo tool ${name}.`, inputSchema: echoSchema },
          handler: echoLike(name),
        });
      }
      await server.sendToolListChanged();
      return text(`added ${name}`);
    },
  },
  {
    tool: {
      name: 'cancelled_count',
      description: 'Number of notifications/cancelled received so far.',
      inputSchema: { type: 'object', properties: {} },
    },
    handler: () => text(String(cancelledCount)),
  },
  {
    tool: {
      name: 'raw',
      description: 'Return `result` (a CallToolResult: content, structuredContent, isError) exactly as given.',
      inputSchema: { type: 'object', properties: { result: { type: 'object' } }, required: ['result'] },
    },
    handler: (args) => args.result as CallToolResult,
  },
];

const LONG_NAME = 'long_tool_name_'.padEnd(80, 'x');

/** --shared-id: which property each of need_a / need_b requires (swap_required swaps them). */
const sharedRequired = { need_a: 'a', need_b: 'b' };

function sharedIdSchema(required: string): Tool['inputSchema'] {
  return {
    $id: 'urn:fixture:shared-args',
    type: 'object',
    properties: { a: { type: 'string' }, b: { type: 'string' } },
    required: [required],
  } as Tool['inputSchema'];
}

function sharedIdTools(): FixtureTool[] {
  const needTool = (name: 'need_a' | 'need_b'): FixtureTool => ({
    // A getter: the schema follows swap_required.
    get tool() {
      return { name, description: `Requires "${sharedRequired[name]}".`, inputSchema: sharedIdSchema(sharedRequired[name]) };
    },
    handler: (args) => text(`${name} called with ${JSON.stringify(args)}`),
  });
  return [
    needTool('need_a'),
    needTool('need_b'),
    {
      tool: { name: 'swap_required', description: 'Swap what need_a and need_b require; sends list_changed.', inputSchema: { type: 'object', properties: {} } },
      handler: async () => {
        [sharedRequired.need_a, sharedRequired.need_b] = [sharedRequired.need_b, sharedRequired.need_a];
        await server.sendToolListChanged();
        return text(`need_a requires ${sharedRequired.need_a}, need_b requires ${sharedRequired.need_b}`);
      },
    },
  ];
}

function extraTools(): FixtureTool[] {
  const extras: FixtureTool[] = flags.sharedId ? sharedIdTools() : [];
  if (flags.wrongOutput) {
    extras.push({
      tool: {
        name: 'wrong_output',
        description: 'Declares {sum: number} as its output, returns {sum: "three"}.',
        inputSchema: { type: 'object', properties: {} },
        outputSchema: { type: 'object', properties: { sum: { type: 'number' } }, required: ['sum'] },
      },
      handler: () => ({ content: [{ type: 'text', text: 'three' }], structuredContent: { sum: 'three' } }),
    });
  }
  if (flags.schemaSmells) {
    const smells: Array<[string, Record<string, unknown>]> = [
      ['smell_schema', { $schema: 'http://json-schema.org/draft-07/schema#', type: 'object', properties: { q: { type: 'string' } } }],
      ['smell_no_properties', { type: 'object' }],
      ['smell_ref', { type: 'object', properties: { where: { $ref: '#/$defs/place' } }, $defs: { place: { type: 'string' } } }],
      ['smell_format', { type: 'object', properties: { phone: { type: 'string', format: 'phone-number' } } }],
    ];
    for (const [name, inputSchema] of smells) {
      extras.push({ tool: { name, description: `Schema smell: ${name}.`, inputSchema } as unknown as Tool, handler: () => text(`${name} called`) });
    }
  }
  if (flags.wordyChars > 0) {
    extras.push({
      tool: { name: 'wordy', description: 'A long description. '.repeat(Math.ceil(flags.wordyChars / 21)).slice(0, flags.wordyChars), inputSchema: echoSchema },
      handler: echoLike('wordy'),
    });
  }
  if (flags.badSchema) {
    extras.push({
      // Invalid on purpose: MCP requires an object schema. Cast past the SDK's types.
      tool: { name: 'bad_schema', description: 'Has a non-object input schema.', inputSchema: { type: 'string' } } as unknown as Tool,
      handler: () => text('bad_schema called'),
    });
  }
  if (flags.longNames) {
    for (const name of [LONG_NAME, 'weird.tool/name!']) {
      extras.push({
        tool: { name, description: `Tool with an awkward name (${name.length} chars).`, inputSchema: echoSchema },
        handler: echoLike(name),
      });
    }
  }
  if (flags.logTool) {
    extras.push({
      tool: {
        name: 'log',
        description: 'Send an MCP log message (notifications/message), then answer "logged".',
        inputSchema: { type: 'object', properties: { level: { type: 'string' }, message: { type: 'string' }, logger: { type: 'string' } }, required: ['level', 'message'] },
      },
      handler: async (args, extra) => {
        const params = { level: String(args.level), data: String(args.message), ...(args.logger !== undefined ? { logger: String(args.logger) } : {}) };
        // Below the level the client set (logging/setLevel): not sent, as the spec asks.
        if (logLevel === undefined || LOG_LEVELS.indexOf(params.level) >= LOG_LEVELS.indexOf(logLevel)) {
          await extra.sendNotification({ method: 'notifications/message', params });
        }
        return text('logged');
      },
    });
  }
  if (flags.envTool) {
    extras.push({
      tool: { name: 'env_value', description: 'The value of one of the server\'s environment variables.', inputSchema: { type: 'object', properties: { name: { type: 'string' } }, required: ['name'] } },
      handler: (args) => text(`${String(args.name)}=${process.env[String(args.name)] ?? ''}`),
    });
  }
  if (flags.gateTool) {
    const gate = flags.gateTool;
    extras.push({
      tool: { name: 'gate', description: 'Hold the call until the gate file exists.', inputSchema: { type: 'object', properties: {} } },
      handler: async (_args, extra) => {
        while (!existsSync(gate)) await sleepFor(20, extra.signal);
        return text('gate open');
      },
    });
  }
  if (flags.inFlightTool) {
    extras.push({
      tool: {
        name: 'in_flight',
        description: 'Hold the call for ms milliseconds, then say how many calls of this tool ran at once.',
        inputSchema: { type: 'object', properties: { ms: { type: 'number' } }, required: ['ms'] },
      },
      handler: async (args, extra) => {
        const atStart = ++inFlight;
        mostInFlight = Math.max(mostInFlight, inFlight);
        try {
          await sleepFor(Math.max(0, Number(args.ms) || 0), extra.signal);
        } finally {
          inFlight--;
        }
        return text(`in flight at start: ${atStart}; most at once: ${mostInFlight}`);
      },
    });
  }
  if (flags.samplingTool) {
    extras.push({
      tool: {
        name: 'sample_with_tools',
        description: "Ask the host's model (sampling/createMessage) with a tool of the server's own; answers with the result as JSON.",
        inputSchema: { type: 'object', properties: { prompt: { type: 'string' } }, required: ['prompt'] },
      },
      handler: async (args, extra) => {
        const result = await extra.sendRequest(
          {
            method: 'sampling/createMessage',
            params: {
              messages: [{ role: 'user', content: { type: 'text', text: String(args.prompt) } }],
              maxTokens: 50,
              tools: [{ name: 'lookup', description: 'Look a word up.', inputSchema: { type: 'object', properties: { q: { type: 'string' } }, required: ['q'] } }],
            },
          },
          CreateMessageResultWithToolsSchema,
        );
        return text(JSON.stringify(result));
      },
    });
  }
  if (flags.formElicitTool) {
    extras.push({
      tool: {
        name: 'ask_form',
        description: 'Ask the user to fill a form (form-mode elicitation) whose fields have defaults; answers with the result as JSON.',
        inputSchema: { type: 'object', properties: { required: { type: 'string' } }, required: ['required'] },
      },
      handler: async (args, extra) => {
        const result = await extra.sendRequest(
          {
            method: 'elicitation/create',
            params: {
              message: 'Your details',
              requestedSchema: {
                type: 'object',
                properties: {
                  name: { type: 'string', default: 'Ada' },
                  count: { type: 'integer', default: 3 },
                  ok: { type: 'boolean', default: true },
                  color: { type: 'string', enum: ['red', 'green'], default: 'red' },
                  note: { type: 'string' },
                },
                required: [String(args.required)],
              },
            },
          },
          ElicitResultSchema,
        );
        return text(JSON.stringify(result));
      },
    });
  }
  if (flags.urlElicitTool) {
    extras.push({
      tool: {
        name: 'open_url',
        description: 'Ask the user to open a URL (URL-mode elicitation); completes it at once on accept.',
        inputSchema: { type: 'object', properties: { url: { type: 'string' }, message: { type: 'string' } }, required: ['url', 'message'] },
      },
      handler: async (args, extra) => {
        const result = (await extra.sendRequest(
          { method: 'elicitation/create', params: { mode: 'url', url: String(args.url), message: String(args.message), elicitationId: 'e1' } },
          ElicitResultSchema,
        )) as { action: string };
        if (result.action === 'accept') await extra.sendNotification({ method: 'notifications/elicitation/complete', params: { elicitationId: 'e1' } });
        return text(`action: ${result.action}`);
      },
    });
  }
  return extras;
}

let inFlight = 0;
let mostInFlight = 0;

const staticTools: FixtureTool[] = [
  ...BUILTIN_TOOLS.filter((t) => !flags.tools || flags.tools.includes(t.tool.name)),
  ...extraTools(),
];

function allTools(): FixtureTool[] {
  return [...staticTools, ...addedTools];
}

// ---------------------------------------------------------------------------------------------
// Start-up behaviours

function writeGarbage(): void {
  process.stdout.write('this is not json-rpc\n{"half": "a json object\nfixture garbage line\n');
}

if (flags.pidfile) writeFileSync(flags.pidfile, String(process.pid));

/** Records a shutdown step (synchronously: the next step may be SIGKILL). */
function logEvent(event: string): void {
  if (flags.eventLog) appendFileSync(flags.eventLog, `${event}\n`);
}

if (flags.grandchild) {
  const child = spawn(process.execPath, ['-e', 'setInterval(()=>{},1000)'], { stdio: 'ignore', detached: false });
  writeFileSync(flags.grandchild, String(child.pid));
  child.unref(); // do not keep this process alive for it; it outlives us on its own
}

if (flags.setsidChild) {
  // detached: setsid(), a new session and process group: signals to the server's group miss it.
  const child = spawn(process.execPath, ['-e', 'process.on("SIGTERM",()=>{});setInterval(()=>{},1000)'], { stdio: 'ignore', detached: true });
  writeFileSync(flags.setsidChild, String(child.pid));
  child.unref();
}

for (let i = 1; i <= flags.stderrLines; i++) process.stderr.write(`fixture stderr line ${i}\n`);
if (flags.echoArgv) process.stderr.write(`fixture argv: ${process.argv.slice(2).join(' ')}\n`);
for (const name of flags.echoEnv) process.stderr.write(`fixture env ${name}=${process.env[name] ?? ''}\n`);

if (flags.crashAtStart) {
  process.stderr.write('fixture: fatal start error\n');
  process.exit(1);
}

if (flags.ignoreSigterm) {
  process.on('SIGTERM', () => {
    logEvent('SIGTERM');
    process.stderr.write('fixture: ignoring SIGTERM\n');
  });
  process.on('SIGINT', () => {
    logEvent('SIGINT');
    process.stderr.write('fixture: ignoring SIGINT\n');
  });
  setInterval(() => {}, 1 << 30); // keep the event loop alive after stdin EOF
}

if (flags.garbageStdout) writeGarbage();

if (flags.slowStartMs > 0) await new Promise((r) => setTimeout(r, flags.slowStartMs));
while (flags.startGate && !existsSync(flags.startGate)) await new Promise((r) => setTimeout(r, 20));

// ---------------------------------------------------------------------------------------------
// Server

server = new Server(
  { name: flags.name, version: '1.0.0' },
  { capabilities: { tools: { listChanged: true }, ...(flags.logTool ? { logging: {} } : {}), ...(flags.resources > 0 ? { resources: {} } : {}) } },
);

if (flags.logTool) {
  server.setRequestHandler(SetLevelRequestSchema, (request) => {
    logLevel = request.params.level;
    process.stderr.write(`fixture: log level set to ${logLevel}\n`);
    return {};
  });
}

if (flags.resources > 0) {
  const all = Array.from({ length: flags.resources }, (_, i) => ({ uri: `fixture://r/${i + 1}`, name: `r${i + 1}`, mimeType: 'text/plain' }));
  server.setRequestHandler(ListResourcesRequestSchema, (request) => {
    const size = flags.pageSize ?? all.length;
    const cursor = request.params?.cursor;
    const offset = cursor === undefined ? 0 : Number(Buffer.from(cursor, 'base64url').toString('utf8').replace('offset:', ''));
    const end = offset + size;
    return end < all.length ? { resources: all.slice(offset, end), nextCursor: Buffer.from(`offset:${end}`).toString('base64url') } : { resources: all.slice(offset) };
  });
  server.setRequestHandler(ReadResourceRequestSchema, (request) => {
    const found = all.find((r) => r.uri === request.params.uri);
    if (!found) throw new McpError(ErrorCode.InvalidParams, `fixture: no resource ${request.params.uri}`);
    return { contents: [{ uri: found.uri, mimeType: 'text/plain', text: `resource ${found.uri.slice('fixture://r/'.length)}` }] };
  });
}

server.setRequestHandler(ListToolsRequestSchema, (request) => {
  const tools = allTools().map((t) => (flags.annotations[t.tool.name] ? { ...t.tool, annotations: flags.annotations[t.tool.name] } : t.tool));
  if (!flags.pageSize) return { tools };
  let offset = 0;
  const cursor = request.params?.cursor;
  if (cursor !== undefined) {
    const match = /^offset:(\d+)$/.exec(Buffer.from(cursor, 'base64url').toString('utf8'));
    if (!match) throw new McpError(ErrorCode.InvalidParams, `fixture: invalid cursor ${cursor}`);
    offset = Number(match[1]);
  }
  const end = offset + flags.pageSize;
  const page = tools.slice(offset, end);
  return end < tools.length
    ? { tools: page, nextCursor: Buffer.from(`offset:${end}`).toString('base64url') }
    : { tools: page };
});

server.setRequestHandler(CallToolRequestSchema, async (request, extra) => {
  const entry = allTools().find((t) => t.tool.name === request.params.name);
  if (!entry) throw new McpError(ErrorCode.InvalidParams, `fixture: unknown tool ${request.params.name}`);
  if (flags.callLog) appendFileSync(flags.callLog, `${request.params.name} ${JSON.stringify(request.params.arguments ?? {})}\n`);
  const result = await entry.handler(request.params.arguments ?? {}, extra as unknown as Extra);
  if (flags.garbageStdout) writeGarbage();
  return result;
});

if (flags.logInitialized) server.oninitialized = () => logEvent('initialized');

const transport = new StdioServerTransport();
await server.connect(transport);

// Observe raw incoming messages (public transport hook, set by connect()) to count cancellations
// and to die during initialize, without replacing the SDK's own handlers.
const sdkOnMessage = transport.onmessage;
transport.onmessage = (message) => {
  const method = (message as { method?: unknown }).method;
  if (method === 'notifications/cancelled') cancelledCount++;
  if (method === 'initialize' && flags.exitDuringInit) {
    process.stderr.write('fixture: exiting during initialize\n');
    process.exit(3);
  }
  if (method === 'initialize' && flags.initError !== undefined) {
    const id = (message as { id: string | number }).id;
    void transport.send({ jsonrpc: '2.0', id, error: { code: ErrorCode.InternalError, message: flags.initError } });
    return;
  }
  sdkOnMessage?.(message);
};

process.stdin.on('end', () => {
  logEvent('stdin-eof');
  if (!flags.ignoreSigterm) process.exit(0);
});
