/**
 * The full command line parser, yargs, built from the table in `options.ts`: help,
 * --version, usage errors, and every invocation the fast path leaves to it.
 */
import yargs from 'yargs';
import { UserInputError } from '../errors.js';
import { VERSION } from '../version.js';
import { camelCase, COMMANDS, GLOBAL_OPTIONS, repeatedValues, type CommandName, type OptionSpec, type ParsedInvocation } from './options.js';
import { explainUnknownFlags } from './unknown-flags.js';

/** Parses `argv`; resolves undefined when yargs answered by itself (--help, --version). */
export async function parseWithYargs(argv: readonly string[]): Promise<ParsedInvocation | undefined> {
  let invocation: ParsedInvocation | undefined;
  let parser = yargs([...argv])
    .scriptName('switchboard')
    .usage('$0 <command> [options]\n\nAn agent host that bridges MCP servers to LLM function calling.')
    // A flag given twice: the last one wins, as with the fast path (not an array).
    .parserConfiguration({ 'duplicate-arguments-array': false })
    .options(GLOBAL_OPTIONS);
  for (const [name, spec] of Object.entries(COMMANDS)) {
    parser = parser.command(
      spec.usage,
      spec.describe,
      (y) => {
        let built = y.options(spec.options);
        for (const positional of spec.positionals) built = built.positional(positional.name, { type: 'string', describe: positional.describe });
        return built;
      },
      (args) => {
        const flags = args as ParsedInvocation['flags'];
        // A repeatable flag: every value, not only the last (duplicate-arguments-array is off).
        for (const [flag, option] of Object.entries(spec.options as Record<string, OptionSpec>)) {
          if (option.multiple) flags[camelCase(flag)] = repeatedValues(argv, flag);
        }
        invocation = { command: name as CommandName, flags };
      },
    );
  }
  await parser
    .example('$0 chat --model scripted:config/demo.script.json "Weather in SF?"', 'Offline demo: scripted model, bundled temperature server')
    .example('HF_TOKEN=hf_... $0 chat "What is the temperature in Paris?"', 'A real model on Hugging Face Inference Providers')
    .example('$0 chat --endpoint-url http://127.0.0.1:8080/v1 --model local', 'A local OpenAI-compatible server')
    .demandCommand(1, `Name a command: ${Object.keys(COMMANDS).join(', ')}.`)
    .strict()
    .version(VERSION)
    .help()
    .alias('h', 'help')
    .wrap(Math.min(100, process.stdout.columns || 100))
    .fail((message, error) => {
      if (error) throw error;
      throw new UserInputError('USAGE', `${explain(argv, message)}\nRun "switchboard --help" for usage.`);
    })
    .parseAsync();
  return invocation;
}

/** yargs' "Unknown argument: modle" made useful: a "did you mean", or where a prompt starting with "-" goes. */
function explain(argv: readonly string[], message: string): string {
  if (!message.startsWith('Unknown argument')) return message;
  const explained = explainUnknownFlags(argv);
  if (explained) return explained;
  if (argv[0] === 'chat') return `${message}\nThe prompt is one argument: quote it, or put it after -- (switchboard chat -- "-5 degrees in Paris?").`;
  return message;
}
