/**
 * A run's shared setup and teardown: config, model, servers; and the guarantee that
 * every server (and its process tree) is closed however the run ends.
 */
import type { LoadedConfig } from '../config/schema.js';
import { SwitchboardError } from '../errors.js';
import type { ChatModel } from '../llm/model.js';
import { ToolHub, type StartReport } from '../mcp/hub.js';
import { untilAborted } from '../abort.js';
import { formatServerLog, type ServerLogEvent } from '../ui/server-log.js';
import { styleFor } from '../ui/style.js';
import { runRedactor } from '../policy/secrets.js';
import { loadConfigForRun } from './config-loader.js';
import { createModel } from './model-factory.js';
import { resolveSettings, type GlobalFlags, type RunSettings } from './settings.js';

export interface Session {
  settings: RunSettings;
  hub: ToolHub;
  model?: ChatModel;
  /** Which servers started and which failed (a session file's header names both). */
  report: StartReport;
  /** The config file's absolute path. */
  configPath: string;
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
}


/** Writes host messages to stderr; the one place this module prints. */
export function hostLog(message: string): void {
  process.stderr.write(`${message}\n`);
}

export async function withSession<T>(flags: GlobalFlags, options: SessionOptions, run: (session: Session) => Promise<T>): Promise<T> {
  const config = await loadConfigForRun(flags.config);
  const style = styleFor(process.stderr);
  // Every run names its config before anything starts (a planted ./switchboard.json must not go unnoticed).
  hostLog(style.dim(`switchboard: config: ${config.isBundledDefault ? `the bundled default, ${config.path}; write ./switchboard.json or pass --config for your own servers` : config.path}`));
  const settings = resolveSettings(flags, config);
  // Model setup problems (no token) fail before any server is started.
  const model = options.needsModel ? createModel(settings, process.env, process.cwd()) : undefined;
  // Server output and messages may carry a secret from the config (a server echoing its argv): masked.
  const redact = (text: string) => runRedactor.redact(text);
  const hub = new ToolHub(options.servers ? options.servers(config.servers) : config.servers, {
    startupTimeoutMs: settings.startupTimeoutMs,
    toolTimeoutMs: settings.toolTimeoutMs,
    maxToolOutputChars: settings.maxToolOutputChars,
    observer: {
      stderrLine: settings.verbose ? (server, line) => hostLog(style.dim(`[${server}] ${redact(line)}`)) : undefined,
      notice: (_server, message) => hostLog(style.yellow(`! ${redact(message)}`)),
      toolSkipped: (server, tool, reason) => hostLog(style.yellow(`! tool "${tool}" of server "${server}" is left out: ${redact(reason)}`)),
      serverLog: (server, entry) => {
        const event: ServerLogEvent = { type: 'server_log', server, ...entry };
        if (options.serverLog) options.serverLog(event);
        else if (settings.verbose) hostLog(style.dim(redact(formatServerLog(event))));
      },
    },
  });
  try {
    const report = await untilAborted(hub.start(), options.signal);
    for (const failure of report.failed) hostLog(style.red(`✗ ${redact(failure.message)}`));
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
    return await run({ settings, hub, model, report, configPath: config.path });
  } catch (error) {
    if (options.signal.aborted) throw new SwitchboardError('INTERRUPTED', 'Interrupted.');
    throw error;
  } finally {
    await hub.close();
  }
}
