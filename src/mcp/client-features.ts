/**
 * What Switchboard offers a server as an MCP client, beside calling its tools: the
 * capabilities it declares in `initialize` and the requests it answers.
 *
 * - Roots (`roots/list`, with `listChanged`): the folders a server may work in. The entry's
 *   `roots` from the config (paths resolved like `cwd`), else the folder Switchboard runs in.
 *   A server such as `server-filesystem` uses exactly these, in place of its folder arguments.
 * - Logging: after initialize, a server that declares the `logging` capability is sent
 *   `logging/setLevel` with the run's `--log-level`, so it sends only what would be kept.
 *
 * Other client features (elicitation, sampling) declare and register theirs beside these.
 */
import { basename } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { ListRootsRequestSchema, type ClientCapabilities, type LoggingLevel, type Root } from '@modelcontextprotocol/sdk/types.js';
import type { ServerSpec } from '../config/schema.js';
import type { LogLevel } from '../log/logger.js';

/** The capabilities declared in `initialize`. */
export function clientCapabilities(): ClientCapabilities {
  return { roots: { listChanged: true } };
}

/** Answers the server's requests to the client (before connect: a server may ask at once). */
export function registerClientHandlers(client: Client, spec: ServerSpec, cwd: string = process.cwd()): void {
  client.setRequestHandler(ListRootsRequestSchema, () => ({ roots: rootsOf(spec, cwd) }));
}

/**
 * The roots offered to one server: its configured `roots` (absolute paths by now), else `cwd`.
 * `"roots": []` offers none: a server such as server-filesystem then keeps the folders it was
 * given as arguments (roots a client offers REPLACE those, by that server's design).
 */
export function rootsOf(spec: Pick<ServerSpec, 'roots'>, cwd: string): Root[] {
  const paths = spec.roots ?? [cwd];
  return paths.map((path) => ({ uri: pathToFileURL(path).href, name: basename(path) || path }));
}

/** Switchboard's log levels as MCP's (syslog's) names. */
export function mcpLoggingLevel(level: LogLevel): LoggingLevel {
  return level === 'warn' ? 'warning' : level;
}

const MCP_LEVELS: readonly string[] = ['debug', 'info', 'notice', 'warning', 'error', 'critical', 'alert', 'emergency'];

/** Whether a server's log message at `level` is at or above the run's level (an unknown level is kept). */
export function logLevelKept(level: string, least: LogLevel): boolean {
  const rank = MCP_LEVELS.indexOf(level);
  return rank < 0 || rank >= MCP_LEVELS.indexOf(mcpLoggingLevel(least));
}
