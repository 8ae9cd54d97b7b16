/**
 * What a message typed in the interactive chat means (src/cli/repl-commands.ts): the cases
 * the end-to-end test does not type.
 */
import { describe, expect, it } from 'vitest';
import { parseReplInput, REPL_COMMANDS, REPL_HELP } from '../../src/cli/repl-commands.js';

describe('parseReplInput', () => {
  it('reads every command and alias, in any case', () => {
    for (const command of REPL_COMMANDS.filter((c) => c.arg === undefined)) {
      for (const name of [command.name, ...command.aliases]) {
        expect(parseReplInput(`/${name}`)).toEqual({ kind: 'command', command: command.name });
        expect(parseReplInput(`/${name.toUpperCase()}`)).toEqual({ kind: 'command', command: command.name });
      }
    }
  });

  it('/prompt takes its words as arguments; the others take none', () => {
    expect(parseReplInput('/prompt args-prompt city=Paris state=TX')).toEqual({ kind: 'command', command: 'prompt', args: ['args-prompt', 'city=Paris', 'state=TX'] });
    expect(parseReplInput('/resources now').kind).toBe('error');
  });

  it('refuses an unknown command and says where the list is and how to send a leading /', () => {
    const parsed = parseReplInput('/etc/hosts is empty');
    expect(parsed.kind).toBe('error');
    expect(parsed.kind === 'error' && parsed.message).toMatch(/unknown command \/etc\/hosts; \/help lists them.*\/\//);
  });

  it('refuses arguments to a command, on the same line or the next', () => {
    expect(parseReplInput('/tools all')).toEqual({ kind: 'error', message: '/tools takes no arguments; type it alone' });
    expect(parseReplInput('/clear\nand more')).toEqual({ kind: 'error', message: '/clear takes no arguments; type it alone' });
  });

  it('reads the one argument of /model, /resume and /save (the rest of the line), and says when it is missing', () => {
    expect(parseReplInput('/model Qwen/Qwen3-8B')).toEqual({ kind: 'command', command: 'model', arg: 'Qwen/Qwen3-8B' });
    expect(parseReplInput('/save  my notes/chat 1.jsonl ')).toEqual({ kind: 'command', command: 'save', arg: 'my notes/chat 1.jsonl' });
    expect(parseReplInput('/RESUME abc')).toEqual({ kind: 'command', command: 'resume', arg: 'abc' });
    expect(parseReplInput('/model')).toEqual({ kind: 'error', message: '/model needs an id: /model ID' });
    expect(parseReplInput('/save')).toEqual({ kind: 'error', message: '/save needs a path: /save PATH' });
  });

  it('sends // with one slash removed, and a slash not followed by a letter as it is', () => {
    expect(parseReplInput('//tools is a command')).toEqual({ kind: 'message', text: '/tools is a command' });
    expect(parseReplInput('/ divided by two')).toEqual({ kind: 'message', text: '/ divided by two' });
    expect(parseReplInput('/5 of them')).toEqual({ kind: 'message', text: '/5 of them' });
    expect(parseReplInput('a /tools mention')).toEqual({ kind: 'message', text: 'a /tools mention' });
  });

  it('/help lists every command and alias', () => {
    for (const command of REPL_COMMANDS) for (const name of [command.name, ...command.aliases]) expect(REPL_HELP).toContain(`/${name}`);
  });
});
