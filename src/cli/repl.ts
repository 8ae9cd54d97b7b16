/**
 * The interactive chat: one message at a time, history kept across messages.
 * What counts as a command is in `repl-commands.ts`; how lines, pastes and type-ahead become
 * messages is in `repl-input.ts`. Ctrl+C during a turn cancels the turn and the messages
 * queued behind it and returns to the prompt; Ctrl+C at the prompt clears what is typed,
 * and at an empty prompt leaves with exit code 130.
 */
import type { Agent } from '../agent/loop.js';
import { exitCodeFor, errorMessage, ExitCode, SwitchboardError } from '../errors.js';
import type { ToolHub } from '../mcp/hub.js';
import { oneLine, safe, styleFor } from '../ui/style.js';
import { TerminalRenderer } from '../ui/terminal.js';
import { parseReplInput, REPL_HELP, type ReplCommand } from './repl-commands.js';
import { MessageReader } from './repl-input.js';
import { runTurn } from './run-turn.js';
import { formatToolTable, terminalWidth } from '../ui/tool-table.js';
import type { LineAsker } from '../ui/approval-prompt.js';

/** `approver`, when given, asks its questions through the REPL's reader (paused for them). */
export async function runRepl(agent: Agent, hub: ToolHub, view: { verbose: boolean; progress: boolean; showReasoning: boolean }, runSignal: AbortSignal, approver?: { setAsker(asker: LineAsker | undefined): void }): Promise<number> {
  const style = styleFor(process.stderr);
  const renderer = new TerminalRenderer({ stdout: process.stdout, stderr: process.stderr, ...view });
  process.stderr.write(style.dim('Type a message, /help for commands, Ctrl+D to leave.\n'));
  let turn: AbortController | undefined;
  let exitCode: number | undefined;
  const reader = new MessageReader({
    input: process.stdin,
    output: process.stdout,
    prompt: style.bold('you> '),
    continuationPrompt: style.dim('...> '),
    onQueued: (text) => renderer.notice(style.dim(`queued: ${oneLine(text, 80)}`)),
    onInterrupt: () => {
      if (turn) return turn.abort(new Error('Ctrl+C'));
      if (reader.discardDraft()) return;
      exitCode = ExitCode.interrupted;
      reader.close();
    },
  });
  approver?.setAsker((prompt, signal) => reader.question(prompt, signal));
  const onRunAbort = () => {
    turn?.abort(runSignal.reason);
    exitCode ??= ExitCode.interrupted;
    reader.close();
  };
  runSignal.addEventListener('abort', onRunAbort);

  const commands: Record<Exclude<ReplCommand, 'exit'>, () => void> = {
    help: () => process.stdout.write(`${REPL_HELP}\n`),
    tools: () => process.stdout.write(`${formatToolTable(hub, terminalWidth(process.stdout))}\n`),
    clear: () => {
      agent.clear();
      process.stdout.write('Conversation cleared.\n');
    },
  };

  try {
    while (exitCode === undefined) {
      const input = (await reader.next())?.trim();
      if (input === undefined) break;
      if (!input) continue;
      const parsed = parseReplInput(input);
      if (parsed.kind === 'error') {
        renderer.notice(style.red(`✗ ${parsed.message}`));
        continue;
      }
      if (parsed.kind === 'command') {
        if (parsed.command === 'exit') break;
        commands[parsed.command]();
        continue;
      }
      turn = new AbortController();
      try {
        await runTurn(agent, parsed.text, renderer, turn.signal);
      } catch (error) {
        renderer.failed(); // the spinner stops, the cursor goes to a fresh line
        if (turn.signal.aborted) {
          const dropped = reader.discardQueued();
          renderer.notice(style.yellow(`■ turn cancelled${dropped.length > 0 ? `; not sent: ${dropped.length} queued message${dropped.length === 1 ? '' : 's'}` : ''}`));
        } else if (error instanceof SwitchboardError && exitCodeFor(error) !== ExitCode.interrupted) {
          renderer.notice(style.red(`✗ ${safe(errorMessage(error))}`));
        } else throw error;
      } finally {
        turn = undefined;
      }
    }
  } finally {
    runSignal.removeEventListener('abort', onRunAbort);
    reader.close();
  }
  return exitCode ?? ExitCode.ok;
}
