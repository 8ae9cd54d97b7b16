/**
 * The two command-line parsers read one table; for every invocation the fast path
 * accepts, it must mean exactly what yargs makes of it, and it must leave everything
 * unusual (help, unknown flags, missing arguments) to yargs.
 */
import { describe, expect, it } from 'vitest';
import { parseCommonInvocation } from '../../src/cli/fast-parse.js';
import type { ParsedInvocation } from '../../src/cli/options.js';
import { parseWithYargs } from '../../src/cli/yargs-parse.js';

/** yargs adds aliases, `$0`, `_` and kebab-case twins; keep the camelCase keys the commands read. */
function meaning(invocation: ParsedInvocation | undefined) {
  if (!invocation) return undefined;
  const flags = Object.fromEntries(
    Object.entries(invocation.flags)
      .filter(([key, value]) => value !== undefined && key !== '_' && key !== '$0' && !key.includes('-') && key.length > 1)
      .map(([key, value]) => [key, String(value)]),
  );
  return { command: invocation.command, flags };
}

describe('command line: fast path and yargs agree', () => {
  it.each([
    [['chat', 'What is the temperature in Paris?']],
    [['chat']],
    [['chat', '--json', '--model', 'scripted:config/demo.script.json', 'Hi there']],
    [['chat', '--endpoint-url', 'http://127.0.0.1:8080/v1', '--model=local', '--max-steps', '5', '-v', 'Hi']],
    [['chat', '--tool-timeout', '2.5', '--model-timeout', '30', '--retries', '0', '--strict', '--system', 'Be brief.', 'Hi']],
    [['tools', '--json']],
    [['tools', '--config', 'x.json', '--verbose']],
    [['call', 'get_temperature', '{"city":"Paris"}']],
    [['call', 'get_temperature']],
    [['chat', '--model', 'a', '--model', 'b', 'x']],
  ])('%j', async (argv) => {
    const fast = parseCommonInvocation(argv);
    expect(fast, 'the fast path takes this invocation').toBeDefined();
    expect(meaning(fast)).toEqual(meaning(await parseWithYargs(argv)));
  });

  it.each([
    [['--help']],
    [['chat', '--help']],
    [['--version']],
    [['chat', '--bogus', 'x']],
    [['chat', 'one', 'two']],
    [['call']],
    [['nope']],
    [[]],
    [['chat', '--no-verbose', 'x']],
    [['chat', '--maxSteps', '3', 'x']],
    [['chat', '--config', 'my config.json', '--', '--not-a-flag']],
  ])('leaves %j to yargs', (argv) => {
    expect(parseCommonInvocation(argv)).toBeUndefined();
  });
});
