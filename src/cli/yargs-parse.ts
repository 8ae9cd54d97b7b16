/**
 * The full command line parser, yargs, built from the table in `options.ts`: help,
 * --version, usage errors, and every invocation the fast path leaves to it.
 */
import yargs from 'yargs';
import { UserInputError } from '../errors.js';
import { VERSION } from '../version.js';
import { camelCase, COMMANDS, GLOBAL_OPTIONS, optionsOf, type CommandName, type OptionSpec, type ParsedInvocation } from './options.js';
import { explainUnknownFlags } from './unknown-flags.js';

/** Parses `argv`; resolves undefined when yargs answered by itself (--help, --version). */
export async function parseWithYargs(argv: readonly string[]): Promise<ParsedInvocation | undefined> {
  let invocation: ParsedInvocation | undefined;
  let parser = yargs([...argv])
    .scriptName('switchboard')
    .usage('$0 <command> [options]\n\nAn agent host that bridges MCP servers to LLM function calling.')
    // A repeatable flag takes one value per occurrence (never the words after it: the prompt);
    // any other flag given twice: the last one wins, as with the fast path (see lastWins).
    .parserConfiguration({ 'greedy-arrays': false })
    .options(GLOBAL_OPTIONS);
  for (const [name, spec] of Object.entries(COMMANDS)) {
    parser = parser.command(
      spec.usage,
      spec.describe,
      (y) => {
        const options = Object.fromEntries(Object.entries(spec.options).map(([flag, option]) => [flag, 'multiple' in option ? { ...option, array: true } : option]));
        let built = y.options(options);
        for (const positional of spec.positionals) built = built.positional(positional.name, { type: 'string', describe: positional.describe });
        return built;
      },
      (args) => {
        invocation = { command: name as CommandName, flags: lastWins(args as ParsedInvocation['flags'], optionsOf(name as CommandName)) };
      },
    );
  }
  await parser
    .example('$0 chat --model scripted:config/demo.script.json "Weather in SF?"', 'Offline demo: scripted model, bundled temperature server')
    .example('HF_TOKEN=hf_... $0 chat "What is the temperature in Paris?"', 'A real model on Hugging Face Inference Providers')
    .example('$0 chat --endpoint-url http://127.0.0.1:8080/v1 --model local', 'A local OpenAI-compatible server')
    .example('$0 serve', 'An OpenAI-compatible endpoint on http://127.0.0.1:8787/v1 with the configured servers\' tools')
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

/** A flag that is not repeatable but was given twice arrives as a list: keep the last value. */
function lastWins(flags: ParsedInvocation['flags'], table: Record<string, OptionSpec>): ParsedInvocation['flags'] {
  const out: ParsedInvocation['flags'] = { ...flags };
  for (const [key, value] of Object.entries(out)) {
    const spec = table[key] ?? Object.entries(table).find(([flag]) => camelCase(flag) === key)?.[1];
    if (Array.isArray(value) && !spec?.multiple) out[key] = value.at(-1);
  }
  return out;
}

/** yargs' "Unknown argument: modle" made useful: a "did you mean", or where a prompt starting with "-" goes. */
function explain(argv: readonly string[], message: string): string {
  const explained = explainUnknownFlags(argv);
  // yargs may complain of something else first (an unknown flag took the positional as its value: `call --jsn t`).
  if (!message.startsWith('Unknown argument')) return explained ? `${message}\n${explained}` : message;
  if (explained) return explained;
  if (argv[0] === 'chat') return `${message}\nThe prompt is one argument: quote it, or put it after -- (switchboard chat -- "-5 degrees in Paris?").`;
  return message;
}
