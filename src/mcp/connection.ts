/**
 * One configured MCP server: start, handshake, paged tools/list, callTool,
 * restart after a crash, close.
 *
 * Contract:
 * - `start()` resolves when the server answered initialize and listed its tools, or
 *   throws a `ServerStartError` naming the server, its command and the last lines of
 *   its stderr since that start.
 * - `callTool()` resolves with the server's result or throws: `McpError` for protocol
 *   errors and timeouts, `ServerCrashedError` when the process died during the call
 *   (at once: the SDK rejects pending requests when the transport closes; it says
 *   whether the server is now down), `ServerDownError` when the server crashed too often,
 *   `ServerStartError` when the restart the call waited for failed. `onProgress` receives
 *   the server's `notifications/progress` for this call, in order, before it resolves.
 * - `notifications/message` log entries go to `observer.serverLog`.
 * - After a crash, the next call restarts the server, with back-off; after
 *   MAX_CRASHES crashes within CRASH_WINDOW_MS the server is marked down for the
 *   rest of the session.
 * - `close()` shuts the server's whole process tree down.
 *
 * Lifecycle: `state` changes in one place (`setState`), along these transitions only:
 *
 *   starting -> ready       initialize answered and tools listed
 *   starting -> down        the first start failed, or a restart failed once too often
 *   starting -> crashed     a restart failed within the crash budget: the next call tries again
 *   ready    -> crashed     the process exited; the next call restarts it
 *   ready    -> down        the process exited once too often (MAX_CRASHES within CRASH_WINDOW_MS)
 *   crashed  -> starting    a call arrived: restart, after a back-off
 *   any      -> closed      close() was called; final
 */
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { CallToolResultSchema, ErrorCode, LoggingMessageNotificationSchema, McpError, ToolListChangedNotificationSchema, type CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { z } from 'zod';
import { getDefaultEnvironment } from '@modelcontextprotocol/sdk/client/stdio.js';
import type { ServerSpec } from '../config/schema.js';
import type { McpToolDefinition } from './schema.js';
import { ProcessTreeStdioTransport } from './stdio-transport.js';
import { VERSION } from '../version.js';
import { runMarker } from './watchdog.js';
import { linkedController, sleep, untilAborted } from '../abort.js';
import { ServerCrashedError, ServerDownError, ServerStartError } from './server-errors.js';
import { clientCapabilities, installClientFeatures, type ClientRequestHandlers } from './client-features.js';

export { ServerCrashedError, ServerDownError, ServerStartError };

const STDERR_TAIL_LINES = 40;
/** Marks the host's own notes (e.g. non-JSON on stdout) among the server's stderr lines. */
const HOST_NOTE = '[switchboard] ';
const MAX_CRASHES = 3;
const CRASH_WINDOW_MS = 60_000;

/**
 * - `starting`: a process is being spawned and initialized (first start or restart).
 * - `ready`: connected; calls go straight through.
 * - `crashed`: the process exited unexpectedly; the next call restarts it (tools stay routed).
 * - `down`: it failed to start, or crashed too often: calls fail at once for the rest of the session.
 * - `closed`: `close()` was called; nothing starts again.
 */
export type ConnectionState = 'starting' | 'ready' | 'crashed' | 'down' | 'closed';

const TRANSITIONS: Readonly<Record<ConnectionState, readonly ConnectionState[]>> = {
  starting: ['ready', 'crashed', 'down', 'closed'],
  ready: ['crashed', 'down', 'closed'],
  crashed: ['starting', 'closed'],
  down: ['closed'],
  closed: [],
};

export interface ConnectionObserver {
  /** A line the server wrote to stderr (shown with --verbose). */
  stderrLine?(server: string, line: string): void;
  /** Something the user should see: a crash, a restart, a tool left out. */
  notice?(server: string, message: string): void;
  /** The tool list changed (list_changed, or a restart): routes must be rebuilt. */
  toolsChanged?(server: string): void;
  /** A `notifications/message` log entry from the server (untrusted: render with care). */
  serverLog?(server: string, entry: ServerLogEntry): void;
  /** `state` changed (see the lifecycle above), at once, from `previous` to `state`. */
  stateChanged?(server: string, state: ConnectionState, previous: ConnectionState): void;
}

/** One MCP log message (`notifications/message`). */
export interface ServerLogEntry {
  level: string;
  logger?: string;
  data: unknown;
}

/** A `notifications/progress` update for a running call. */
export interface ToolProgress {
  progress: number;
  total?: number;
  message?: string;
}

export interface ConnectionOptions {
  startupTimeoutMs: number;
  observer?: ConnectionObserver;
  /** Marker prefix for this server's processes (see run-marker.ts); the hub gives one per hub. */
  runScope?: string;
  /** First restart delay, doubled after each crash (tests shorten it). */
  restartBackoffMs?: number;
  /** Sampling and elicitation requests from the server (client-features.ts); none declared without them. */
  requests?: ClientRequestHandlers;
}

/** tools/list read leniently: one bad tool must not hide the others (the SDK's own schema rejects the whole page). */
const LenientToolsPageSchema = z.looseObject({
  tools: z.array(z.unknown()),
  nextCursor: z.string().optional(),
});

/**
 * Bounds on one server's tools/list (issue 9): a server listing 50,000 tools would send
 * megabytes per model request (providers reject far fewer), and one that pages forever
 * must not hold start-up. Past either bound the tools listed so far are kept, with a notice.
 */
export const MAX_TOOLS_PER_SERVER = 1000;
export const MAX_TOOL_PAGES = 100;

/** One start of the server's process: its client, its transport, and what it wrote to stderr. */
interface Run {
  readonly client: Client;
  readonly transport: ProcessTreeStdioTransport;
  readonly stderr: string[];
  /** Set when this run's process exited after a successful start. */
  exited: boolean;
}

export class ServerConnection {
  private current: ConnectionState = 'starting';
  private listed: readonly McpToolDefinition[] = [];
  private run: Run | undefined;
  private readonly crashes: number[] = [];
  private restarting: Promise<void> | undefined;
  /** Aborted by close(): ends a restart's back-off wait. */
  private readonly shutdown = new AbortController();
  /** Numbers tools/list runs, so an older listing never replaces a newer one... */
  private listings = 0;
  /** ...once that newer one has finished (see applyListing). */
  private appliedListing = 0;

  constructor(
    readonly spec: ServerSpec,
    private readonly options: ConnectionOptions,
  ) {}

  get name(): string {
    return this.spec.name;
  }

  /** Where the connection is in its lifecycle (see ConnectionState). */
  get state(): ConnectionState {
    return this.current;
  }

  /** Tools as the server last listed them (only entries with a string name; at most MAX_TOOLS_PER_SERVER). */
  get tools(): readonly McpToolDefinition[] {
    return this.listed;
  }

  get toolCount(): number {
    return this.listed.length;
  }

  /**
   * The SDK client of the running server, for requests beyond tools (resources, prompts,
   * completion: see resources.ts, prompts.ts); undefined unless the server is ready.
   */
  get client(): Client | undefined {
    return this.current === 'ready' ? this.run?.client : undefined;
  }

  get pid(): number | undefined {
    return this.run?.transport.pid;
  }

  /** `npx -y @scope/server /tmp` */
  get commandLine(): string {
    return [this.spec.command, ...this.spec.args].map((part) => (/\s/.test(part) ? JSON.stringify(part) : part)).join(' ');
  }

  /** The last non-blank lines the server wrote to stderr since its latest start, for failure reports. */
  stderrTail(lines = 10): string[] {
    return tailOf(this.run?.stderr ?? [], lines);
  }

  /** The first start; a failure leaves the server down. */
  async start(): Promise<void> {
    try {
      await this.launch();
    } catch (error) {
      this.setState('down');
      throw error;
    }
  }

  /** Spawns and initializes a new run; on failure the caller decides the state. */
  private async launch(): Promise<void> {
    this.setState('starting');
    if (this.current !== 'starting') return; // closed meanwhile
    if (this.spec.transport !== 'stdio') {
      throw new ServerStartError(this.name, 'HTTP servers are not supported yet; only stdio servers (command + args) can be used', this.spec.url ?? '(no url)', []);
    }
    const stderr: string[] = [];
    const transport = new ProcessTreeStdioTransport({
      command: this.spec.command,
      args: this.spec.args,
      env: { ...getDefaultEnvironment(), ...this.spec.env, ...(this.options.runScope ? runMarker(this.options.runScope, this.name) : {}) },
      cwd: this.spec.cwd,
      onStderrLine: (line) => this.onStderrLine(stderr, line),
    });
    const client = new Client({ name: 'switchboard', version: VERSION }, { capabilities: clientCapabilities(this.options.requests) });
    installClientFeatures(client, this.name, this.options.requests);
    client.onerror = (error) => this.onStderrLine(stderr, `${HOST_NOTE}${error.message}`);
    // Before connect: a server may log or announce tools as soon as it is initialized.
    client.setNotificationHandler(ToolListChangedNotificationSchema, () => this.onListChanged(client));
    client.setNotificationHandler(LoggingMessageNotificationSchema, (notification) => {
      const { level, logger, data } = notification.params;
      this.options.observer?.serverLog?.(this.name, { level, ...(logger !== undefined ? { logger } : {}), data });
    });
    const run: Run = { client, transport, stderr, exited: false };
    this.run = run;
    try {
      await client.connect(transport, { timeout: this.options.startupTimeoutMs });
      this.applyListing(++this.listings, await this.listAllTools(client));
    } catch (error) {
      await transport.close().catch(() => undefined);
      throw new ServerStartError(this.name, describeStartFailure(error, this.options.startupTimeoutMs), this.commandLine, tailOf(stderr));
    }
    // Only now: a close during start-up is a start failure, not a crash.
    transport.onclose = chain(transport.onclose, () => this.onTransportClosed(run));
    this.setState('ready');
  }

  async callTool(
    name: string,
    args: Record<string, unknown>,
    options: { signal?: AbortSignal; timeoutMs: number; onProgress?: (progress: ToolProgress) => void },
  ): Promise<CallToolResult> {
    // A signal of our own per call: the SDK adds an abort listener to the signal it is
    // given and never removes it, which would pile up on the turn's signal.
    const perCall = linkedController(options.signal);
    let run: Run | undefined;
    try {
      // The common case (server up) takes no wait; a restart under way is waited for, abortably.
      run = this.current === 'ready' && this.run ? this.run : await untilAborted(this.readyRun(), perCall.signal);
      return await this.callWith(run.client, name, args, perCall.signal, options.timeoutMs, options.onProgress);
    } catch (error) {
      // The SDK rejects calls in flight with ConnectionClosed when the process exits;
      // by then onTransportClosed has judged the crash, so say what happens next.
      if (run?.exited && this.current !== 'closed' && !perCall.signal.aborted && error instanceof McpError && error.code === ErrorCode.ConnectionClosed) {
        throw new ServerCrashedError(this.name, this.current === 'down', tailOf(run.stderr, 3), MAX_CRASHES, CRASH_WINDOW_MS / 1000, run.transport.floodError?.message);
      }
      throw error;
    } finally {
      perCall.dispose();
    }
  }

  private async callWith(
    client: Client,
    name: string,
    args: Record<string, unknown>,
    signal: AbortSignal,
    timeoutMs: number,
    onProgress: ((progress: ToolProgress) => void) | undefined,
  ): Promise<CallToolResult> {
    return (await client.callTool({ name, arguments: args }, CallToolResultSchema, {
      signal,
      timeout: timeoutMs,
      // Progress notifications reset the timeout (the SDK sends a progressToken only
      // when `onprogress` is given), within an overall cap of ten times the timeout.
      onprogress: (update) => onProgress?.({ progress: update.progress, ...(update.total !== undefined ? { total: update.total } : {}), ...(update.message !== undefined ? { message: update.message } : {}) }),
      resetTimeoutOnProgress: true,
      maxTotalTimeout: timeoutMs * 10,
    })) as CallToolResult;
  }

  async close(): Promise<void> {
    this.setState('closed');
    this.shutdown.abort();
    // Closing the transport first also ends a restart's start-up under way (connect fails).
    await this.run?.transport.close().catch(() => undefined);
    await this.restarting?.catch(() => undefined);
    await this.run?.transport.close().catch(() => undefined);
  }

  /**
   * The one place `state` changes. Returns false (and changes nothing) for a transition
   * the lifecycle does not have, e.g. anything after `closed`.
   */
  private setState(next: ConnectionState): boolean {
    if (next === this.current || !TRANSITIONS[this.current].includes(next)) return false;
    const previous = this.current;
    this.current = next;
    this.options.observer?.stateChanged?.(this.name, next, previous);
    return true;
  }

  /** The current run, restarting the server first when it crashed. */
  private async readyRun(): Promise<Run> {
    if (this.current === 'crashed') this.restarting ??= this.restart().finally(() => (this.restarting = undefined));
    // Calls arriving while a restart is under way wait for it too.
    if (this.restarting) await this.restarting;
    if (this.current === 'down') throw new ServerDownError(this.name, MAX_CRASHES, CRASH_WINDOW_MS / 1000);
    if (this.current !== 'ready' || !this.run) throw new Error(`server "${this.name}" is not running (${this.current})`);
    return this.run;
  }

  private async restart(): Promise<void> {
    const attempt = this.crashes.length;
    const delay = Math.min(5_000, (this.options.restartBackoffMs ?? 250) * 2 ** (attempt - 1));
    this.options.observer?.notice?.(this.name, `restarting server "${this.name}" (crash ${attempt}, after ${delay} ms)`);
    await sleep(delay, this.shutdown.signal).catch(() => undefined);
    if (this.current === 'closed') return;
    try {
      await this.launch();
    } catch (error) {
      // A restart that fails counts as a crash.
      this.crashes.push(Date.now());
      this.setState(this.tooManyCrashes() ? 'down' : 'crashed');
      throw error;
    }
    if (this.current !== 'ready') return; // closed during the start
    this.options.observer?.notice?.(this.name, `server "${this.name}" restarted; ${this.listed.length} tools listed again`);
    this.options.observer?.toolsChanged?.(this.name);
  }

  private onTransportClosed(run: Run): void {
    run.exited = true;
    if (run !== this.run || this.current !== 'ready') return; // an old run, or close()
    this.crashes.push(Date.now());
    const markedDown = this.tooManyCrashes();
    this.setState(markedDown ? 'down' : 'crashed');
    const tail = tailOf(run.stderr, 3);
    const detail = tail.length ? ` Its last stderr lines: ${tail.join(' | ')}` : ' It wrote nothing to stderr since it started.';
    // A server stopped for flooding stdout did not exit by itself: say why it was stopped.
    const flood = run.transport.floodError;
    const what = flood ? `was stopped because ${flood.message}` : undefined;
    this.options.observer?.notice?.(
      this.name,
      markedDown
        ? `server "${this.name}" ${what ? `${what}, once too often, and` : 'crashed again and'} is now marked down: its tools answer "server down" until the session ends.${detail}`
        : `server "${this.name}" ${what ?? 'exited unexpectedly'}; it will be restarted on its next tool call.${detail}`,
    );
  }

  /** Forgets crashes older than the window, then says whether the server should stay down. */
  private tooManyCrashes(): boolean {
    const now = Date.now();
    while (this.crashes.length > 0 && now - this.crashes[0]! > CRASH_WINDOW_MS) this.crashes.shift();
    return this.crashes.length >= MAX_CRASHES;
  }

  private async onListChanged(client: Client): Promise<void> {
    const listing = ++this.listings;
    try {
      const tools = await this.listAllTools(client);
      if (client !== this.run?.client || !this.applyListing(listing, tools)) return; // a newer run or listing won
      this.options.observer?.toolsChanged?.(this.name);
    } catch (error) {
      this.options.observer?.notice?.(this.name, `server "${this.name}" announced new tools but listing them failed: ${(error as Error).message}`);
    }
  }

  /** Keeps a finished listing unless a newer one has already been kept; says whether it was kept. */
  private applyListing(listing: number, tools: McpToolDefinition[]): boolean {
    if (listing <= this.appliedListing) return false;
    this.appliedListing = listing;
    this.listed = tools;
    return true;
  }

  /** Pages through tools/list (`nextCursor`), keeping every entry that has a string name. */
  private async listAllTools(client: Client): Promise<McpToolDefinition[]> {
    if (!client.getServerCapabilities()?.tools) return [];
    const tools: McpToolDefinition[] = [];
    const seenCursors = new Set<string>();
    let cursor: string | undefined;
    let listed = 0;
    for (let page = 1; ; page++) {
      const result = await client.request(
        { method: 'tools/list', params: cursor === undefined ? {} : { cursor } },
        LenientToolsPageSchema,
        { timeout: this.options.startupTimeoutMs },
      );
      for (const entry of result.tools) {
        listed++;
        if (tools.length >= MAX_TOOLS_PER_SERVER) continue;
        if (isToolDefinition(entry)) tools.push(entry);
        else this.options.observer?.notice?.(this.name, `server "${this.name}" listed a tool without a name; it is left out`);
      }
      cursor = result.nextCursor;
      if (cursor === undefined || seenCursors.has(cursor)) break;
      seenCursors.add(cursor);
      if (listed > MAX_TOOLS_PER_SERVER || page >= MAX_TOOL_PAGES) {
        const why = listed > MAX_TOOLS_PER_SERVER ? `more than ${MAX_TOOLS_PER_SERVER} tools` : `tools on more than ${MAX_TOOL_PAGES} pages`;
        this.options.observer?.notice?.(this.name, `server "${this.name}" lists ${why}; Switchboard stopped asking for more and uses the first ${tools.length}`);
        return tools;
      }
    }
    if (listed > MAX_TOOLS_PER_SERVER) {
      this.options.observer?.notice?.(
        this.name,
        `server "${this.name}" lists ${listed} tools; only the first ${MAX_TOOLS_PER_SERVER} are used (at most ${MAX_TOOLS_PER_SERVER} per server; pick the ones you need with "tools": {"include": [...]} on its entry)`,
      );
    }
    return tools;
  }

  private onStderrLine(stderr: string[], line: string): void {
    stderr.push(line);
    if (stderr.length > STDERR_TAIL_LINES) stderr.shift();
    this.options.observer?.stderrLine?.(this.name, line);
  }
}

/** Longest stderr line quoted in a failure report or notice (a line may hold 64 KiB). */
const TAIL_LINE_MAX = 1000;

/** The last non-blank lines of a run's stderr that the server itself wrote (not host notes), each cut to TAIL_LINE_MAX. */
function tailOf(stderr: readonly string[], lines = 10): string[] {
  return stderr
    .filter((line) => line.trim() !== '' && !line.startsWith(HOST_NOTE))
    .slice(-lines)
    .map((line) => (line.length > TAIL_LINE_MAX ? `${line.slice(0, TAIL_LINE_MAX)}… [${line.length - TAIL_LINE_MAX} more characters]` : line));
}

function isToolDefinition(value: unknown): value is McpToolDefinition {
  return typeof value === 'object' && value !== null && typeof (value as { name?: unknown }).name === 'string';
}

/** Why a start failed, classified by the SDK's error code (never by message text). */
function describeStartFailure(error: unknown, startupTimeoutMs: number): string {
  if (error instanceof McpError) {
    if (error.code === ErrorCode.RequestTimeout) {
      return `it did not answer the MCP initialize request within ${Math.round(startupTimeoutMs / 1000)} s`;
    }
    if (error.code === ErrorCode.ConnectionClosed) return 'the process exited before completing the MCP handshake';
    return `it answered with an error: ${error.message.replace(/^MCP error -?\d+: /, '')}`;
  }
  return error instanceof Error ? error.message : String(error);
}

function chain(first: (() => void) | undefined, second: () => void): () => void {
  return () => {
    first?.();
    second();
  };
}
