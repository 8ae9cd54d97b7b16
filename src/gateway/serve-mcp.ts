/**
 * `switchboard serve --mcp`: the MCP gateway. Every configured server, started once (the
 * ToolHub, with its restarts, timeouts and limits), offered as ONE MCP server to another MCP
 * host, with Switchboard's permissions applied (gateway-server.ts, tool-listing.ts).
 *
 * Entry point (called by the `serve` command's dispatch in cli/serve.ts):
 *
 *   serveMcp(flags: ServeMcpFlags, interrupt: AbortSignal): Promise<number>
 *
 * `flags` are the parsed global flags plus the approval flags (--allow, --deny, --yes,
 * --approval: the same policy as `chat`) and serve's own (--http, --host, --port,
 * --token-env); `interrupt` is the run's signal (SIGINT/SIGTERM, cli/interrupt.ts). Resolves
 * with the exit code once the gateway stopped and every upstream server is closed; throws
 * SwitchboardErrors for main.ts to report (a bad --host, a token problem, --strict).
 *
 * Transports:
 * - stdio (default): MCP JSON-RPC on stdin/stdout. NOTHING else is written to stdout: every
 *   host message (config notice, start-up, failures) goes to stderr. Ends when stdin closes
 *   (the client went away) or on SIGTERM/SIGINT.
 * - `--http`: Streamable HTTP at http://127.0.0.1:8787/mcp by default (http.ts), under the
 *   same rules as `serve`: loopback unless --host, a bearer token on every request (generated
 *   and stored 0600 on first start, or --token-env NAME), a non-loopback host only with a
 *   supplied token. The bound address is printed on stderr (`--port 0` picks a free port).
 *   Ends on SIGTERM/SIGINT.
 * Upstream servers that fail to start are reported on stderr and the others are served
 * (with --strict a failure stops the gateway before it serves).
 */
import { StdioServerTransport } from '@modelcontextprotocol/sdk/server/stdio.js';
import { buildPolicy, type ApprovalFlags } from '../cli/approval-setup.js';
import { withSession } from '../cli/session.js';
import type { GlobalFlags } from '../cli/settings.js';
import { UserInputError } from '../errors.js';
import { configHome } from '../policy/config-home.js';
import { runRedactor } from '../policy/secrets.js';
import { safe } from '../ui/style.js';
import { qualifiedName } from '../policy/approval.js';
import { checkListenAddress, checkPort, DEFAULT_HOST, DEFAULT_PORT } from '../serve/listen-rules.js';
import { loadOrCreateServeToken } from '../serve/token.js';
import { createGatewayServer, type GatewayContext } from './gateway-server.js';
import { listenHttpGateway } from './http.js';
import { trackPendingRequests } from './pending-requests.js';
import { listedTools } from './tool-listing.js';

export interface ServeMcpFlags extends GlobalFlags, ApprovalFlags {
  /** Streamable HTTP instead of stdio. */
  http?: boolean;
  /** --http only: where to listen (default 127.0.0.1; not loopback needs --token-env). */
  host?: string;
  /** --http only: the port (default 8787; 0 picks a free one). */
  port?: number;
  /** --http only: the environment variable holding the bearer token. */
  tokenEnv?: string;
}

/** Host messages: stderr only (stdout is the protocol in stdio mode); they may quote a server, so made safe and masked. */
const log = (message: string): void => void process.stderr.write(`${safe(runRedactor.redact(message))}\n`);

export async function serveMcp(flags: ServeMcpFlags, interrupt: AbortSignal): Promise<number> {
  // Checked before any server starts: a refused address never starts anything.
  const http = flags.http ? httpSettings(flags) : undefined;
  // canAskUser false: nobody is at this process's terminal (in stdio mode stdin is the protocol),
  // so a server's elicitation or sampling request gets the unattended answer.
  return withSession(flags, { needsModel: false, announce: true, signal: interrupt, canAskUser: false }, async ({ hub, config, settings }) => {
    const context: GatewayContext = {
      hub,
      timeoutMs: settings.toolTimeoutMs,
      policy: buildPolicy(flags, config),
      known: new Set([...hub.routes.values()].map(qualifiedName)),
      log,
    };
    const listed = listedTools(hub.routes, context.policy, context.known).length;
    const hidden = hub.routes.size - listed;
    const what = `${listed} tool${listed === 1 ? '' : 's'}${hidden > 0 ? ` (${hidden} denied by the permissions, not listed)` : ''}`;
    if (http) return serveHttp(context, http, what, interrupt);
    return serveStdio(context, what, interrupt);
  });
}

interface HttpSettings {
  host: string;
  port: number;
  token: string;
  /** Where the token is stored; undefined with --token-env. */
  tokenPath?: string;
  tokenCreated: boolean;
}

function httpSettings(flags: ServeMcpFlags): HttpSettings {
  const host = checkListenAddress(flags.host ?? DEFAULT_HOST, flags.tokenEnv !== undefined);
  const port = flags.port === undefined ? DEFAULT_PORT : checkPort(flags.port);
  const token = loadOrCreateServeToken({ configHome: configHome(process.env), ...(flags.tokenEnv !== undefined ? { tokenEnv: flags.tokenEnv } : {}) });
  return { host, port, token: token.token, tokenCreated: token.created, ...(token.path !== undefined ? { tokenPath: token.path } : {}) };
}

async function serveStdio(context: GatewayContext, what: string, interrupt: AbortSignal): Promise<number> {
  const { server, toolsMayHaveChanged } = createGatewayServer(context);
  const unwatch = context.hub.watchTools(toolsMayHaveChanged);
  const transport = new StdioServerTransport();
  // The client closing stdin (or the pipe breaking) ends the gateway, as does a signal.
  const ended = new Promise<void>((resolve) => {
    process.stdin.once('end', resolve);
    process.stdin.once('close', resolve);
    process.stdin.once('error', () => resolve());
    transport.onclose = () => resolve();
    if (interrupt.aborted) resolve();
    interrupt.addEventListener('abort', () => resolve(), { once: true });
  });
  try {
    await server.connect(transport);
    const requests = trackPendingRequests(transport);
    log(`switchboard: MCP gateway on stdio: ${what}`);
    await ended;
    // stdin closed: the calls already sent are answered first (a client may close its end
    // after its last request). A signal stops at once: the calls are cancelled.
    if (!interrupt.aborted) await Promise.race([requests.settled(), new Promise((resolve) => interrupt.addEventListener('abort', resolve, { once: true }))]);
  } finally {
    unwatch();
    await server.close().catch(() => undefined);
  }
  return 0;
}

async function serveHttp(context: GatewayContext, settings: HttpSettings, what: string, interrupt: AbortSignal): Promise<number> {
  let gateway;
  try {
    gateway = await listenHttpGateway({ host: settings.host, port: settings.port, token: settings.token, newServer: () => createGatewayServer(context), log });
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'EADDRINUSE') throw new UserInputError('USAGE', `${settings.host}:${settings.port} is in use (another switchboard serve?). Pick another with --port.`);
    if (code === 'EADDRNOTAVAIL' || code === 'ENOTFOUND') throw new UserInputError('USAGE', `Cannot listen on ${settings.host}: no such address on this machine.`);
    throw error;
  }
  const unwatch = context.hub.watchTools(() => gateway.toolsMayHaveChanged());
  try {
    // The token first: the "listening" line is the one a script waits for.
    if (settings.tokenCreated) log(`switchboard serve: generated a bearer token, stored in ${settings.tokenPath} (mode 0600); it is shown this once:\n  ${settings.token}`);
    else log(`switchboard serve: clients send "Authorization: Bearer <token>" with the token ${settings.tokenPath ? `in ${settings.tokenPath}` : 'in --token-env'}`);
    log(`switchboard: MCP gateway listening on ${gateway.url}: ${what}`);
    const stopped = new Promise<void>((resolve) => {
      if (interrupt.aborted) resolve();
      interrupt.addEventListener('abort', () => resolve(), { once: true });
    });
    const failure = await Promise.race([stopped.then(() => undefined), gateway.failed]);
    if (failure) throw failure;
  } finally {
    unwatch();
    await gateway.close();
  }
  return 0;
}
