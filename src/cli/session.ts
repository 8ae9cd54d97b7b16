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
// Types only: the hub (and with it the MCP SDK) is imported once the servers' processes are spawned (see withSession).
import type { ToolHub, StartReport } from '../mcp/hub.js';
import { prelaunch, serverEnvironment, discardPrelaunched } from '../mcp/server-process.js';
import { newRunScope, runMarker } from '../mcp/watchdog.js';
import { untilAborted } from '../abort.js';
import { configNotice } from '../ui/config-notice.js';
import type { ServerLogEvent } from '../ui/server-log.js';
import { oneLine, safe, styleFor } from '../ui/style.js';
import type { StartupActivity } from '../ui/activity.js';
import { maskedCopy, runRedactor, type Redactor } from '../policy/secrets.js';
import { loadConfigForRun } from './config-loader.js';
import { createModel } from './model-factory.js';
import { resolveSettings, type GlobalFlags, type RunSettings } from './settings.js';

export interface Session {
  settings: RunSettings;
  config: LoadedConfig;
  hub: ToolHub;
  model?: ChatModel;
  /** Writes an event to the --log-file (a no-op without one); server output is logged here already. */
  logEvent(event: OutputEvent): void;
  /** Which servers started and which failed (a session file's header names both). */
  report: StartReport;
  /** The config file's absolute path. */
  configPath: string;
  /**
   * Masks the config's secrets in every output of the run (terminal, --json, log, session
   * file): the process's `runRedactor`, filled when the config was loaded (config-loader.ts),
   * before any server started; main.ts's error report uses the same one.
   */
  redactor: Redactor;
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
  /** The route table changed (a server's `list_changed`, a restart); called after the hub swapped it. */
  toolsChanged?: (hub: ToolHub) => void;
  /**
   * Run the command while the servers start, with their cached tool listings, when every
   * server has one (chat: the first model request need not wait). Off with --strict (a
   * failed start must stop the run before it begins) and without the cache.
   */
  overlap?: boolean;
  /** Sign-ins may open a browser even without a terminal (`switchboard auth`). */
  interactiveAuth?: boolean;
  /**
   * Runs once the servers' processes are spawned, before the hub connects to them: a command
   * loads what the rest of its run needs here (its renderer, the agent), while they start.
   */
  beforeStart?: () => Promise<void>;
  /**
   * Whether a server's sampling/elicitation request may be put to the user (client-requests.ts).
   * By default: stdin and stderr are terminals; `chat --json` says no (a --json consumer gets
   * the non-interactive answers, never a wait on stdin).
   */
  canAskUser?: boolean;
  /** Tokens a served sampling request used (it is in the log file either way): chat counts them in its agent's usage. */
  samplingUsage?: (server: string, usage: { promptTokens: number; completionTokens: number }) => void;
}

/** What a session needs once its servers are spawned, loaded then (see withSession). */
async function loadSessionModules(remote: boolean) {
  const [hub, cache, features, serverLog, activity, authorizer, requests, approvalSetup] = await Promise.all([
    import('../mcp/hub.js'),
    import('../mcp/tool-cache.js'),
    import('../mcp/client-features.js'),
    import('../ui/server-log.js'),
    import('../ui/activity.js'),
    // Sign-in (OAuth) is for remote servers only: a run with stdio servers alone does not load it.
    remote ? import('../auth/authorizer.js') : undefined,
    import('./client-requests.js'),
    import('./approval-setup.js'),
  ]);
  return {
    ToolHub: hub.ToolHub,
    ToolCache: cache.ToolCache,
    cacheFolder: cache.cacheFolder,
    logLevelKept: features.logLevelKept,
    formatServerLog: serverLog.formatServerLog,
    activityEnabled: activity.activityEnabled,
    StartupActivity: activity.StartupActivity,
    createAuthorizer: authorizer?.createAuthorizer,
    clientRequests: requests.clientRequests,
    canAsk: approvalSetup.canAsk,
  };
}

export type ServerStateEvent = Extract<HostEvent, { type: 'server_state' }>;


/** Writes host messages to stderr; the one place this module prints (above the start-up spinner, while it runs). */
let startup: StartupActivity | undefined;
export function hostLog(message: string): void {
  if (startup) startup.print(`${message}\n`);
  else process.stderr.write(`${message}\n`);
}

export async function withSession<T>(flags: GlobalFlags, options: SessionOptions, run: (session: Session) => Promise<T>): Promise<T> {
  const runStartedAt = performance.now();
  const config = await loadConfigForRun(flags.config);
  const style = styleFor(process.stderr);
  // Every run names its config before anything starts (a planted ./switchboard.json must not go unnoticed).
  hostLog(style.dim(configNotice(config)));
  const settings = resolveSettings(flags, config);
  // Model setup problems (no token) fail before any server is started.
  const model = options.needsModel ? createModel(settings, process.env, process.cwd()) : undefined;
  // Server output and messages may carry a secret from the config (a server echoing its argv): masked.
  // ...and made terminal-safe (a server's text may carry escape sequences): `safe` for
  // several lines, `oneLine` for what must stay on one.
  const redact = (text: string) => safe(runRedactor.redact(text));
  // The log also masks anything that looks like a key (a token a server echoes that the config never named).
  const log: Logger = settings.logFile
    ? new FileLogger(settings.logFile, settings.logLevel, (text) => redactKeys(text, runRedactor), (problem) => hostLog(style.yellow(`! ${problem}`)))
    : NO_LOG;
  const logEvent = (event: OutputEvent) => log.log(levelOf(event), { kind: 'event', event });
  log.log('info', { kind: 'host', message: 'run started', command: process.argv.slice(2).join(' '), config: config.path });
  let started = false;
  const specs = options.servers ? options.servers(config.servers) : config.servers;
  // Every decision a start needs is made (config trusted, inputs given, model set up): the stdio
  // servers' processes are spawned now, so their own start-up overlaps the loading of the rest
  // (the MCP SDK, the hub; the command's renderer and agent in `beforeStart`). Their transports adopt them.
  const runScope = newRunScope();
  for (const spec of specs) {
    if (spec.transport === 'stdio') prelaunch({ command: spec.command, args: spec.args, env: serverEnvironment(spec.env, runMarker(runScope, spec.name)), cwd: spec.cwd });
  }
  let modules;
  try {
    [modules] = await Promise.all([loadSessionModules(specs.some((spec) => spec.transport === 'http')), options.beforeStart?.()]);
  } catch (error) {
    discardPrelaunched();
    log.close();
    throw error;
  }
  const { ToolHub, ToolCache, cacheFolder, logLevelKept, formatServerLog, activityEnabled, StartupActivity, createAuthorizer, clientRequests, canAsk } = modules;
  const hub = new ToolHub(specs, {
    runScope,
    startupTimeoutMs: settings.startupTimeoutMs,
    toolTimeoutMs: settings.toolTimeoutMs,
    maxToolOutputChars: settings.maxToolOutputChars,
    keepWhole: (text, at) => runRedactor.spanning(text, at),
    ...(settings.cache ? { cache: new ToolCache(cacheFolder(process.env)) } : {}),
    // Remote servers' sign-in: interactive only with a person at a terminal.
    ...(createAuthorizer ? { authorizer: createAuthorizer({ env: process.env, interactive: options.interactiveAuth === true || Boolean(process.stdin.isTTY && process.stderr.isTTY), notify: (message) => hostLog(style.yellow(`! ${redact(message)}`)) }) } : {}),
    logLevel: settings.logLevel,
    // What servers ask back (sampling, elicitation): served, asked or refused by client-requests.ts.
    requests: clientRequests({
      ...(model ? { model } : {}),
      servers: config.servers,
      elicitation: config.settings.elicitation ?? 'decline',
      // Asked only where a tool call's approval would be (a terminal on stdin and stderr, no --json).
      interactive: options.canAskUser ?? canAsk(false),
      notice: (server, message) => {
        log.log('warn', { kind: 'host', server, message });
        hostLog(style.yellow(`! ${redact(message)}`));
      },
      usage: (server, usage) => {
        log.log('info', { kind: 'host', server, message: 'sampling request served', ...usage });
        options.samplingUsage?.(server, usage);
      },
    }),
    observer: {
      stderrLine: (server, line) => {
        log.log('debug', { kind: 'stderr', server, line });
        if (settings.verbose) hostLog(style.dim(`[${oneLine(server, 60)}] ${oneLine(runRedactor.redact(line), Infinity)}`));
      },
      notice: (server, message) => {
        log.log('warn', { kind: 'host', server, message });
        hostLog(style.yellow(`! ${redact(message)}`));
      },
      toolSkipped: (server, tool, reason) => {
        log.log('warn', { kind: 'host', server, message: `tool "${tool}" is left out: ${reason}` });
        hostLog(style.yellow(`! tool "${oneLine(tool, 120)}" of server "${oneLine(server, 60)}" is left out: ${redact(reason)}`));
      },
      toolsChanged: () => options.toolsChanged?.(hub),
      serverLog: (server, entry) => {
        const event: ServerLogEvent = { type: 'server_log', server, ...entry };
        logEvent(event);
        if (options.serverLog) options.serverLog(event);
        // Below the run's level: dropped, also from a server that ignored logging/setLevel.
        else if (settings.verbose && logLevelKept(entry.level, settings.logLevel)) hostLog(style.dim(redact(formatServerLog(maskedCopy(event, runRedactor.mask))))); // masked before the line is cut, so no half secret survives
      },
      stateChanged: (server, state, previous) => {
        logEvent({ type: 'server_state', server, state, previous });
        if (started && state !== 'closed') options.serverState?.({ type: 'server_state', server, state, previous });
      },
    },
  });
  const what = model ? `${model.scripted ? '' : 'model: '}${model.description}; ` : '';
  const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;
  let running = true;
  const reportFailures = (report: StartReport) => {
    for (const failure of report.failed) {
      log.log('error', { kind: 'host', server: failure.server, message: failure.message });
      hostLog(style.red(`✗ ${redact(failure.message)}`));
    }
  };
  try {
    const startedAt = performance.now();
    const early = options.overlap && !settings.strict ? hub.startEarly() : undefined;
    if (early) {
      started = true;
      // Failures are shown when they happen (a call to the server's tools says so too).
      void early.then((report) => {
        if (!running) return;
        log.log('info', { kind: 'host', message: 'servers started', durationMs: Math.round(performance.now() - startedAt), started: report.started, failed: report.failed.map((f) => f.server) });
        reportFailures(report);
      });
      if (options.announce || model?.scripted) {
        hostLog(style.dim(redact(`switchboard: ${what}${plural(config.servers.length, 'server')} starting, ${plural(hub.functionTools.length, 'tool')} (cached list)`)));
      }
      // Still starting: the session header lists every server as started (a failure shows when it happens).
      return await run({ settings, config, hub, model, logEvent, report: { started: hub.connections.map((c) => c.name), failed: [] }, configPath: config.path, redactor: runRedactor });
    }
    startup = new StartupActivity(process.stderr, activityEnabled(process.stderr, flags.progress), style.cyan);
    const activity = startup;
    let report: StartReport;
    try {
      report = await untilAborted(hub.start({ starting: (name) => activity.starting(oneLine(name, 60)), finished: (name) => activity.finished(oneLine(name, 60)) }), options.signal);
    } finally {
      activity.stop();
      startup = undefined;
    }
    started = true;
    log.log('info', { kind: 'host', message: 'servers started', durationMs: Math.round(performance.now() - startedAt), started: report.started, failed: report.failed.map((f) => f.server) });
    reportFailures(report);
    if (report.failed.length > 0 && settings.strict) {
      throw new SwitchboardError('SERVER_START', `${report.failed.length} of ${config.servers.length} servers failed to start, and --strict makes that fatal.`);
    }
    // The scripted model is always announced: nobody should mistake its replies for an LLM's.
    if (options.announce || report.failed.length > 0 || model?.scripted) {
      hostLog(style.dim(redact(`switchboard: ${what}${plural(report.started.length, 'server')} ready, ${plural(hub.functionTools.length, 'tool')}`)));
    }
    return await run({ settings, config, hub, model, logEvent, report, configPath: config.path, redactor: runRedactor });
  } catch (error) {
    const failure = options.signal.aborted ? new SwitchboardError('INTERRUPTED', 'Interrupted.') : error;
    log.log('error', { kind: 'host', message: failure instanceof Error ? failure.message : String(failure), ...(failure instanceof SwitchboardError ? { code: failure.code } : {}) });
    throw failure;
  } finally {
    running = false;
    discardPrelaunched(); // any the hub did not take (a run that failed before its servers started)
    await hub.close();
    log.log('info', { kind: 'host', message: 'run finished', durationMs: Math.round(performance.now() - runStartedAt) });
    log.close();
  }
}
