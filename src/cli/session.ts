/**
 * A run's shared setup and teardown: config, model, servers; and the guarantee that
 * every server (and its process tree) is closed however the run ends.
 */
import type { HostEvent, OutputEvent } from '../agent/events.js';
import { levelOf } from '../log/event-level.js';
import { FileLogger, NO_LOG, type Logger } from '../log/logger.js';
import { redactKeys } from '../log/redact-keys.js';
import type { LoadedConfig } from '../config/schema.js';
import { SwitchboardError } from '../errors.js';
import type { ChatModel } from '../llm/model.js';
import { ToolHub } from '../mcp/hub.js';
import { untilAborted } from '../abort.js';
import { formatServerLog, type ServerLogEvent } from '../ui/server-log.js';
import { styleFor } from '../ui/style.js';
import { runRedactor } from '../policy/secrets.js';
import { loadConfigForRun } from './config-loader.js';
import { createModel } from './model-factory.js';
import { clientRequests } from './client-requests.js';
import { resolveSettings, type GlobalFlags, type RunSettings } from './settings.js';

export interface Session {
  settings: RunSettings;
  hub: ToolHub;
  model?: ChatModel;
  /** Writes an event to the --log-file (a no-op without one); server output is logged here already. */
  logEvent(event: OutputEvent): void;
}

export interface SessionOptions {
  /** Create the model (chat) or not (tools, call). */
  needsModel: boolean;
  /** Print the one-line start summary on stderr. */
  announce: boolean;
  /** The run's interrupt signal: aborting it during start-up stops waiting for servers. */
  signal: AbortSignal;
  /** Picks the servers to start (e.g. `call server/tool` starts only its server); all by default. May throw a usage error. */
  servers?: (specs: LoadedConfig['servers']) => LoadedConfig['servers'];
  /**
   * Where the servers' log messages (`notifications/message`) go, from start-up on. Without
   * it they are shown on stderr with --verbose (server name and level) and dropped otherwise.
   */
  serverLog?: (event: ServerLogEvent) => void;
  /**
   * A server's state changes once every server had its start (crashed, starting again,
   * ready again, down; not the final `closed`): `chat --json`'s `server_state` events.
   */
  serverState?: (event: ServerStateEvent) => void;
}

export type ServerStateEvent = Extract<HostEvent, { type: 'server_state' }>;


/** Writes host messages to stderr; the one place this module prints. */
export function hostLog(message: string): void {
  process.stderr.write(`${message}\n`);
}

export async function withSession<T>(flags: GlobalFlags, options: SessionOptions, run: (session: Session) => Promise<T>): Promise<T> {
  const runStartedAt = performance.now();
  const config = await loadConfigForRun(flags.config);
  const style = styleFor(process.stderr);
  // Every run names its config before anything starts (a planted ./switchboard.json must not go unnoticed).
  hostLog(style.dim(`switchboard: config: ${config.isBundledDefault ? `the bundled default, ${config.path}; write ./switchboard.json or pass --config for your own servers` : config.path}`));
  const settings = resolveSettings(flags, config);
  // Model setup problems (no token) fail before any server is started.
  const model = options.needsModel ? createModel(settings, process.env, process.cwd()) : undefined;
  // Server output and messages may carry a secret from the config (a server echoing its argv): masked.
  const redact = (text: string) => runRedactor.redact(text);
  // The log also masks anything that looks like a key (a token a server echoes that the config never named).
  const log: Logger = settings.logFile
    ? new FileLogger(settings.logFile, settings.logLevel, (text) => redactKeys(text, runRedactor), (problem) => hostLog(style.yellow(`! ${problem}`)))
    : NO_LOG;
  const logEvent = (event: OutputEvent) => log.log(levelOf(event), { kind: 'event', event });
  log.log('info', { kind: 'host', message: 'run started', command: process.argv.slice(2).join(' '), config: config.path });
  let started = false;
  const hub = new ToolHub(options.servers ? options.servers(config.servers) : config.servers, {
    startupTimeoutMs: settings.startupTimeoutMs,
    toolTimeoutMs: settings.toolTimeoutMs,
    maxToolOutputChars: settings.maxToolOutputChars,
    // What servers ask back (sampling, elicitation): served, asked or refused by client-requests.ts.
    requests: clientRequests({
      ...(model ? { model } : {}),
      servers: config.servers,
      elicitation: config.settings.elicitation ?? 'decline',
      interactive: Boolean(process.stdin.isTTY && process.stderr.isTTY),
      notice: (server, message) => {
        log.log('warn', { kind: 'host', server, message });
        hostLog(style.yellow(`! ${redact(message)}`));
      },
      usage: (server, usage) => log.log('info', { kind: 'host', server, message: 'sampling request served', ...usage }),
    }),
    observer: {
      stderrLine: (server, line) => {
        log.log('debug', { kind: 'stderr', server, line });
        if (settings.verbose) hostLog(style.dim(`[${server}] ${redact(line)}`));
      },
      notice: (server, message) => {
        log.log('warn', { kind: 'host', server, message });
        hostLog(style.yellow(`! ${redact(message)}`));
      },
      toolSkipped: (server, tool, reason) => {
        log.log('warn', { kind: 'host', server, message: `tool "${tool}" is left out: ${reason}` });
        hostLog(style.yellow(`! tool "${tool}" of server "${server}" is left out: ${redact(reason)}`));
      },
      serverLog: (server, entry) => {
        const event: ServerLogEvent = { type: 'server_log', server, ...entry };
        logEvent(event);
        if (options.serverLog) options.serverLog(event);
        else if (settings.verbose) hostLog(style.dim(redact(formatServerLog(event))));
      },
      stateChanged: (server, state, previous) => {
        logEvent({ type: 'server_state', server, state, previous });
        if (started && state !== 'closed') options.serverState?.({ type: 'server_state', server, state, previous });
      },
    },
  });
  try {
    const startedAt = performance.now();
    const report = await untilAborted(hub.start(), options.signal);
    started = true;
    log.log('info', { kind: 'host', message: 'servers started', durationMs: Math.round(performance.now() - startedAt), started: report.started, failed: report.failed.map((f) => f.server) });
    for (const failure of report.failed) {
      log.log('error', { kind: 'host', server: failure.server, message: failure.message });
      hostLog(style.red(`✗ ${redact(failure.message)}`));
    }
    if (report.failed.length > 0 && settings.strict) {
      throw new SwitchboardError('SERVER_START', `${report.failed.length} of ${config.servers.length} servers failed to start, and --strict makes that fatal.`);
    }
    // The scripted model is always announced: nobody should mistake its replies for an LLM's.
    if (options.announce || report.failed.length > 0 || model?.scripted) {
      const tools = hub.functionTools.length;
      const servers = report.started.length;
      const what = model ? `${model.scripted ? '' : 'model: '}${model.description}; ` : '';
      hostLog(style.dim(redact(`switchboard: ${what}${servers} server${servers === 1 ? '' : 's'} ready, ${tools} tool${tools === 1 ? '' : 's'}`)));
    }
    return await run({ settings, hub, model, logEvent });
  } catch (error) {
    const failure = options.signal.aborted ? new SwitchboardError('INTERRUPTED', 'Interrupted.') : error;
    log.log('error', { kind: 'host', message: failure instanceof Error ? failure.message : String(failure), ...(failure instanceof SwitchboardError ? { code: failure.code } : {}) });
    throw failure;
  } finally {
    await hub.close();
    log.log('info', { kind: 'host', message: 'run finished', durationMs: Math.round(performance.now() - runStartedAt) });
    log.close();
  }
}
