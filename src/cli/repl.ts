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
import { runRedactor } from '../policy/secrets.js';
import { oneLine, safe, styleFor } from '../ui/style.js';
import { TerminalRenderer } from '../ui/terminal.js';
import { parseReplInput, REPL_HELP, type ReplCommand } from './repl-commands.js';
import { MessageReader } from './repl-input.js';
import { runTurn } from './run-turn.js';
import { formatToolTable, terminalWidth } from '../ui/tool-table.js';
import type { LineAsker } from '../ui/approval-prompt.js';
import { inputHistoryPath, inputHistorySaver, loadInputHistory } from './input-history.js';
import type { Recording } from './recording.js';
import { resumeSession, saveSession, serversText, sessionsText, switchModel, usageText } from './repl-session-commands.js';
import type { RunSettings } from './settings.js';
import { useLineAsker } from '../ui/line-asker.js';
import { completeMention } from './repl-completion.js';
import { attachMentionedResources, promptCommandTurn, resourcesListing } from './repl-mcp.js';

export interface ReplContext {
  agent: Agent;
  hub: ToolHub;
  settings: RunSettings;
  /** This chat's session file (its writer is undefined with --no-session). */
  recording: Recording;
  warn(message: string): void;
  /** What the terminal shows (verbose, spinners, reasoning). */
  view: { verbose: boolean; progress: boolean; showReasoning: boolean };
  /** When given, asks its approval questions through the REPL's reader (paused for them). */
  approver?: { setAsker(asker: LineAsker | undefined): void };
}

export async function runRepl({ agent, hub, settings, recording, warn, view, approver }: ReplContext, runSignal: AbortSignal): Promise<number> {
  const style = styleFor(process.stderr);
  const renderer = new TerminalRenderer({ stdout: process.stdout, stderr: process.stderr, ...view });
  if (recording.path) process.stderr.write(style.dim(`session: ${recording.path}\n`));
  process.stderr.write(style.dim('Type a message, /help for commands, Ctrl+D to leave.\n'));
  const historyPath = inputHistoryPath();
  let turn: AbortController | undefined;
  let exitCode: number | undefined;
  const reader = new MessageReader({
    input: process.stdin,
    output: process.stdout,
    prompt: style.bold('you> '),
    continuationPrompt: style.dim('...> '),
    onQueued: (text) => renderer.notice(style.dim(`queued: ${oneLine(text, 80)}`)),
    history: loadInputHistory(historyPath),
    onHistory: inputHistorySaver(historyPath, warn),
    complete: (line) => completeMention(hub, line),
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
  // A server's questions (elicitation, sampling approval) are read through the reader, never beside it.
  const restoreAsker = useLineAsker((prompt, signal) => reader.question(prompt, signal), () => renderer.pauseActivity());

  const say = (text: string) => process.stdout.write(`${text}\n`);
  // An error line as one-shot chat shows it (main.ts): the run's secrets masked, made inert.
  const failure = (message: string) => renderer.notice(style.red(`✗ ${safe(runRedactor.redact(message))}`));
  // The agent took the turn back out of the history (see Agent.send): the README tells the user to resend.
  const notKept = (why: string) => renderer.notice(style.yellow(`your message was not kept: ${why}; send it again`));
  const commands: Record<Exclude<ReplCommand, 'exit' | 'resources' | 'prompt'>, (arg: string) => void> = {
    help: () => say(REPL_HELP),
    tools: () => say(formatToolTable(hub, terminalWidth(process.stdout))),
    servers: () => say(serversText(hub.servers)),
    usage: () => say(usageText(agent.usage)),
    model: (id) => say(switchModel(agent, settings, id, recording)),
    sessions: () => say(sessionsText()),
    resume: (id) => {
      const { text, warnings } = resumeSession(agent, settings, id, recording);
      for (const warning of warnings) warn(warning);
      say(text);
    },
    save: (path) => say(saveSession(agent, settings, path, recording)),
    clear: () => {
      // Recorded first: a resume of this file starts after the reset.
      recording.writer?.historyReset();
      agent.clear();
      say('Conversation cleared.');
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
          try {
            commands[parsed.command](parsed.arg ?? '');
          } catch (error) {
            // A user mistake (a wrong id, a path that exists): said, and the chat goes on.
            if (!(error instanceof SwitchboardError)) throw error;
            failure(errorMessage(error));
          }
          continue;
        }
      }
      let text: string;
      try {
        if (parsed.kind === 'command' && parsed.command === 'resources') {
          say(await resourcesListing(hub));
          continue;
        }
        text = parsed.kind === 'command' ? await promptCommandTurn(hub, parsed.args ?? []) : await attachMentionedResources(hub, parsed.text);
      } catch (error) {
        // A user mistake or a server's error (an unknown prompt, a resource it cannot read): shown, and the chat goes on.
        failure(errorMessage(error).replace(/^MCP error -?\d+: /, ''));
        continue;
      }
      turn = new AbortController();
      try {
        await runTurn(agent, text, renderer, turn.signal, recording.writer);
        if (!agent.lastTurnKept) notKept('the model gave no answer');
      } catch (error) {
        renderer.failed(); // the spinner stops, the cursor goes to a fresh line
        if (turn.signal.aborted) {
          const dropped = reader.discardQueued();
          renderer.notice(style.yellow(`■ turn cancelled${dropped.length > 0 ? `; not sent: ${dropped.length} queued message${dropped.length === 1 ? '' : 's'}` : ''}`));
          notKept('the turn was cancelled');
        } else if (error instanceof SwitchboardError && exitCodeFor(error) !== ExitCode.interrupted) {
          failure(errorMessage(error));
          notKept('the turn failed');
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
