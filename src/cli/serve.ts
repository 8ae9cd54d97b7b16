/**
 * `switchboard serve`: the configured servers for other programs.
 * - default: the OpenAI-compatible endpoint (src/serve/): one ToolHub for the process,
 *   shared by every request; each request runs its own Agent with its own history and abort.
 * - `--mcp` (optionally `--http`): the MCP gateway (src/gateway/serve-mcp.ts).
 * The listen address and the token are checked before anything starts (a refused start never
 * binds). SIGTERM/SIGINT: stop accepting, let running requests finish for --drain-timeout
 * seconds, stop the rest, close every server, exit 0 (a second signal: everything dies, 130).
 */
import { SECONDS_RULE, secondsSchema } from '../config/values.js';
import { UserInputError } from '../errors.js';
import { configHome } from '../policy/config-home.js';
import { checkListenAddress, checkPort, DEFAULT_HOST, DEFAULT_PORT } from '../serve/listen-rules.js';
import { CompletionServer } from '../serve/server.js';
import { serveMcp } from '../gateway/serve-mcp.js';
import { loadOrCreateServeToken } from '../serve/token.js';
import { safe, styleFor } from '../ui/style.js';
import { runRedactor } from '../policy/secrets.js';
import { CliApprover } from './approval.js';
import { buildPolicy, type ApprovalFlags } from './approval-setup.js';
import type { ParsedFlags } from './options.js';
import { hostLog, withSession } from './session.js';
import { agentLimits, type GlobalFlags } from './settings.js';

export interface ServeFlags extends GlobalFlags, ApprovalFlags {
  host?: string;
  port?: number;
  tokenEnv?: string;
  cors?: string;
  maxConcurrent?: number;
  drainTimeout?: number;
  mcp?: boolean;
  http?: boolean;
}

export const DEFAULT_MAX_CONCURRENT = 4;
export const DEFAULT_DRAIN_SECONDS = 10;

/** The serve-only flags, checked (main.ts passes the raw parsed flags). */
export function serveFlags(flags: ParsedFlags): Pick<ServeFlags, 'host' | 'port' | 'tokenEnv' | 'cors' | 'maxConcurrent' | 'drainTimeout' | 'mcp' | 'http'> {
  const text = (value: unknown) => (value === undefined ? undefined : String(value));
  const maxConcurrent = flags.maxConcurrent === undefined ? undefined : Number(flags.maxConcurrent);
  if (maxConcurrent !== undefined && (!Number.isInteger(maxConcurrent) || maxConcurrent < 1 || maxConcurrent > 1000)) {
    throw new UserInputError('USAGE', `--max-concurrent must be a whole number from 1 to 1000, not "${String(flags.maxConcurrent)}".`);
  }
  let drainTimeout: number | undefined;
  if (flags.drainTimeout !== undefined) {
    const parsed = secondsSchema.safeParse(Number(flags.drainTimeout));
    if (!parsed.success) throw new UserInputError('USAGE', `--drain-timeout must be ${SECONDS_RULE}, not "${String(flags.drainTimeout)}".`);
    drainTimeout = parsed.data;
  }
  const tokenEnv = text(flags.tokenEnv);
  if (tokenEnv !== undefined && !/^[A-Za-z_][A-Za-z0-9_]*$/.test(tokenEnv)) {
    throw new UserInputError('USAGE', '--token-env takes the NAME of an environment variable holding the token, such as SWITCHBOARD_SERVE_TOKEN, not the token itself.');
  }
  const cors = text(flags.cors);
  if (cors !== undefined && !/^https?:\/\/[^/\s]+$/.test(cors)) {
    throw new UserInputError('USAGE', `--cors takes one origin: scheme, host and port, such as http://localhost:3000 (no path, no "*"), not "${cors}".`);
  }
  return {
    host: text(flags.host),
    port: flags.port === undefined ? undefined : checkPort(flags.port),
    tokenEnv,
    cors,
    maxConcurrent,
    drainTimeout,
    mcp: flags.mcp === true,
    http: flags.http === true,
  };
}

export async function serveCommand(flags: ServeFlags, signal: AbortSignal): Promise<number> {
  if (flags.http && !flags.mcp) throw new UserInputError('USAGE', '--http goes with --mcp (the MCP gateway over Streamable HTTP); the OpenAI-compatible endpoint is always HTTP.');
  // Checked before anything starts or binds, the gateway's HTTP mode included.
  const host = checkListenAddress(flags.host ?? DEFAULT_HOST, flags.tokenEnv !== undefined);
  if (flags.mcp) return serveMcp(flags, signal);
  const style = styleFor(process.stderr);
  const token = loadOrCreateServeToken({ configHome: configHome(process.env), ...(flags.tokenEnv !== undefined ? { tokenEnv: flags.tokenEnv } : {}) });
  if (token.created) {
    // The one time the token is shown; afterwards only where it is.
    process.stderr.write(`switchboard serve: generated a bearer token, stored in ${token.path} (mode 0600); it is shown this once:\n  ${token.token}\n`);
  } else {
    hostLog(style.dim(`switchboard serve: bearer token ${token.path ? `in ${token.path}` : `from $${flags.tokenEnv}`}`));
  }
  let approver: CliApprover | undefined;
  const options = {
    needsModel: true,
    announce: true,
    signal,
    toolsChanged: (hub: { routes: Parameters<CliApprover['routesChanged']>[0] }) => approver?.routesChanged(hub.routes),
  };
  return withSession(flags, options, async ({ hub, model, settings, config, logEvent }) => {
    // No terminal to ask on: a call the policy would ask about is denied, and the model is told why.
    approver = new CliApprover({ policy: buildPolicy(flags, config), out: process.stderr, style, hostToolName: () => hub.hostToolName });
    approver.routesChanged(hub.routes);
    const server = new CompletionServer({
      token: token.token,
      modelId: settings.model,
      agent: { model: model!, tools: hub, approver, ...agentLimits(settings) },
      maxConcurrent: flags.maxConcurrent ?? DEFAULT_MAX_CONCURRENT,
      ...(flags.cors !== undefined ? { cors: flags.cors } : {}),
      showReasoning: settings.showReasoning,
      logPrompts: settings.logLevel === 'debug',
      // Lines may quote a model's or a server's error: secrets of the config masked, terminal-safe.
      log: (line) => hostLog(`serve: ${safe(runRedactor.redact(line))}`),
      observe: logEvent,
    });
    if (signal.aborted) return 0;
    let address;
    try {
      address = await server.listen(host, flags.port ?? DEFAULT_PORT);
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code === 'EADDRINUSE') throw new UserInputError('USAGE', `${host}:${flags.port ?? DEFAULT_PORT} is in use (another switchboard serve?). Pick another with --port.`);
      if (code === 'EADDRNOTAVAIL' || code === 'ENOTFOUND') throw new UserInputError('USAGE', `Cannot listen on ${host}: no such address on this machine.`);
      throw error;
    }
    const shown = address.family === 'IPv6' ? `[${address.address}]` : address.address;
    hostLog(`switchboard serve: listening on http://${shown}:${address.port}/v1 (model "${settings.model}"; Ctrl+C or SIGTERM to stop)`);
    await new Promise<void>((resolve) => (signal.aborted ? resolve() : signal.addEventListener('abort', () => resolve(), { once: true })));
    const drainSeconds = flags.drainTimeout ?? DEFAULT_DRAIN_SECONDS;
    hostLog(`switchboard serve: stopping; running requests get up to ${drainSeconds} s to finish`);
    await server.drain(drainSeconds * 1000);
    hostLog('switchboard serve: stopped');
    return 0;
  });
}
