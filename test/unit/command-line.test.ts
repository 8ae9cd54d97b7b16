/**
 * The two command-line parsers read one table; for every invocation the fast path
 * accepts, it must mean exactly what yargs makes of it, and it must leave everything
 * unusual (help, unknown flags, missing arguments) to yargs.
 */
import { describe, expect, it } from 'vitest';
import { parseCommonInvocation } from '../../src/cli/fast-parse.js';
import { splitPromptAfterDoubleDash, type ParsedInvocation } from '../../src/cli/options.js';
import { explainUnknownFlags } from '../../src/cli/unknown-flags.js';
import { parseWithYargs } from '../../src/cli/yargs-parse.js';

/** yargs adds aliases, `$0`, `_` and kebab-case twins; keep the camelCase keys the commands read. */
function meaning(invocation: ParsedInvocation | undefined) {
  if (!invocation) return undefined;
  const flags = Object.fromEntries(
    Object.entries(invocation.flags)
      .filter(([key, value]) => value !== undefined && key !== '_' && key !== '$0' && !key.includes('-') && key.length > 1)
      .map(([key, value]) => [key, Array.isArray(value) ? value.map(String) : String(value)]),
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
    [['chat', '--allow', 'fs/read_*', '--allow', 'temperature/*', '--deny', 'fs/write_file', 'Hi']],
    [['chat', '--allow=fs/*', '--yes', '--approval', 'auto', 'Hi']],
    [['chat', '-y', '--deny', '*', 'Hi']],
    [['chat', '--progress', '--hide-reasoning', 'x']],
    [['tools', '--progress']],
    [['chat', '--prompt', 'args-prompt', '--arg', 'city=Paris', '--arg=state=TX']],
    [['resources', '--server', 'everything', '--json']],
    [['read', 'demo://resource/x', '--out', 'x.bin']],
    [['prompts']],
    [['chat', '--no-verbose', 'x']],
    [['chat', '--no-cache', '--no-session', '--config', 'x.json', 'Hi']],
    [['tools', '--no-progress']],
    [['call', 'get_temperature', '--no-progress']],
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
    [['chat', '--no-bogus', 'x']],
    [['chat', '--verbose', '--no-verbose', 'x']],
    // A flag that takes a value, left without one before a --no-x: never the word after it.
    [['chat', '--session', '--no-cache', 'hi']],
    [['chat', '--approval', '--no-progress', 'yes']],
    [['chat', '--resume', '--no-session', 'go on']],
    [['chat', '--no-max-steps', 'x']],
    [['chat', '--no-allow', 'x']],
    [['chat', '--no-cache=yes', 'x']],
    [['chat', '--maxSteps', '3', 'x']],
    [['chat', '--config', 'my config.json', '--', '--not-a-flag']],
  ])('leaves %j to yargs', (argv) => {
    expect(parseCommonInvocation(argv)).toBeUndefined();
  });
});

describe('command line: --no-progress', () => {
  it('every command takes it: both parsers read it as progress false', async () => {
    for (const argv of [['chat', '--no-progress', 'x'], ['tools', '--no-progress'], ['call', 'get_temperature', '--no-progress']]) {
      expect(parseCommonInvocation(argv)?.flags.progress, argv.join(' ')).toBe(false);
      expect((await parseWithYargs(argv))?.flags.progress, argv.join(' ')).toBe(false);
    }
  });

  it('--hide-reasoning is a model flag: chat only', async () => {
    await expect(parseWithYargs(['tools', '--hide-reasoning'])).rejects.toThrow(/--hide-reasoning is not a flag of tools/);
  });
});

describe('command line: a repeatable flag', () => {
  it('--arg keeps every value, in order, on both paths (yargs alone keeps only the last)', async () => {
    const argv = ['chat', '--prompt', 'p', '--arg', 'a=1', '--arg=b=2', '--arg', 'c=3'];
    expect(parseCommonInvocation(argv)?.flags.arg).toEqual(['a=1', 'b=2', 'c=3']);
    // yargs reads the same (through the option table's coerce), with --no-verbose too.
    expect((await parseWithYargs([...argv, '--no-verbose']))?.flags.arg).toEqual(['a=1', 'b=2', 'c=3']);
    expect((await parseWithYargs(['chat', '--no-verbose', 'x']))?.flags.arg).toBeUndefined();
  });
});

describe('command line: flags per command, --, unknown flags', () => {
  it('chat takes the model flags; tools and call do not (both parsers)', async () => {
    expect(parseCommonInvocation(['tools', '--model', 'x'])).toBeUndefined();
    await expect(parseWithYargs(['tools', '--model', 'x'])).rejects.toThrow(/--model is not a flag of tools: only chat, doctor and serve take it/);
    await expect(parseWithYargs(['call', 'get_temperature', '--max-steps', '2'])).rejects.toThrow(/--max-steps is not a flag of call/);
    expect(parseCommonInvocation(['tools', '--tool-timeout', '5', '--strict'])).toBeDefined();
  });

  it('doctor takes the model flags that set the model up, not those of a conversation (both parsers)', async () => {
    const argv = ['doctor', '--model', 'm', '--endpoint-url', 'http://127.0.0.1:1/v1', '--api-key-env', 'K', '--model-timeout', '5', '--retries', '0', '--allow-insecure-endpoint', '--model-check'];
    expect(parseCommonInvocation(argv)?.flags).toMatchObject({ model: 'm', retries: '0', modelCheck: true });
    expect((await parseWithYargs(argv))?.flags).toMatchObject({ model: 'm', retries: 0, modelCheck: true });
    for (const flag of ['--system', '--max-steps', '--hide-reasoning']) {
      const args = flag === '--hide-reasoning' ? ['doctor', flag] : ['doctor', flag, '1'];
      expect(parseCommonInvocation(args)).toBeUndefined();
      await expect(parseWithYargs(args)).rejects.toThrow(new RegExp(`${flag} is not a flag of doctor: only chat and serve take it`));
    }
  });

  it('a typo of a flag gets a hint under every command, naming only what that command takes', async () => {
    await expect(parseWithYargs(['tools', '--jsn'])).rejects.toThrow(/Unknown flag --jsn; did you mean --json\?/);
    // --model is close, but tools does not take it: never offered as a flag of tools.
    const error = await parseWithYargs(['tools', '--modle', 'x']).catch((e: Error) => e);
    expect(String(error)).toMatch(/Unknown flag --modle\. \(--model is close, but it is not a flag of tools: only chat, doctor and serve take it\.\)/);
    expect(String(error)).not.toMatch(/did you mean/);
    // yargs complains of the missing positional first (the typo took it as its value): the hint still comes.
    await expect(parseWithYargs(['call', '--jsn', 'get_temperature'])).rejects.toThrow(/Unknown flag --jsn; did you mean --json\?/);
    await expect(parseWithYargs(['chat', '--modle', 'x'])).rejects.toThrow(/Unknown flag --modle; did you mean --model\?/);
  });

  it('repeatable flags keep every value in order (never the message after them); other flags keep the last', async () => {
    const argv = ['chat', '--allow', 'a/*', '--model', 'x', '--allow', 'b/*', '--model', 'y', 'the prompt'];
    for (const invocation of [parseCommonInvocation(argv), await parseWithYargs(argv)]) {
      expect(invocation?.flags).toMatchObject({ allow: ['a/*', 'b/*'], model: 'y', message: 'the prompt' });
    }
    expect((await parseWithYargs(['chat', '--deny', 'x', 'hi']))?.flags).toMatchObject({ deny: ['x'], message: 'hi' });
    expect(parseCommonInvocation(['tools', '--allow', 'x'])).toBeUndefined();
  });

  it('everything after -- in chat is the prompt', () => {
    expect(splitPromptAfterDoubleDash(['chat', '--json', '--', '-5', 'degrees'])).toEqual({ argv: ['chat', '--json'], prompt: '-5 degrees' });
    expect(splitPromptAfterDoubleDash(['chat', '--'])).toEqual({ argv: ['chat'] });
    expect(splitPromptAfterDoubleDash(['call', 'x', '--', 'y'])).toEqual({ argv: ['call', 'x', '--', 'y'] });
  });

  it('explains unknown flags: did you mean, and where a prompt starting with - goes', () => {
    expect(explainUnknownFlags(['chat', '--modle', 'x', 'hi'])).toBe('Unknown flag --modle; did you mean --model?');
    expect(explainUnknownFlags(['tools', '--max_steps=3'])).toMatch(/--max_steps is not a flag of tools|Unknown flag --max_steps/);
    expect(explainUnknownFlags(['chat', '-5 degrees in Paris?'])).toMatch(/after --: switchboard chat -- "-5 degrees in Paris\?"/);
    expect(explainUnknownFlags(['chat', '--zzzzzz'])).toBe('Unknown flag --zzzzzz.');
    expect(explainUnknownFlags(['chat', '-v', '--no-strict', '--max-steps=3', 'hi'])).toBeUndefined();
  });
});
