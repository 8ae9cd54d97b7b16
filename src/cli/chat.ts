/**
 * `switchboard chat [prompt]`
 * - with a prompt: one turn; progress on stderr, the answer on stdout;
 * - no prompt, stdin a terminal: the REPL;
 * - no prompt, stdin piped: stdin is the prompt.
 * A turn that ends without an answer (max steps, repeated failure) exits 1. An answer the
 * model cut off at its token limit is still an answer (exit 0), with a warning on stderr
 * (`"truncated": true` on the `final` event with --json).
 * With --json, a run that fails ends stdout with an `error` event (code, message, exit
 * code); main.ts still prints the message on stderr and exits with that code.
 */
import { text } from 'node:stream/consumers';
import { Agent } from '../agent/loop.js';
import { untilAborted } from '../abort.js';
import { exitCodeFor, errorMessage, SwitchboardError, UserInputError } from '../errors.js';
import { JsonLinesRenderer } from '../ui/jsonl.js';
import { TerminalRenderer } from '../ui/terminal.js';
import { styleFor } from '../ui/style.js';
import { checkRecordingFlags, findResumable, loadSession, Recording, restoreInto, type LoadedSession, type RecordingFlags } from './recording.js';
import { runRepl } from './repl.js';
import { runTurn } from './run-turn.js';
import { hostLog, withSession } from './session.js';
import type { GlobalFlags } from './settings.js';

export interface ChatFlags extends GlobalFlags, RecordingFlags {
  prompt?: string;
  json?: boolean;
}

export async function chatCommand(flags: ChatFlags, signal: AbortSignal): Promise<number> {
  const json = flags.json ? new JsonLinesRenderer(process.stdout) : undefined;
  try {
    return await chat(flags, json, signal);
  } catch (error) {
    json?.render({
      type: 'error',
      code: error instanceof SwitchboardError ? error.code : 'INTERNAL',
      message: error instanceof SwitchboardError ? error.message : `unexpected error (please report it): ${errorMessage(error)}`,
      exitCode: exitCodeFor(error),
    });
    throw error;
  }
}

async function chat(flags: ChatFlags, json: JsonLinesRenderer | undefined, signal: AbortSignal): Promise<number> {
  const interactive = flags.prompt === undefined && Boolean(process.stdin.isTTY);
  if (interactive && flags.json) {
    throw new UserInputError('USAGE', '--json needs a prompt: the interactive chat has no JSON output. Give the prompt as an argument (switchboard chat --json "your question") or on stdin.');
  }
  checkRecordingFlags(flags);
  // A session to resume is found and read before the prompt is read and any server starts: a wrong id fails fast.
  const loaded: LoadedSession | undefined = flags.resume !== undefined ? loadSession(findResumable(flags.resume)) : undefined;
  const prompt = interactive ? undefined : (flags.prompt ?? (await untilAborted(text(process.stdin), signal)));
  if (prompt !== undefined && prompt.trim() === '') {
    throw new UserInputError('USAGE', 'The prompt is empty. Give one as an argument (switchboard chat "your question") or on stdin.');
  }
  const warn = (message: string) => hostLog(styleFor(process.stderr).yellow(`! ${message}`));
  for (const warning of loaded?.warnings ?? []) warn(warning);
  const terminal = json || interactive ? undefined : new TerminalRenderer({ stdout: process.stdout, stderr: process.stderr, verbose: Boolean(flags.verbose) });
  const sink = json ?? terminal;
  const options = { needsModel: true, announce: interactive || Boolean(flags.verbose), signal, ...(sink ? { serverLog: sink.render.bind(sink) } : {}) };
  return withSession(flags, options, async (session) => {
    const { hub, model, settings } = session;
    const agent = new Agent({ model: model!, tools: hub, system: settings.system, maxSteps: settings.maxSteps, maxContextTokens: settings.maxContextTokens, images: settings.images });
    const changed = loaded ? restoreInto(agent, loaded, settings.system) : false;
    const recording = Recording.open(flags, session, agent, loaded ? { loaded, changed } : undefined, warn);
    let failed = false;
    try {
      if (interactive) return await runRepl({ agent, hub, settings, recording, warn }, signal);
      try {
        const outcome = await runTurn(agent, prompt!, sink!, signal, recording.writer);
        return outcome === 'answered' ? 0 : 1;
      } catch (error) {
        if (signal.aborted) terminal?.interrupted();
        else terminal?.failed();
        throw error;
      }
    } catch (error) {
      failed = true;
      throw error;
    } finally {
      // The picture of a failed run is wanted most; a trace that cannot be written then is
      // only a warning, so the run's own error is the one reported.
      try {
        if (flags.trace !== undefined) recording.writeTrace(flags.trace);
      } catch (error) {
        if (!failed) throw error;
        warn(errorMessage(error));
      } finally {
        recording.close();
      }
    }
  });
}
