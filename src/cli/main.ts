#!/usr/bin/env node
/**
 * The `switchboard` command, and the ONLY place that prints errors and decides the
 * exit code: 0 success, 1 runtime failure, 2 usage or config error, 130 interrupted.
 */
import v8 from 'node:v8';
// Only what every command needs is imported here: each command's module (and with it the
// MCP SDK, the model client, the renderers...) is imported when that command runs, so
// `--version` or `call` does not pay for `chat` (test/e2e/module-graph.e2e.test.ts checks).
import { errorMessage, exitCodeFor, ExitCode, SwitchboardError, UserInputError } from '../errors.js';
import { killAllGroupsNow } from '../mcp/server-process.js';
import { parseCommonInvocation } from './fast-parse.js';
import { installInterruptHandlers } from './interrupt.js';
import { splitPromptAfterDoubleDash, type ParsedInvocation } from './options.js';
import { runRedactor } from '../policy/secrets.js';
import { safe } from '../ui/style.js';
import { VERSION } from '../version.js';

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
  // The one answer that needs no parser (yargs takes ~0.1 s to load).
  if (args.length === 1 && args[0] === '--version' && prompt === undefined) {
    process.stdout.write(`${VERSION}\n`);
    return ExitCode.ok;
  }
  const invocation = parseCommonInvocation(args) ?? (await (await import('./yargs-parse.js')).parseWithYargs(args));
  if (!invocation) return ExitCode.ok; // yargs printed --help or --version
  jsonEvents = invocation.command === 'chat' && invocation.flags.json === true;
  if (prompt !== undefined) {
    if (invocation.flags.message !== undefined) {
      throw new UserInputError('USAGE', `Two prompts: "${String(invocation.flags.message)}" before -- and "${prompt}" after it. Everything after -- is the prompt; give it once.`);
    }
    invocation.flags.message = prompt;
  }
  const code = await run(invocation, interrupt.signal);
  // Ctrl+C during the final shutdown still means the run was interrupted (serve: a signal is how it stops, and it drained: 0).
  if (interrupt.signal.aborted && invocation.command !== 'serve') throw new SwitchboardError('INTERRUPTED', 'Interrupted.');
  return code;
}

async function run({ command, flags }: ParsedInvocation, signal: AbortSignal): Promise<number> {
  const { checkGlobalFlags, approvalFlags, promptFlags } = await import('./flag-values.js');
  const global = checkGlobalFlags(flags);
  // One lazily imported module per command.
  switch (command) {
    case 'chat':
      return import('./chat.js').then(({ chatCommand }) =>
        chatCommand(
          { ...global, ...approvalFlags(flags), prompt: optionalString(flags.message), json: flags.json === true, ...promptFlags(flags), session: flags.session === false ? false : optionalString(flags.session), resume: optionalString(flags.resume), trace: optionalString(flags.trace) },
          signal,
        ),
      );
    case 'tools':
      return import('./tools.js').then(({ toolsCommand }) => toolsCommand({ ...global, json: flags.json === true, name: optionalString(flags.name) }, signal));
    case 'call':
      return import('./call.js').then(({ callCommand }) => callCommand({ ...global, tool: String(flags.tool), args: optionalString(flags.args), server: optionalString(flags.server), json: flags.json === true, saveMedia: optionalString(flags.saveMedia) }, signal));
    case 'resources':
      return import('./resources.js').then(({ resourcesCommand }) => resourcesCommand({ ...global, server: optionalString(flags.server), json: flags.json === true }, signal));
    case 'read':
      return import('./resources.js').then(({ readCommand }) => readCommand({ ...global, uri: String(flags.uri), server: optionalString(flags.server), out: optionalString(flags.out) }, signal));
    case 'prompts':
      return import('./prompts.js').then(({ promptsCommand }) => promptsCommand({ ...global, server: optionalString(flags.server), json: flags.json === true }, signal));
    case 'trust':
      return import('./trust.js').then(({ trustCommand }) => trustCommand({ path: optionalString(flags.path), list: flags.list === true, revoke: optionalString(flags.revoke) }));
    case 'sessions':
      return import('./sessions.js').then(({ sessionsCommand }) => sessionsCommand({ json: flags.json === true }));
    case 'doctor':
      return import('./doctor.js').then(({ doctorCommand }) => doctorCommand({ ...global, json: flags.json === true, modelCheck: flags.modelCheck === true }, signal));
    case 'trace':
      return import('./trace.js').then(({ traceCommand }) => traceCommand({ session: String(flags.session) }));
    case 'auth':
      return import('./auth.js').then(({ authCommand }) => authCommand({ ...global, server: optionalString(flags.server), logout: optionalString(flags.logout), status: flags.status === true }, signal));
    case 'serve':
      return import('./serve.js').then(({ serveCommand, serveFlags }) => serveCommand({ ...global, ...approvalFlags(flags), ...serveFlags(flags) }, signal));
  }
}

function optionalString(value: unknown): string | undefined {
  return value === undefined ? undefined : String(value);
}

async function report(error: unknown): Promise<number> {
  const code = exitCodeFor(error);
  if (jsonEvents) {
    const { JsonLinesRenderer } = await import('../ui/jsonl.js');
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
    report(error).then(
      (code) => process.exit(code),
      () => process.exit(exitCodeFor(error)),
    );
  },
);
