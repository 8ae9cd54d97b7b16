/**
 * ToolHub: every configured server, the route table, and tool calls routed to their
 * owner. The agent loop sees only `functionTools` and `call()`.
 *
 * Contract of `call()`: it never throws. Whatever happens (unknown tool, arguments
 * that are not JSON or do not fit the schema, a server error, a timeout, a crash, an
 * abort) it resolves with a `ToolOutcome` whose text tells the model what happened.
 */
import { ErrorCode, McpError } from '@modelcontextprotocol/sdk/types.js';
import type { ServerSpec } from '../config/schema.js';
import type { FunctionTool } from '../llm/model.js';
import { parseArguments } from './arguments.js';
import { ServerConnection, type ConnectionObserver, type ConnectionState, type RemoteAuthorizer, type ToolProgress } from './connection.js';
import { ServerCrashedError, ServerDownError, ServerStartError } from './server-errors.js';
import { mediaParts, resultToText, truncateMiddle, type KeepWhole, type MediaPart, type ToolResultLike } from './content.js';
import { killMarkedProcesses } from './run-marker.js';
import { newRunScope } from './watchdog.js';
import type { LogLevel } from '../log/logger.js';
import { OutputChecker } from './output-check.js';
import type { ClientRequestHandlers } from './client-features.js';
import { readResourceName, readResourceTool, resourceServers, runReadResource } from './host-tools.js';
import { buildRouteTable, EMPTY_ROUTE_TABLE, type RouteTable, type ToolRoute } from './routes.js';
import { sameListing, type ToolCache } from './tool-cache.js';
import type { McpToolDefinition } from './schema.js';

/**
 * How many tools common providers accept in one request (OpenAI rejects more than 128). The
 * hub still offers more (a local model may take them) but warns once, naming the filters.
 */
export const PROVIDER_TOOL_LIMIT = 128;

export interface HubOptions {
  startupTimeoutMs: number;
  /** Default per-call timeout; a server's own `timeout` wins. */
  toolTimeoutMs: number;
  maxToolOutputChars: number;
  /** Spans a cut to `maxToolOutputChars` must not split (the CLI passes its secrets' occurrences). */
  keepWhole?: KeepWhole;
  observer?: HubObserver;
  /** Restart policy (tests shorten it). */
  restartBackoffMs?: number;
  /** Each server's last tool listing: read by `startEarly`, updated after every first start. */
  cache?: ToolCache;
  /** OAuth for remote servers (see RemoteAuthorizer). */
  authorizer?: RemoteAuthorizer;
  /** The run's log level, sent to servers that log (`logging/setLevel`). */
  logLevel?: LogLevel;
  /**
   * The marker scope of this hub's server processes (`newRunScope()`, the default): given by a
   * caller that prelaunched the servers' processes with it (server-process.ts), so they match.
   */
  runScope?: string;
  /** Sampling and elicitation requests from servers (client-features.ts). */
  requests?: ClientRequestHandlers;
}

export interface HubObserver extends ConnectionObserver {
  /** A tool was left out of the route table (e.g. its schema is not an object). */
  toolSkipped?(server: string, tool: string, reason: string): void;
}

export interface StartReport {
  started: string[];
  failed: ServerStartError[];
}

/** One server as the user may see it (e.g. a `/servers` command). */
export interface ServerStatus {
  name: string;
  state: ConnectionState;
  /** Tools the server last listed (some may be left out of the routes; see toolSkipped). */
  toolCount: number;
}

export interface ToolOutcome {
  /** What the model reads. */
  text: string;
  isError: boolean;
  /** The owner, when the name was routed. */
  server?: string;
  originalName?: string;
  durationMs: number;
  /** The server's result as it came (for `call --json` and `--save-media`); absent when no result came. */
  result?: ToolResultLike;
  /** The result's image parts (base64), for a model that takes images; absent when none. */
  images?: MediaPart[];
}

export class ToolHub {
  readonly connections: ServerConnection[];
  private table: RouteTable = EMPTY_ROUTE_TABLE;
  /** Checks structuredContent against outputSchema; renewed with each route table (frees old schemas). */
  private outputChecker = new OutputChecker();
  private readonly reportedSkips = new Set<string>();
  /** Marks this hub's server processes, to find any that leave their process group. */
  private readonly runScope: string;
  /** Every exposed name offered this session -> its tool (`server\u0000tool`): names never move. */
  private readonly offeredNames = new Map<string, string>();
  /** Routes are built once every server had its chance to start, so start-up order cannot change names. */
  private started = false;
  /** The too-many-tools warning is given once per session. */
  private warnedToolCount = false;
  /** What the cache held for each server (read once), to rewrite it only when the listing changed. */
  private readonly cached = new Map<string, readonly McpToolDefinition[] | undefined>();
  /** Told whenever the route table is rebuilt (see watchTools). */
  private readonly toolWatchers = new Set<() => void>();
  /** The host's `read_resource` tool, while any server offers resources (host-tools.ts). */
  private hostTool: FunctionTool | undefined;
  /** `functionTools` with the host tool, kept for the table and host tool it was made of. */
  private withHostTool: { base: readonly FunctionTool[]; hostTool: FunctionTool; tools: readonly FunctionTool[] } | undefined;

  constructor(specs: readonly ServerSpec[], private readonly options: HubOptions) {
    this.runScope = options.runScope ?? newRunScope();
    const observer: ConnectionObserver = {
      ...options.observer,
      toolsChanged: (server) => {
        if (this.started) this.rebuildRoutes();
        options.observer?.toolsChanged?.(server);
      },
    };
    this.connections = specs.map(
      (spec) => new ServerConnection(spec, { startupTimeoutMs: options.startupTimeoutMs, observer, restartBackoffMs: options.restartBackoffMs, runScope: this.runScope, authorizer: options.authorizer, ...(options.logLevel ? { logLevel: options.logLevel } : {}), ...(options.requests ? { requests: options.requests } : {}) }),
    );
  }

  /**
   * Starts every server concurrently; a failed server is reported and the others go on.
   * `progress` hears each server begin and finish (ready or failed), e.g. for a spinner.
   */
  async start(progress?: { starting?(server: string): void; finished?(server: string, ok: boolean): void }): Promise<StartReport> {
    const outcomes = await Promise.allSettled(
      this.connections.map((c) => {
        progress?.starting?.(c.name);
        return c.start().then(
          () => {
            this.remember(c);
            progress?.finished?.(c.name, true);
          },
          (error: unknown) => {
            progress?.finished?.(c.name, false);
            throw error;
          },
        );
      }),
    );
    this.started = true;
    this.rebuildRoutes();
    return this.reportOf(outcomes);
  }

  /**
   * The start-up overlap. When the cache has a listing for EVERY server, routes are built
   * from those listings at once and the servers start in the background: the caller may
   * send its first model request now. As each server comes up its own listing replaces the
   * cached one (routes rebuilt, watchers told; names stay stable through offeredNames); a
   * server that fails to start keeps its cached tools, and a call to one is answered with
   * the start failure (no re-send: what the model saw is what it was offered). Returns the report of the background start, or undefined (nothing started)
   * when a listing is missing: then call `start()`, as without a cache.
   */
  startEarly(): Promise<StartReport> | undefined {
    if (!this.options.cache) return undefined;
    const listings = this.connections.map((c) => this.cachedListing(c));
    if (listings.some((tools) => tools === undefined)) return undefined;
    this.connections.forEach((c, i) => c.seed(listings[i]!));
    this.started = true;
    this.rebuildRoutes();
    const starts = this.connections.map((c) => c.start().then(() => this.remember(c)));
    return Promise.allSettled(starts).then((outcomes) => this.reportOf(outcomes));
  }

  /**
   * Calls `listener` after every rebuild of the route table (a server came up, its tools
   * changed); `functionTools` may or may not differ. Returns the unsubscribe function.
   */
  watchTools(listener: () => void): () => void {
    this.toolWatchers.add(listener);
    return () => this.toolWatchers.delete(listener);
  }

  /**
   * The servers owning these exposed names that are still on their first start. A name no
   * route has (yet) may be a tool of any server still starting: then all of those.
   */
  startingServers(exposedNames: readonly string[]): string[] {
    const routes = exposedNames.map((name) => this.table.routes.get(name));
    const owners = new Set(routes.map((route) => route?.server));
    const anyOwner = owners.has(undefined);
    return this.connections.filter((c) => (anyOwner || owners.has(c.name)) && c.state === 'starting' && this.firstStarting(c)).map((c) => c.name);
  }

  /** Still on its first start (not a restart after a crash, which a call waits for anyway). */
  private firstStarting(connection: ServerConnection): boolean {
    return connection.state === 'starting' && !connection.everReady;
  }

  /** Resolves once these servers' first starts are over, however they ended. */
  async serversSettled(servers: readonly string[]): Promise<void> {
    await Promise.all(this.connections.filter((c) => servers.includes(c.name)).map((c) => c.settled()));
  }

  private reportOf(outcomes: ReadonlyArray<PromiseSettledResult<unknown>>): StartReport {
    const report: StartReport = { started: [], failed: [] };
    outcomes.forEach((outcome, i) => {
      const connection = this.connections[i]!;
      if (outcome.status === 'fulfilled') report.started.push(connection.name);
      else report.failed.push(outcome.reason instanceof ServerStartError ? outcome.reason : new ServerStartError(connection.name, String(outcome.reason), connection.commandLine, connection.stderrTail()));
    });
    return report;
  }

  /** The cached listing of a server (read once; a corrupt file is a notice and a miss). */
  private cachedListing(connection: ServerConnection): readonly McpToolDefinition[] | undefined {
    const cache = this.options.cache;
    if (!cache) return undefined;
    if (!this.cached.has(connection.name)) {
      const read = cache.read(connection.spec);
      if (read.problem) this.options.observer?.notice?.(connection.name, read.problem);
      this.cached.set(connection.name, read.tools);
    }
    return this.cached.get(connection.name);
  }

  /** A server came up: its listing goes to the cache when it differs, and into the routes. */
  private remember(connection: ServerConnection): void {
    const cache = this.options.cache;
    if (cache && connection.state === 'ready') {
      const before = this.cachedListing(connection);
      if (!before || !sameListing(before, connection.tools)) {
        cache.write(connection.spec, connection.tools);
        this.cached.set(connection.name, connection.tools);
      }
    }
    if (this.started) this.rebuildRoutes();
  }

  /** The servers' tools, then the host's own (`read_resource`) when any server offers resources. */
  get functionTools(): readonly FunctionTool[] {
    if (!this.hostTool) return this.table.functionTools;
    // The same array until the tools change: the loop reads this every step, and the token
    // estimate and its stale-tools check know an unchanged list by identity (no re-serialising).
    const offered = this.withHostTool;
    if (offered?.base === this.table.functionTools && offered.hostTool === this.hostTool) return offered.tools;
    const tools = [...this.table.functionTools, this.hostTool];
    this.withHostTool = { base: this.table.functionTools, hostTool: this.hostTool, tools };
    return tools;
  }

  /** The exposed name of the host's `read_resource` tool while it is offered (it has no route: no server owns it). */
  get hostToolName(): string | undefined {
    return this.hostTool?.function.name;
  }

  get routes(): ReadonlyMap<string, ToolRoute> {
    return this.table.routes;
  }

  /** Tools the config's per-server `"tools"` filter keeps from the model (`server`, original name). */
  get filteredTools(): ReadonlyArray<{ server: string; tool: string }> {
    return this.table.filtered;
  }

  /** Every configured server's state and tool count, in config order (a snapshot). */
  get servers(): ServerStatus[] {
    return this.connections.map((c) => ({ name: c.name, state: c.state, toolCount: c.toolCount }));
  }

  async call(exposedName: string, rawArguments: string | Record<string, unknown>, signal?: AbortSignal, onProgress?: (progress: ToolProgress) => void): Promise<ToolOutcome> {
    const started = performance.now();
    const done = (text: string, isError: boolean, route?: ToolRoute): ToolOutcome => ({
      text: truncateMiddle(text, this.options.maxToolOutputChars, this.options.keepWhole),
      isError,
      ...(route ? { server: route.server, originalName: route.originalName } : {}),
      durationMs: Math.round(performance.now() - started),
    });
    const table = this.table; // this call finishes against the table it started with
    const route = table.routes.get(exposedName);
    if (!route && exposedName === this.hostTool?.function.name) {
      const args = parseArguments(rawArguments);
      if (!args.ok) return done(`Error calling ${exposedName}: ${args.problem}`, true);
      const read = await runReadResource(this.connections, args.value, this.options.toolTimeoutMs, signal);
      return { ...done(read.text, read.isError), ...(read.server ? { server: read.server, originalName: 'resources/read' } : {}) };
    }
    if (!route) return done(unknownToolMessage(exposedName, [...table.routes.keys(), ...(this.hostTool ? [this.hostTool.function.name] : [])]), true);
    const args = parseArguments(rawArguments);
    if (!args.ok) return done(`Error calling ${exposedName}: ${args.problem}`, true, route);
    const problem = table.validator.check(route.functionTool.function.parameters, args.value);
    if (problem) return done(`Error calling ${exposedName}: ${problem}. The tool was not run; fix the arguments and call it again.`, true, route);
    const connection = this.connections.find((c) => c.name === route.server);
    if (!connection) return done(`Error: no server "${route.server}" is configured.`, true, route);
    const timeoutMs = (connection.spec.timeoutSeconds ?? 0) * 1000 || this.options.toolTimeoutMs;
    try {
      const result = await connection.callTool(route.originalName, args.value, { signal, timeoutMs, ...(onProgress ? { onProgress } : {}) });
      const { text, isError } = resultToText(result);
      const images = mediaParts(result).filter((part) => part.kind === 'image');
      // A result that breaks the tool's declared output contract is an error the model is told about, never passed on silently.
      const broken = this.outputChecker.problem(route.definition.outputSchema, result);
      const checked = broken
        ? { text: `Error: the result of ${exposedName} from server "${route.server}" is not what the tool promised: ${broken}. Do not rely on its structured data.\n${text}`, isError: true }
        : { text, isError };
      return { ...done(checked.text, checked.isError, route), result, ...(images.length > 0 ? { images } : {}) };
    } catch (error) {
      return done(describeCallFailure(error, route, timeoutMs, signal), true, route);
    }
  }

  /** Closes every server (and its process tree) concurrently. */
  async close(): Promise<void> {
    await Promise.allSettled(this.connections.map((c) => c.close()));
    // A process that left its server's group (setsid, a daemonizing wrapper) escaped the
    // group shutdown; its inherited marker still names it.
    for (const leftover of killMarkedProcesses(this.runScope)) {
      this.options.observer?.notice?.(
        leftover.rest,
        `server "${leftover.rest}" left process ${leftover.pid} (${leftover.commandLine.slice(0, 120) || 'unknown command'}) running outside its process group; Switchboard killed it`,
      );
    }
  }

  private rebuildRoutes(): void {
    // Every server's last known tools, ready or not: a crashed server keeps its routes
    // (its next call restarts it), a server marked down answers "server down", and a
    // server that never started has none. Names offered once are kept (offeredNames).
    this.table = buildRouteTable(this.connections.map((c) => ({ name: c.name, tools: c.tools, ...(c.spec.toolFilter ? { filter: c.spec.toolFilter } : {}) })), this.offeredNames);
    for (const watcher of this.toolWatchers) watcher();
    this.outputChecker = new OutputChecker();
    const withResources = resourceServers(this.connections).map((c) => c.name);
    this.hostTool = withResources.length > 0 ? readResourceTool(readResourceName(this.offeredNames), withResources) : undefined;
    for (const skip of this.table.skipped) {
      const key = `${skip.server}\u0000${skip.tool}\u0000${skip.reason}`;
      if (this.reportedSkips.has(key)) continue;
      this.reportedSkips.add(key);
      this.options.observer?.toolSkipped?.(skip.server, skip.tool, skip.reason);
    }
    this.warnOnToolCount();
  }

  private warnOnToolCount(): void {
    const total = this.table.functionTools.length;
    if (total <= PROVIDER_TOOL_LIMIT || this.warnedToolCount) return;
    this.warnedToolCount = true;
    const perServer = new Map<string, number>();
    for (const route of this.table.routes.values()) perServer.set(route.server, (perServer.get(route.server) ?? 0) + 1);
    const largest = [...perServer].sort((a, b) => b[1] - a[1]);
    this.options.observer?.notice?.(
      largest[0]![0],
      `${total} tools are offered to the model, and many providers accept at most ${PROVIDER_TOOL_LIMIT} per request: ` +
        `keep the ones you need with "tools": {"include": [...]} or "exclude" on a server's entry in the config ` +
        `(most: ${largest.slice(0, 3).map(([server, n]) => `${server} ${n}`).join(', ')})`,
    );
  }
}

/** Longest model-supplied tool name quoted back (the model may send any text as a name). */
const QUOTED_NAME_MAX = 100;

function unknownToolMessage(name: string, available: string[]): string {
  const list = available.length > 40 ? `${available.slice(0, 40).join(', ')}, ...` : available.join(', ');
  const quoted = name.length > QUOTED_NAME_MAX ? `${name.slice(0, QUOTED_NAME_MAX)}…" (${name.length} characters)` : `${name}"`;
  return `Error: there is no tool named "${quoted}. Available tools: ${list || '(none)'}.`;
}

function describeCallFailure(error: unknown, route: ToolRoute, timeoutMs: number, signal: AbortSignal | undefined): string {
  const name = route.exposedName;
  if (signal?.aborted) return `Error: the call to ${name} was cancelled (interrupted by the user).`;
  if (error instanceof ServerStartError) return `Error: ${name} cannot run: ${error.message}`;
  if (error instanceof ServerDownError) return `Error: ${name} is unavailable: ${error.message}.`;
  if (error instanceof ServerCrashedError) {
    const tail = error.stderrTail.length ? ` Its last stderr lines: ${error.stderrTail.join(' | ')}` : '';
    if (error.stoppedBecause) return `Error: server "${route.server}" was stopped while running ${name} because ${error.stoppedBecause}; ${error.outlook}.`;
    return `Error: server "${route.server}" crashed while running ${name}; ${error.outlook}.${tail}`;
  }
  if (error instanceof McpError) {
    if (error.code === ErrorCode.RequestTimeout) {
      return `Error: the call to ${name} timed out after ${formatSeconds(timeoutMs)} s; the server "${route.server}" was told to cancel it.`;
    }
    if (error.code === ErrorCode.ConnectionClosed) {
      return `Error: the connection to server "${route.server}" closed while running ${name}.`;
    }
    return `Error from server "${route.server}" running ${name}: ${error.message.replace(/^MCP error -?\d+: /, '')}`;
  }
  const message = error instanceof Error ? error.message : String(error);
  return `Error calling ${name} on server "${route.server}": ${message}`;
}

function formatSeconds(ms: number): string {
  return Number.isInteger(ms / 1000) ? String(ms / 1000) : (ms / 1000).toFixed(1);
}
