/**
 * The fast path of the command line: a plain invocation (a known command, known
 * flags, the right number of positionals) is parsed with `node:util` parseArgs from
 * the table in `options.ts`. yargs takes ~100 ms to load and to render the help it
 * caches on every run; a one-shot `switchboard chat "..."` should not pay that.
 * `--no-x` sets a known flag x to false, as yargs reads it (`--no-cache`, `--no-session`,
 * `--no-progress`: scripts use them on every run). Anything else (--help, --version, an
 * unknown flag, a missing argument, a flag given both ways) returns undefined, and yargs
 * parses it, with its help and error messages.
 */
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { camelCase, COMMANDS, optionsOf, type CommandName, type OptionSpec, type ParsedInvocation } from './options.js';

export function parseCommonInvocation(argv: readonly string[]): ParsedInvocation | undefined {
  const name = argv[0];
  if (!name || !Object.hasOwn(COMMANDS, name)) return undefined;
  if (argv.includes('--')) return undefined; // yargs has its own reading of what follows `--`
  const command = COMMANDS[name as CommandName];
  const table: Record<string, OptionSpec> = optionsOf(name as CommandName);
  const options: NonNullable<ParseArgsConfig['options']> = {};
  for (const [flag, spec] of Object.entries(table)) {
    options[flag] = { type: spec.type === 'boolean' ? 'boolean' : 'string', ...(spec.alias ? { short: spec.alias } : {}), ...(spec.multiple ? { multiple: true } : {}) };
  }
  // Node 20's parseArgs has no negation: `--no-x` of a known flag is an option of its own here,
  // so parseArgs still refuses a value-taking flag left without its value (`--session --no-cache`
  // goes to yargs, as before, instead of `--session` taking the word after `--no-cache`).
  // Number and repeatable flags are left to yargs (it reads `--no-max-steps` as 0, `--no-allow` as [false]).
  const negations = new Map<string, string>();
  for (const [flag, spec] of Object.entries(table)) {
    if (spec.type === 'number' || spec.multiple || Object.hasOwn(table, `no-${flag}`)) continue;
    negations.set(`no-${flag}`, flag);
    options[`no-${flag}`] = { type: 'boolean' };
  }
  let parsed: ReturnType<typeof parseArgs>;
  try {
    parsed = parseArgs({ args: argv.slice(1), options, allowPositionals: true, strict: true });
  } catch {
    return undefined;
  }
  const positionals = parsed.positionals;
  const required = command.positionals.filter((p) => p.required).length;
  if (positionals.length < required || positionals.length > command.positionals.length) return undefined;
  const flags: ParsedInvocation['flags'] = {};
  for (const [flag, value] of Object.entries(parsed.values)) {
    const negated = negations.get(flag);
    if (negated !== undefined) {
      // Given both ways (`--cache --no-cache`), or `--no-x=value`: yargs decides, as it always has.
      if (value !== true || Object.hasOwn(parsed.values, negated)) return undefined;
      flags[camelCase(negated)] = false;
      continue;
    }
    if (Array.isArray(value) && !table[flag]?.multiple) return undefined;
    flags[camelCase(flag)] = Array.isArray(value) ? value.map(String) : value; // numbers stay text here; main.ts checks and converts them
  }
  command.positionals.forEach((positional, i) => {
    if (positionals[i] !== undefined) flags[positional.name] = positionals[i];
  });
  return { command: name as CommandName, flags };
}
