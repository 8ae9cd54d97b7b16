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
import { untilAborted } from '../abort.js';
import type { AgentEvent, OutputEvent } from '../agent/events.js';
import { errorMessage, SwitchboardError, UserInputError } from '../errors.js';
import type { ChatModel } from '../llm/model.js';
import type { ToolHub } from '../mcp/hub.js';
import { VERSION } from '../version.js';
import type { JsonLinesRenderer } from '../ui/jsonl.js';
import type { TerminalRenderer } from '../ui/terminal.js';
import { checkRecordingFlags, type RecordingFlags } from './recording-flags.js';
import type { Recording } from './recording.js';
import type { LoadedSession } from './resume-session.js';
import { useLineAsker } from '../ui/line-asker.js';
import { hostLog, withSession, type ServerStateEvent } from './session.js';
import { agentLimits, type GlobalFlags } from './settings.js';
import type { CliApprover } from './approval.js';
import type { ApprovalFlags } from './approval-setup.js';
import { styleFor } from '../ui/style.js';
import { runRedactor } from '../policy/secrets.js';

/**
 * What a chat needs beyond its checks, loaded while its servers start (`beforeStart`): the
 * agent, the renderers, the approver; the REPL only for an interactive chat.
 */
async function loadChatModules(interactive: boolean) {
  const [loop, jsonl, terminal, runTurn, approval, approvalSetup, recording, repl] = await Promise.all([
    import('../agent/loop.js'),
    import('../ui/jsonl.js'),
    import('../ui/terminal.js'),
    import('./run-turn.js'),
    import('./approval.js'),
    import('./approval-setup.js'),
    import('./recording.js'),
    interactive ? import('./repl.js') : undefined,
  ]);
  return { ...loop, ...jsonl, ...terminal, ...runTurn, ...approval, ...approvalSetup, ...recording, runRepl: repl?.runRepl };
}

export interface ChatFlags extends GlobalFlags, ApprovalFlags, RecordingFlags {
  prompt?: string;
  json?: boolean;
  /** `--prompt NAME`: a server's prompt is the message (fetched once the servers are up), with `--arg key=value`s. */
  mcpPrompt?: string;
  promptArgs?: string[];
}

export async function chatCommand(flags: ChatFlags, signal: AbortSignal): Promise<number> {
  // `--prompt NAME` only: a server's prompts and resources are not needed otherwise.
  const prompts = flags.mcpPrompt !== undefined ? await import('./prompts.js') : undefined;
  const promptArgs = prompts ? prompts.parsePromptArgs(flags.promptArgs ?? []) : undefined;
  const interactive = flags.prompt === undefined && flags.mcpPrompt === undefined && Boolean(process.stdin.isTTY);
  if (interactive && flags.json) {
    throw new UserInputError('USAGE', '--json needs a prompt: the interactive chat has no JSON output. Give the prompt as an argument (switchboard chat --json "your question") or on stdin.');
  }
  checkRecordingFlags(flags);
  // A session to resume is found and read before the prompt is read and any server starts: a wrong id fails fast.
  const resuming = flags.resume !== undefined ? await import('./resume-session.js') : undefined;
  const loaded: LoadedSession | undefined = resuming && flags.resume !== undefined ? resuming.loadSession(resuming.findResumable(flags.resume)) : undefined;
  const prompt = interactive || promptArgs ? undefined : (flags.prompt ?? (await untilAborted(text(process.stdin), signal)));
  if (prompt !== undefined && prompt.trim() === '') {
    throw new UserInputError('USAGE', 'The prompt is empty. Give one as an argument (switchboard chat "your question") or on stdin.');
  }
  const warn = (message: string) => hostLog(styleFor(process.stderr).yellow(`! ${message}`));
  for (const warning of loaded?.warnings ?? []) warn(warning);
  // Made in `beforeStart`, before the hub connects to any server (so before any server log or state event).
  let json: JsonLinesRenderer | undefined;
  let terminal: TerminalRenderer | undefined;
  let sink: JsonLinesRenderer | TerminalRenderer | undefined;
  let chat!: Awaited<ReturnType<typeof loadChatModules>>;
  let approver: CliApprover | undefined;
  let agent: InstanceType<typeof chat.Agent> | undefined;
  /** The open session recording, while the chat runs (server state changes are recorded in it). */
  let recorded: Recording | undefined;
  const options = {
    needsModel: true,
    announce: interactive || Boolean(flags.verbose),
    signal,
    overlap: true,
    beforeStart: async () => {
      chat = await loadChatModules(interactive);
      // The config is loaded (its secrets are in runRedactor, which withSession hands on as session.redactor).
      const mask = (text: string) => runRedactor.redact(text);
      json = flags.json ? new chat.JsonLinesRenderer(process.stdout, process.stderr, mask) : undefined;
      terminal = json || interactive ? undefined : new chat.TerminalRenderer({ stdout: process.stdout, stderr: process.stderr, verbose: Boolean(flags.verbose), progress: flags.progress !== false, showReasoning: flags.hideReasoning !== true, mask });
      sink = json ?? terminal;
    },
    ...(flags.json || !interactive ? { serverLog: (event: Parameters<NonNullable<typeof sink>['render']>[0]) => sink!.render(event) } : {}),
    // Recorded in the session (a trace shows a crash), and printed with --json.
    serverState: (event: ServerStateEvent) => {
      recorded?.serverState(event);
      json?.render(event);
    },
    // A server's sampling/elicitation request is asked only where a tool call's approval would be (never with --json).
    ...(flags.json ? { canAskUser: false } : {}),
    toolsChanged: (hub: { routes: Parameters<CliApprover['routesChanged']>[0] }) => approver?.routesChanged(hub.routes),
    // A server's sampling request is served with the chat's model: its tokens count in the turn's usage and /usage.
    samplingUsage: (_server: string, usage: { promptTokens: number; completionTokens: number }) => agent?.addSamplingUsage(usage),
  };
  return withSession(flags, options, async (session) => {
    const { hub, model, settings, config, logEvent } = session;
    const { Agent, CliApprover, buildPolicy, canAsk, stdinAsker, runRepl, runTurn } = chat;
    // Asking needs a terminal on stdin and stderr; the REPL asks through its own reader (set there).
    const ask = canAsk(Boolean(flags.json));
    approver = new CliApprover({ policy: buildPolicy(flags, config), out: process.stderr, style: styleFor(process.stderr), hostToolName: () => hub.hostToolName, ...(ask && !interactive ? { asker: stdinAsker } : {}) });
    approver.routesChanged(hub.routes);
    agent = new Agent({ model: model!, tools: hub, approver, ...agentLimits(settings) });
    const changed = loaded && resuming ? resuming.restoreInto(agent, loaded, settings.system) : false;
    const recording = chat.Recording.open(flags, session, agent, loaded ? { loaded, changed } : undefined, warn);
    recorded = recording;
    let failed = false;
    let restoreAsker: (() => void) | undefined;
    try {
      if (interactive) {
        const view = { verbose: settings.verbose, progress: settings.progress, showReasoning: settings.showReasoning };
        return await runRepl!({ agent, hub, settings, recording, warn, view, ...(ask ? { approver } : {}) }, signal);
      }
      // The renderer was made from the flags; the config may hide reasoning.
      if (terminal && !settings.showReasoning) terminal.hideReasoning();
      // A server's question (sampling approval, elicitation) comes while a tool call's spinner runs: it stops for it.
      const screen = terminal;
      if (screen) restoreAsker = useLineAsker(undefined, () => screen.pauseActivity());
      const start = sessionStart(model!, hub, recording.path);
      logEvent(start);
      json?.render(start);
      let stopped: Extract<AgentEvent, { type: 'stopped' }> | undefined;
      const logged = {
        render(event: AgentEvent) {
          if (event.type === 'stopped') stopped = event;
          logEvent(event);
          sink!.render(event);
        },
      };
      try {
        const message = prompts && promptArgs ? await prompts.promptTurn(hub, flags.mcpPrompt!, promptArgs) : prompt!;
        const outcome = await runTurn(agent, message, logged, signal, recording.writer, session.redactor);
        if (outcome === 'answered') return 0;
        // The terminal renderer has shown the stop; a --json run ends with an error event (main.ts).
        if (json) throw new SwitchboardError('TURN_STOPPED', stopped?.message ?? 'The turn ended without an answer.');
        return 1;
      } catch (error) {
        if (signal.aborted) terminal?.interrupted();
        else if (!(error instanceof SwitchboardError && error.code === 'TURN_STOPPED')) terminal?.failed();
        throw error;
      }
    } catch (error) {
      failed = true;
      throw error;
    } finally {
      restoreAsker?.();
      // The picture of a failed run is wanted most; a trace that cannot be written then is
      // only a warning, so the run's own error is the one reported.
      try {
        if (flags.trace !== undefined) await recording.writeTrace(flags.trace);
      } catch (error) {
        if (!failed) throw error;
        warn(errorMessage(error));
      } finally {
        recorded = undefined; // servers closing after this are not recorded
        recording.close();
      }
    }
  });
}

/** The first event of a `--json` chat run: what it runs with, once the servers are up. */
function sessionStart(model: ChatModel, hub: ToolHub, sessionFile: string | undefined): OutputEvent {
  return { type: 'session_start', version: VERSION, model: model.description, servers: hub.servers, toolCount: hub.functionTools.length, ...(sessionFile ? { sessionFile } : {}) };
}
