/**
 * What Switchboard offers a server as an MCP client, beside calling its tools: the
 * capabilities it declares in `initialize` and the requests it answers.
 *
 * - Roots (`roots/list`, with `listChanged`): the folders a server may work in. The entry's
 *   `roots` from the config (paths resolved like `cwd`), else the folder Switchboard runs in.
 *   A server such as `server-filesystem` uses exactly these, in place of its folder arguments.
 * - Logging: after initialize, a server that declares the `logging` capability is sent
 *   `logging/setLevel` with the run's `--log-level`, so it sends only what would be kept.
 * - Sampling (`sampling/createMessage`) and elicitation (`elicitation/create`, and
 *   `notifications/elicitation/complete` for URL mode): the host decides (policy, prompts,
 *   the model) in `ClientRequestHandlers`, which the CLI provides; this module only wires them
 *   to an SDK client, naming the server. Each is declared only when its handler is given, so a
 *   hub built without handlers (tests, `doctor`) offers roots alone.
 */
import { basename } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import {
  CreateMessageRequestSchema,
  ElicitationCompleteNotificationSchema,
  ElicitRequestSchema,
  ListRootsRequestSchema,
  type ClientCapabilities,
  type CreateMessageRequest,
  type CreateMessageResult,
  type CreateMessageResultWithTools,
  type ElicitRequest,
  type ElicitResult,
  type LoggingLevel,
  type Root,
} from '@modelcontextprotocol/sdk/types.js';
import type { ServerSpec } from '../config/schema.js';
import type { LogLevel } from '../log/logger.js';

export type SamplingParams = CreateMessageRequest['params'];
export type ElicitParams = ElicitRequest['params'];

export interface ClientRequestHandlers {
  /** A server asks for a completion from the host's model. Throw to refuse (the server reads the error). */
  sampling?(server: string, params: SamplingParams, signal: AbortSignal): Promise<CreateMessageResult | CreateMessageResultWithTools>;
  /**
   * A server asks the user for input. For URL mode, `completed` resolves when the server sends
   * `notifications/elicitation/complete` for this request's `elicitationId` (which may come
   * after the answer: the answer must not wait for it).
   */
  elicitation?(server: string, params: ElicitParams, signal: AbortSignal, completed: Promise<void>): Promise<ElicitResult>;
}

/** The capabilities declared in `initialize`: roots always, sampling/elicitation when handled. */
export function clientCapabilities(handlers?: ClientRequestHandlers): ClientCapabilities {
  return {
    roots: { listChanged: true },
    // `tools`: the server may pass tools for the model to call (2025-11-25).
    ...(handlers?.sampling ? { sampling: { tools: {} } } : {}),
    ...(handlers?.elicitation ? { elicitation: { form: {}, url: {} } } : {}),
  };
}

/**
 * Answers the server's requests to the client (before connect: a server may ask at once):
 * `roots/list` always; sampling and elicitation when `handlers` has them.
 */
export function registerClientHandlers(client: Client, spec: ServerSpec, handlers?: ClientRequestHandlers, cwd: string = process.cwd()): void {
  client.setRequestHandler(ListRootsRequestSchema, () => ({ roots: rootsOf(spec, cwd) }));
  installRequestHandlers(client, spec.name, handlers);
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

function installRequestHandlers(client: Client, server: string, handlers: ClientRequestHandlers | undefined): void {
  const sampling = handlers?.sampling;
  if (sampling) client.setRequestHandler(CreateMessageRequestSchema, (request, extra) => sampling(server, request.params, extra.signal));
  const elicitation = handlers?.elicitation;
  if (!elicitation) return;
  // URL-mode requests whose completion notification has not come yet, by elicitationId. The
  // answer (accept) goes back at once; the notification may come long after it, or never:
  // the oldest entries are dropped past a bound.
  const waiting = new Map<string, () => void>();
  client.setNotificationHandler(ElicitationCompleteNotificationSchema, (notification) => {
    const id = notification.params.elicitationId;
    waiting.get(id)?.();
    waiting.delete(id);
  });
  client.setRequestHandler(ElicitRequestSchema, async (request, extra) => {
    const params = request.params;
    const id = 'elicitationId' in params ? params.elicitationId : undefined;
    const completed = new Promise<void>((resolve) => {
      if (id === undefined) return;
      waiting.set(id, resolve);
      if (waiting.size > MAX_WAITING) waiting.delete(waiting.keys().next().value!);
    });
    return elicitation(server, params, extra.signal, completed);
  });
}

const MAX_WAITING = 100;
