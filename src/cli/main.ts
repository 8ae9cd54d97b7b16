#!/usr/bin/env node
/**
 * The `switchboard` command, and the ONLY place that prints errors and decides the
 * exit code: 0 success, 1 runtime failure, 2 usage or config error, 130 interrupted.
 */
import v8 from 'node:v8';
import { errorMessage, exitCodeFor, ExitCode, SwitchboardError, UserInputError } from '../errors.js';
import { JsonLinesRenderer } from '../ui/jsonl.js';
import { LOG_LEVELS, LogLevelSchema, type LogLevel } from '../log/logger.js';
import { killAllGroupsNow } from '../mcp/stdio-transport.js';
import { approvalMode, type ApprovalFlags } from './approval-setup.js';
import { callCommand } from './call.js';
import { chatCommand } from './chat.js';
import { HTTP_URL_RULE, isHttpUrl, SECONDS_RULE, secondsSchema } from '../config/values.js';
import { parseCommonInvocation } from './fast-parse.js';
import { installInterruptHandlers } from './interrupt.js';
import { splitPromptAfterDoubleDash, type ParsedFlags, type ParsedInvocation } from './options.js';
import { toolsCommand } from './tools.js';
import { trustCommand } from './trust.js';
import { authCommand } from './auth.js';
import { runRedactor } from '../policy/secrets.js';
import { safe } from '../ui/style.js';

// fetch's HTTP parser is WebAssembly; V8's optimizing tier-up of it runs on a
// background thread that delays process exit by ~50 ms after a one-shot answer and
// competes with the servers for the CPU. The baseline compiler is fast enough here.
v8.setFlagsFromString('--liftoff-only');

/**
 * Set as soon as the command line says `chat --json`: from then on a failure, however early
 * (a bad flag included), ends stdout with one `error` event (see `report`).
 */
let jsonEvents = false;

async function main(argv: string[]): Promise<number> {
  const interrupt = new AbortController();
  installInterruptHandlers(interrupt);
  const { argv: args, prompt } = splitPromptAfterDoubleDash(argv);
  // Read before parsing, so a flag that does not parse still gets its JSON error line.
  jsonEvents = args[0] === 'chat' && args.slice(1, args.includes('--') ? args.indexOf('--') : undefined).some((arg) => arg === '--json' || arg === '--json=true');
  const invocation = parseCommonInvocation(args) ?? (await (await import('./yargs-parse.js')).parseWithYargs(args));
  if (!invocation) return ExitCode.ok; // yargs printed --help or --version
  jsonEvents = invocation.command === 'chat' && invocation.flags.json === true;
  if (prompt !== undefined) {
    if (invocation.flags.prompt !== undefined) {
      throw new UserInputError('USAGE', `Two prompts: "${String(invocation.flags.prompt)}" before -- and "${prompt}" after it. Everything after -- is the prompt; give it once.`);
    }
    invocation.flags.prompt = prompt;
  }
  const code = await run(invocation, interrupt.signal);
  // Ctrl+C during the final shutdown still means the run was interrupted (serve: a signal is how it stops, and it drained: 0).
  if (interrupt.signal.aborted && invocation.command !== 'serve') throw new SwitchboardError('INTERRUPTED', 'Interrupted.');
  return code;
}

function run({ command, flags }: ParsedInvocation, signal: AbortSignal): Promise<number> {
  const global = checkGlobalFlags(flags);
  switch (command) {
    case 'chat':
      return chatCommand(
        { ...global, ...approvalFlags(flags), prompt: optionalString(flags.prompt), json: flags.json === true, session: flags.session === false ? false : optionalString(flags.session), resume: optionalString(flags.resume), trace: optionalString(flags.trace) },
        signal,
      );
    case 'tools':
      return toolsCommand({ ...global, json: flags.json === true, name: optionalString(flags.name) }, signal);
    case 'call':
      return callCommand({ ...global, tool: String(flags.tool), args: optionalString(flags.args), server: optionalString(flags.server), json: flags.json === true, saveMedia: optionalString(flags.saveMedia) }, signal);
    case 'trust':
      return trustCommand({ path: optionalString(flags.path), list: flags.list === true, revoke: optionalString(flags.revoke) });
    // Loaded on demand: chat's cold start should not pay for them.
    case 'sessions':
      return import('./sessions.js').then(({ sessionsCommand }) => sessionsCommand({ json: flags.json === true }));
    case 'doctor':
      return import('./doctor.js').then(({ doctorCommand }) => doctorCommand({ ...global, json: flags.json === true, modelCheck: flags.modelCheck === true }, signal));
    case 'trace':
      return import('./trace.js').then(({ traceCommand }) => traceCommand({ session: String(flags.session) }));
    case 'auth':
      return authCommand({ ...global, server: optionalString(flags.server), logout: optionalString(flags.logout), status: flags.status === true }, signal);
    case 'serve':
      return import('./serve.js').then(({ serveCommand, serveFlags }) => serveCommand({ ...global, ...approvalFlags(flags), ...serveFlags(flags) }, signal));
  }
}

/** Types and ranges of the global flags, whichever parser read them. */
function checkGlobalFlags(flags: ParsedFlags) {
  const number = (name: string, flag: string, min: number, integer: boolean): number | undefined => {
    const value = flags[name];
    if (value === undefined) return undefined;
    const n = Number(value);
    if (!Number.isFinite(n) || n < min || (integer && !Number.isInteger(n))) {
      throw new UserInputError('USAGE', `--${flag} must be ${integer ? 'a whole number' : 'a number'} of at least ${min}, not "${String(value)}".`);
    }
    return n;
  };
  // Durations: the same rule as in the config file (config/values.ts).
  const seconds = (name: string, flag: string): number | undefined => {
    const value = flags[name];
    if (value === undefined) return undefined;
    const parsed = secondsSchema.safeParse(Number(value));
    if (!parsed.success) throw new UserInputError('USAGE', `--${flag} must be ${SECONDS_RULE}, not "${String(value)}".`);
    return parsed.data;
  };
  return {
    config: optionalString(flags.config),
    model: optionalString(flags.model),
    provider: optionalString(flags.provider),
    endpointUrl: url(flags.endpointUrl),
    apiKeyEnv: variableName(flags.apiKeyEnv),
    system: optionalString(flags.system),
    maxSteps: number('maxSteps', 'max-steps', 1, true),
    toolTimeout: seconds('toolTimeout', 'tool-timeout'),
    modelTimeout: seconds('modelTimeout', 'model-timeout'),
    retries: number('retries', 'retries', 0, true),
    verbose: flags.verbose === true,
    strict: flags.strict === true,
    cache: flags.cache === false ? false : undefined,
    allowInsecureEndpoint: flags.allowInsecureEndpoint === true ? true : undefined,
    logFile: nonEmpty(flags.logFile, '--log-file needs a path, e.g. --log-file switchboard.log.'),
    logLevel: logLevel(flags.logLevel),
    ...(flags.progress === false ? { progress: false } : {}),
    ...(flags.hideReasoning === true ? { hideReasoning: true } : {}),
  };
}

/** `--allow`, `--deny` (lists), `--yes`, `--approval` (chat). */
function approvalFlags(flags: ParsedFlags): ApprovalFlags {
  const globs = (name: 'allow' | 'deny'): string[] | undefined => {
    const value = flags[name];
    if (value === undefined) return undefined;
    const list = (Array.isArray(value) ? value : [value]).map(String);
    if (list.some((glob) => glob.trim() === '')) throw new UserInputError('USAGE', `--${name} needs a glob over server/tool, such as --${name} "filesystem/write_file" or --${name} "temperature/*".`);
    return list;
  };
  const mode = approvalMode(flags.approval, flags.yes === true);
  const allow = globs('allow');
  const deny = globs('deny');
  return { ...(allow ? { allow } : {}), ...(deny ? { deny } : {}), ...(mode ? { approval: mode } : {}) };
}

/** The same rule as `endpointUrl` in the config file (config/values.ts). */
function url(value: unknown): string | undefined {
  if (value === undefined) return undefined;
  const text = String(value);
  if (isHttpUrl(text)) return text;
  throw new UserInputError('USAGE', `--endpoint-url must be ${HTTP_URL_RULE}, not "${text}".`);
}

/** --api-key-env takes the variable's name, not its value. */
function variableName(value: unknown): string | undefined {
  if (value === undefined) return undefined;
  const text = String(value);
  if (/^[A-Za-z_][A-Za-z0-9_]*$/.test(text)) return text;
  if (!text) throw new UserInputError('USAGE', '--api-key-env needs the NAME of an environment variable, such as MY_API_KEY.');
  throw new UserInputError('USAGE', `--api-key-env takes the NAME of an environment variable, such as MY_API_KEY, not "${text.length > 12 ? `${text.slice(0, 4)}...` : text}".`);
}

function logLevel(value: unknown): LogLevel | undefined {
  if (value === undefined) return undefined;
  const parsed = LogLevelSchema.safeParse(String(value));
  if (parsed.success) return parsed.data;
  throw new UserInputError('USAGE', `--log-level must be one of ${LOG_LEVELS.join(', ')}, not "${String(value)}".`);
}

function nonEmpty(value: unknown, problem: string): string | undefined {
  if (value === undefined) return undefined;
  if (String(value).trim() === '') throw new UserInputError('USAGE', problem);
  return String(value);
}

function optionalString(value: unknown): string | undefined {
  return value === undefined ? undefined : String(value);
}

function report(error: unknown): number {
  const code = exitCodeFor(error);
  if (jsonEvents) {
    new JsonLinesRenderer(process.stdout).render({
      type: 'error',
      code: error instanceof SwitchboardError ? error.code : 'INTERNAL',
      message: error instanceof SwitchboardError ? error.message : `unexpected error (please report it): ${errorMessage(error)}`,
      exitCode: code,
    });
  }
  if (code === ExitCode.interrupted) {
    process.stderr.write('Interrupted.\n');
  } else if (error instanceof SwitchboardError) {
    // Error messages may quote a server or the model: made terminal-safe.
    process.stderr.write(`switchboard: ${safe(runRedactor.redact(error.message))}\n`);
  } else {
    // Not a user mistake: a bug. Keep the stack, it is what a bug report needs (secrets masked).
    process.stderr.write(`switchboard: unexpected error (please report it):\n${safe(runRedactor.redact(error instanceof Error ? (error.stack ?? error.message) : String(error)))}\n`);
  }
  return code;
}

// Whatever happens, no server process outlives the host.
process.on('exit', killAllGroupsNow);

// A reader that closed stdout early (`switchboard call ... | head -c1`) has all it wants:
// end quietly (the 'exit' handler above still stops the servers) instead of an EPIPE stack trace.
process.stdout.on('error', (error: NodeJS.ErrnoException) => {
  if (error.code === 'EPIPE') process.exit(ExitCode.ok);
  throw error;
});

let settled = false;
// If the event loop empties while main() is still pending, a promise was never settled:
// a bug, which must not pass for success (exit 0) silently.
process.on('beforeExit', () => {
  if (!settled) {
    process.stderr.write('switchboard: internal error: the command stopped without finishing (please report it)\n');
    process.exit(ExitCode.runtime);
  }
});

main(process.argv.slice(2)).then(
  (code) => {
    settled = true;
    process.exit(code);
  },
  (error: unknown) => {
    settled = true;
    process.exit(report(error));
  },
);
