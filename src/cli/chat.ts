/**
 * `switchboard chat [prompt]`
 * - with a prompt: one turn; progress on stderr, the answer on stdout;
 * - no prompt, stdin a terminal: the REPL;
 * - no prompt, stdin piped: stdin is the prompt.
 * A turn that ends without an answer (max steps, repeated failure) exits 1. An answer the
 * model cut off at its token limit is still an answer (exit 0), with a warning on stderr
 * (`"truncated": true` on the `final` event with --json).
 * With --json, a run that fails ends stdout with an `error` event (code, message, exit
 * code): main.ts writes it, for failures here and before (bad flags) alike; a turn that
 * stopped without an answer is thrown as TURN_STOPPED so it gets one too.
 */
import { text } from 'node:stream/consumers';
import { Agent } from '../agent/loop.js';
import { untilAborted } from '../abort.js';
import type { AgentEvent, OutputEvent } from '../agent/events.js';
import { SwitchboardError, UserInputError } from '../errors.js';
import type { ChatModel } from '../llm/model.js';
import type { ToolHub } from '../mcp/hub.js';
import { VERSION } from '../version.js';
import { JsonLinesRenderer } from '../ui/jsonl.js';
import { TerminalRenderer } from '../ui/terminal.js';
import { parsePromptArgs, promptTurn } from './prompts.js';
import { runRepl } from './repl.js';
import { runTurn } from './run-turn.js';
import { withSession } from './session.js';
import type { GlobalFlags } from './settings.js';

export interface ChatFlags extends GlobalFlags {
  prompt?: string;
  json?: boolean;
  /** `--prompt NAME`: a server's prompt is the message (fetched once the servers are up), with `--arg key=value`s. */
  mcpPrompt?: string;
  promptArgs?: string[];
}

export async function chatCommand(flags: ChatFlags, signal: AbortSignal): Promise<number> {
  const json = flags.json ? new JsonLinesRenderer(process.stdout) : undefined;
  const promptArgs = flags.mcpPrompt !== undefined ? parsePromptArgs(flags.promptArgs ?? []) : undefined;
  const interactive = flags.prompt === undefined && flags.mcpPrompt === undefined && Boolean(process.stdin.isTTY);
  if (interactive && flags.json) {
    throw new UserInputError('USAGE', '--json needs a prompt: the interactive chat has no JSON output. Give the prompt as an argument (switchboard chat --json "your question") or on stdin.');
  }
  const prompt = interactive || promptArgs ? undefined : (flags.prompt ?? (await untilAborted(text(process.stdin), signal)));
  if (prompt !== undefined && prompt.trim() === '') {
    throw new UserInputError('USAGE', 'The prompt is empty. Give one as an argument (switchboard chat "your question") or on stdin.');
  }
  const terminal = json || interactive ? undefined : new TerminalRenderer({ stdout: process.stdout, stderr: process.stderr, verbose: Boolean(flags.verbose) });
  const sink = json ?? terminal;
  const options = { needsModel: true, announce: interactive || Boolean(flags.verbose), signal, ...(sink ? { serverLog: sink.render.bind(sink) } : {}), ...(json ? { serverState: json.render.bind(json) } : {}) };
  return withSession(flags, options, async ({ hub, model, settings, logEvent }) => {
    const agent = new Agent({ model: model!, tools: hub, system: settings.system, maxSteps: settings.maxSteps, maxContextTokens: settings.maxContextTokens, images: settings.images });
    if (interactive) return runRepl(agent, hub, settings.verbose, signal);
    const start = sessionStart(model!, hub);
    logEvent(start);
    json?.render(start);
    let stopped: Extract<AgentEvent, { type: 'stopped' }> | undefined;
    const recording = {
      render(event: AgentEvent) {
        if (event.type === 'stopped') stopped = event;
        logEvent(event);
        sink!.render(event);
      },
    };
    try {
      const message = promptArgs ? await promptTurn(hub, flags.mcpPrompt!, promptArgs) : prompt!;
      const outcome = await runTurn(agent, message, recording, signal);
      if (outcome === 'answered') return 0;
      // The terminal renderer has shown the stop; a --json run ends with an error event (main.ts).
      if (json) throw new SwitchboardError('TURN_STOPPED', stopped?.message ?? 'The turn ended without an answer.');
      return 1;
    } catch (error) {
      if (signal.aborted) terminal?.interrupted();
      else terminal?.failed();
      throw error;
    }
  });
}

/** The first event of a `--json` chat run: what it runs with, once the servers are up. */
function sessionStart(model: ChatModel, hub: ToolHub): OutputEvent {
  return { type: 'session_start', version: VERSION, model: model.description, servers: hub.servers, toolCount: hub.functionTools.length };
}
