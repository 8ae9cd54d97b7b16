/**
 * A clear message for arguments the command line does not know: a typo gets a "did you
 * mean", a flag of another command says which command takes it, and text that only looks
 * like a flag (a prompt starting with `-`) is told to go after `--`.
 */
import { closest } from '../config/suggest.js';
import { camelCase, COMMANDS, optionsOf, type CommandName } from './options.js';

const BUILT_IN = ['help', 'version'];

/** One line per unknown flag in `argv` (up to `--`), or undefined when every flag is known. */
export function explainUnknownFlags(argv: readonly string[]): string | undefined {
  const command = Object.hasOwn(COMMANDS, argv[0] ?? '') ? (argv[0] as CommandName) : undefined;
  const table = command ? optionsOf(command) : optionsOf('tools'); // no command: the global flags (tools adds only --json)
  const known = new Set([...BUILT_IN, ...Object.keys(table), ...Object.keys(table).map(camelCase)]);
  const shorts = new Set(['h', ...Object.values(table).flatMap((spec) => ('alias' in spec && spec.alias ? [spec.alias] : []))]);
  const lines: string[] = [];
  for (const token of argv.slice(1)) {
    if (token === '--') break;
    if (!token.startsWith('-') || token === '-') continue;
    if (/^-[^-a-zA-Z]|\s/.test(token)) {
      lines.push(`"${token}" is read as a flag. A prompt that starts with "-" goes after --: switchboard chat -- "${token}"`);
      continue;
    }
    const long = token.startsWith('--');
    const name = token.replace(/^--?/, '').split('=')[0]!;
    if (long ? known.has(name) || (name.startsWith('no-') && known.has(name.slice(3))) : [...name].every((c) => shorts.has(c))) continue;
    const owners = Object.keys(COMMANDS).filter((other) => other !== command && Object.hasOwn(optionsOf(other as CommandName), name));
    if (owners.length > 0 && command) {
      lines.push(`--${name} is not a flag of ${command}: only ${listed(owners)} ${owners.length === 1 ? 'takes' : 'take'} it ("switchboard ${command} --help" lists the flags of ${command}).`);
      continue;
    }
    const suggestion = closest(name, Object.keys(table));
    // A typo of another command's flag (`tools --modle`): said, never offered as if this command took it.
    const near = suggestion || !command ? undefined : closest(name, Object.keys(COMMANDS).flatMap((other) => Object.keys(optionsOf(other as CommandName))));
    if (near && command) {
      const takers = Object.keys(COMMANDS).filter((other) => Object.hasOwn(optionsOf(other as CommandName), near));
      lines.push(`Unknown flag ${token.split('=')[0]}. (--${near} is close, but it is not a flag of ${command}: only ${listed(takers)} ${takers.length === 1 ? 'takes' : 'take'} it.) "switchboard ${command} --help" lists the flags of ${command}.`);
      continue;
    }
    lines.push(`Unknown flag ${token.split('=')[0]}${suggestion ? `; did you mean --${suggestion}?` : '.'}`);
  }
  return lines.length > 0 ? lines.join('\n') : undefined;
}

/** `a`, `a and b`, `a, b and c`. */
function listed(names: readonly string[]): string {
  return names.length > 1 ? `${names.slice(0, -1).join(', ')} and ${names.at(-1)}` : (names[0] ?? '');
}
