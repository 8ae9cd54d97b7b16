#!/usr/bin/env node
/**
 * The `switchboard` command. yargs wiring, and the ONLY place that prints usage
 * errors and decides the exit code:
 *   0 success, 1 runtime failure, 2 usage or config error, 130 interrupted.
 */
import yargs from 'yargs';
import { hideBin } from 'yargs/helpers';
import { exitCodeFor, ExitCode, SwitchboardError, UserInputError } from '../errors.js';
import { killAllGroupsNow } from '../mcp/stdio-transport.js';
import { VERSION } from '../version.js';
import { callCommand } from './call.js';
import { chatCommand } from './chat.js';
import { installInterruptHandlers } from './interrupt.js';
import { toolsCommand } from './tools.js';

async function main(argv: string[]): Promise<number> {
  const interrupt = new AbortController();
  installInterruptHandlers(interrupt);
  let code: number = ExitCode.ok;
  const parser = yargs(argv)
    .scriptName('switchboard')
    .usage('$0 <command> [options]\n\nAn agent host that bridges MCP servers to LLM function calling.')
    .option('config', { type: 'string', describe: 'Config file (default: ./switchboard.json, else the bundled temperature server)' })
    .option('model', { type: 'string', describe: 'Model id, model name at --endpoint-url, or scripted:PATH (default: moonshotai/Kimi-K2-Thinking)' })
    .option('provider', { type: 'string', describe: 'Inference provider on Hugging Face (default: auto); ignored with --endpoint-url' })
    .option('endpoint-url', { type: 'string', describe: 'Base URL of an OpenAI-compatible server, e.g. http://127.0.0.1:8080/v1' })
    .option('system', { type: 'string', describe: 'System prompt' })
    .option('max-steps', { type: 'number', describe: 'Most model calls per user message (default: 20)' })
    .option('tool-timeout', { type: 'number', describe: 'Seconds a tool call may take (default: 60; a server\'s "timeout" wins)' })
    .option('model-timeout', { type: 'number', describe: 'Seconds a model request may take (default: 120)' })
    .option('retries', { type: 'number', describe: 'Retries of a failed model request (default: 3)' })
    .option('verbose', { type: 'boolean', alias: 'v', describe: 'Show server stderr, model reasoning and step counts' })
    .option('strict', { type: 'boolean', describe: 'Fail when any server fails to start' })
    .command(
      'chat [prompt]',
      'Chat with the agent: one turn with a prompt (or piped stdin), else an interactive session',
      (y) => y.positional('prompt', { type: 'string', describe: 'The message; omit it for a REPL or to read stdin' }).option('json', { type: 'boolean', describe: 'One JSON object per event on stdout' }),
      async (args) => {
        code = await chatCommand(args, interrupt.signal);
      },
    )
    .command(
      'tools',
      'List the tools the model can call',
      (y) => y.option('json', { type: 'boolean', describe: 'Print the exact function schemas sent to the model' }),
      async (args) => {
        code = await toolsCommand(args, interrupt.signal);
      },
    )
    .command(
      'call <tool> [args]',
      'Call one tool directly (no model) and print its result',
      (y) =>
        y
          .positional('tool', { type: 'string', demandOption: true, describe: 'Exposed tool name, as `switchboard tools` lists it' })
          .positional('args', { type: 'string', describe: 'Arguments as a JSON object, e.g. \'{"city": "Paris"}\'' }),
      async (args) => {
        code = await callCommand(args as typeof args & { tool: string }, interrupt.signal);
      },
    )
    .example('$0 chat --model scripted:config/demo.script.json "Weather in SF?"', 'Offline demo: scripted model, bundled temperature server')
    .example('HF_TOKEN=hf_... $0 chat "What is the temperature in Paris?"', 'A real model on Hugging Face Inference Providers')
    .example('$0 chat --endpoint-url http://127.0.0.1:8080/v1 --model local', 'A local OpenAI-compatible server')
    .demandCommand(1, 'Name a command: chat, tools or call.')
    .strict()
    .version(VERSION)
    .help()
    .alias('h', 'help')
    .wrap(Math.min(100, process.stdout.columns || 100))
    .fail((message, error) => {
      if (error) throw error;
      throw new UserInputError('USAGE', `${message}\nRun "switchboard --help" for usage.`);
    });
  await parser.parseAsync();
  return code;
}

function report(error: unknown): number {
  const code = exitCodeFor(error);
  if (code === ExitCode.interrupted) {
    process.stderr.write('Interrupted.\n');
  } else if (error instanceof SwitchboardError) {
    process.stderr.write(`switchboard: ${error.message}\n`);
  } else {
    // Not a user mistake: a bug. Keep the stack, it is what a bug report needs.
    process.stderr.write(`switchboard: unexpected error (please report it):\n${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  }
  return code;
}

// Whatever happens, no server process outlives the host.
process.on('exit', killAllGroupsNow);

let settled = false;
// If the event loop empties while main() is still pending, a promise was never settled:
// a bug, which must not pass for success (exit 0) silently.
process.on('beforeExit', () => {
  if (!settled) {
    process.stderr.write('switchboard: internal error: the command stopped without finishing (please report it)\n');
    process.exit(ExitCode.runtime);
  }
});

main(hideBin(process.argv)).then(
  (code) => {
    settled = true;
    process.exit(code);
  },
  (error: unknown) => {
    settled = true;
    process.exit(report(error));
  },
);
