/**
 * The interactive chat: one prompt per line, history kept across messages.
 * Commands: /tools, /clear, /help, /exit (or Ctrl+D). Ctrl+C during a turn cancels
 * the turn and returns to the prompt; Ctrl+C at the prompt leaves with exit code 130.
 */
import { createInterface } from 'node:readline';
import type { Agent } from '../agent/loop.js';
import { exitCodeFor, errorMessage, ExitCode, SwitchboardError } from '../errors.js';
import type { ToolHub } from '../mcp/hub.js';
import { styleFor } from '../ui/style.js';
import { TerminalRenderer } from '../ui/terminal.js';
import { runTurn } from './run-turn.js';
import { formatToolTable } from './tools.js';

const HELP = `Commands:
  /tools   list the tools the model can call
  /clear   forget the conversation (keeps the system prompt)
  /help    this help
  /exit    leave (or Ctrl+D)`;

export async function runRepl(agent: Agent, hub: ToolHub, verbose: boolean, runSignal: AbortSignal): Promise<number> {
  const style = styleFor(process.stderr);
  const renderer = new TerminalRenderer({ stdout: process.stdout, stderr: process.stderr, verbose });
  const rl = createInterface({ input: process.stdin, output: process.stdout, terminal: true, historySize: 200 });
  process.stderr.write(style.dim('Type a message, /help for commands, Ctrl+D to leave.\n'));
  let turn: AbortController | undefined;
  let exitCode: number | undefined;
  // readline keeps reading keys during a turn: Ctrl+D then closes it before the next prompt.
  let closed = false;
  const done = new Promise<void>((resolve) => rl.once('close', () => {
    closed = true;
    resolve();
  }));
  rl.on('SIGINT', () => {
    if (turn) {
      turn.abort(new Error('Ctrl+C'));
      return;
    }
    exitCode = ExitCode.interrupted;
    rl.close();
  });
  runSignal.addEventListener('abort', () => {
    turn?.abort(runSignal.reason);
    exitCode ??= ExitCode.interrupted;
    rl.close();
  });

  const ask = () => new Promise<string | undefined>((resolve) => {
    if (closed) return resolve(undefined);
    // Leaving at the prompt (Ctrl+D, Ctrl+C): end its line, so the shell's next output starts afresh.
    const onClose = () => {
      process.stdout.write('\n');
      resolve(undefined);
    };
    rl.once('close', onClose);
    rl.question(style.bold('you> '), (line) => {
      rl.off('close', onClose);
      resolve(line);
    });
  });

  for (;;) {
    const line = await ask();
    if (line === undefined) break;
    const input = line.trim();
    if (!input) continue;
    if (input === '/exit' || input === '/quit') break;
    if (input === '/help') {
      process.stdout.write(`${HELP}\n`);
      continue;
    }
    if (input === '/tools') {
      process.stdout.write(`${formatToolTable(hub)}\n`);
      continue;
    }
    if (input === '/clear') {
      agent.clear();
      process.stdout.write('Conversation cleared.\n');
      continue;
    }
    turn = new AbortController();
    try {
      await runTurn(agent, input, renderer, turn.signal);
    } catch (error) {
      if (turn.signal.aborted) renderer.notice(style.yellow('■ turn cancelled'));
      else if (error instanceof SwitchboardError && exitCodeFor(error) !== ExitCode.interrupted) renderer.notice(style.red(`✗ ${errorMessage(error)}`));
      else throw error;
    } finally {
      turn = undefined;
    }
  }
  if (!closed) rl.close();
  await done;
  return exitCode ?? ExitCode.ok;
}
