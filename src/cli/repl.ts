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
import { oneLine, styleFor } from '../ui/style.js';
import { TerminalRenderer } from '../ui/terminal.js';
import { parseReplInput, REPL_HELP, type ReplCommand } from './repl-commands.js';
import { MessageReader } from './repl-input.js';
import { runTurn } from './run-turn.js';
import { formatToolTable, terminalWidth } from '../ui/tool-table.js';
import { useLineAsker } from '../ui/server-requests-prompt.js';
import { completeMention } from './repl-completion.js';
import { attachMentionedResources, promptCommandTurn, resourcesListing } from './repl-mcp.js';

export async function runRepl(agent: Agent, hub: ToolHub, verbose: boolean, runSignal: AbortSignal): Promise<number> {
  const style = styleFor(process.stderr);
  const renderer = new TerminalRenderer({ stdout: process.stdout, stderr: process.stderr, verbose });
  process.stderr.write(style.dim('Type a message, /help for commands, Ctrl+D to leave.\n'));
  let turn: AbortController | undefined;
  let exitCode: number | undefined;
  const reader = new MessageReader({
    input: process.stdin,
    output: process.stdout,
    prompt: style.bold('you> '),
    continuationPrompt: style.dim('...> '),
    onQueued: (text) => renderer.notice(style.dim(`queued: ${oneLine(text, 80)}`)),
    complete: (line) => completeMention(hub, line),
    onInterrupt: () => {
      if (turn) return turn.abort(new Error('Ctrl+C'));
      if (reader.discardDraft()) return;
      exitCode = ExitCode.interrupted;
      reader.close();
    },
  });
  const onRunAbort = () => {
    turn?.abort(runSignal.reason);
    exitCode ??= ExitCode.interrupted;
    reader.close();
  };
  runSignal.addEventListener('abort', onRunAbort);
  // A server's questions (elicitation, sampling approval) are read through the reader, never beside it.
  const restoreAsker = useLineAsker((prompt, signal) => reader.question(prompt, signal));

  const commands: Record<Exclude<ReplCommand, 'exit' | 'resources' | 'prompt'>, () => void> = {
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
        if (parsed.command !== 'resources' && parsed.command !== 'prompt') {
          commands[parsed.command]();
          continue;
        }
      }
      let text: string;
      try {
        if (parsed.kind === 'command' && parsed.command === 'resources') {
          process.stdout.write(`${await resourcesListing(hub)}\n`);
          continue;
        }
        text = parsed.kind === 'command' ? await promptCommandTurn(hub, parsed.args ?? []) : await attachMentionedResources(hub, parsed.text);
      } catch (error) {
        // A user mistake or a server's error (an unknown prompt, a resource it cannot read): shown, and the chat goes on.
        renderer.notice(style.red(`✗ ${errorMessage(error).replace(/^MCP error -?\d+: /, '')}`));
        continue;
      }
      turn = new AbortController();
      try {
        await runTurn(agent, text, renderer, turn.signal);
      } catch (error) {
        if (turn.signal.aborted) {
          const dropped = reader.discardQueued();
          renderer.notice(style.yellow(`■ turn cancelled${dropped.length > 0 ? `; not sent: ${dropped.length} queued message${dropped.length === 1 ? '' : 's'}` : ''}`));
        } else if (error instanceof SwitchboardError && exitCodeFor(error) !== ExitCode.interrupted) {
          renderer.notice(style.red(`✗ ${errorMessage(error)}`));
        } else throw error;
      } finally {
        turn = undefined;
      }
    }
  } finally {
    runSignal.removeEventListener('abort', onRunAbort);
    restoreAsker();
    reader.close();
  }
  return exitCode ?? ExitCode.ok;
}
