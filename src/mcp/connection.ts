/**
 * One configured MCP server: start, handshake, paged tools/list, callTool,
 * restart after a crash, close.
 *
 * Contract:
 * - `start()` resolves when the server answered initialize and listed its tools, or
 *   throws a `ServerStartError` naming the server, its command and the last lines of
 *   its stderr.
 * - `callTool()` resolves with the server's result or throws (`McpError` for protocol
 *   errors and timeouts, `ServerDownError` when the server crashed too often). A call
 *   in flight when the server dies fails at once (the SDK rejects pending requests
 *   when the transport closes).
 * - After a crash, the next call restarts the server, with back-off; after
 *   MAX_CRASHES crashes within CRASH_WINDOW_MS the server is marked down for the
 *   rest of the session.
 * - `close()` shuts the server's whole process tree down.
 */
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { CallToolResultSchema, LoggingMessageNotificationSchema, ToolListChangedNotificationSchema, type CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { z } from 'zod';
import { getDefaultEnvironment } from '@modelcontextprotocol/sdk/client/stdio.js';
import type { ServerSpec } from '../config/schema.js';
import type { McpToolDefinition } from './schema.js';
import { ProcessTreeStdioTransport } from './stdio-transport.js';
import { VERSION } from '../version.js';
import { runMarker } from './watchdog.js';
import { linkedController, sleep, untilAborted } from '../abort.js';

const STDERR_TAIL_LINES = 40;
/** Marks the host's own notes (e.g. non-JSON on stdout) among the server's stderr lines. */
const HOST_NOTE = '[switchboard] ';
const MAX_CRASHES = 3;
const CRASH_WINDOW_MS = 60_000;

export type ConnectionState = 'starting' | 'ready' | 'crashed' | 'down' | 'closed';

export interface ConnectionObserver {
  /** A line the server wrote to stderr (shown with --verbose). */
  stderrLine?(server: string, line: string): void;
  /** Something the user should see: a crash, a restart, a tool left out. */
  notice?(server: string, message: string): void;
  /** The tool list changed (list_changed, or a restart): routes must be rebuilt. */
  toolsChanged?(server: string): void;
  /** A `notifications/message` log entry from the server (untrusted: render with care). */
  serverLog?(server: string, entry: ServerLogEntry): void;
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
}

export class ServerStartError extends Error {
  constructor(
    readonly server: string,
    readonly reason: string,
    readonly command: string,
    readonly stderrTail: string[],
  ) {
    const tail = stderrTail.length ? `\n    last stderr lines:\n${stderrTail.map((l) => `      | ${l}`).join('\n')}` : '';
    super(`server "${server}" failed to start: ${reason}\n    command: ${command}${tail}`);
    this.name = 'ServerStartError';
  }
}

export class ServerDownError extends Error {
  constructor(readonly server: string, crashes: number, windowSeconds: number) {
    super(`server "${server}" is down: it crashed ${crashes} times within ${windowSeconds} s, so Switchboard stopped restarting it for this session`);
    this.name = 'ServerDownError';
  }
}

/** tools/list read leniently: one bad tool must not hide the others (the SDK's own schema rejects the whole page). */
const LenientToolsPageSchema = z.looseObject({
  tools: z.array(z.unknown()),
  nextCursor: z.string().optional(),
});

const MAX_PAGES = 1000;

export class ServerConnection {
  state: ConnectionState = 'starting';
  /** Tools as the server listed them (only entries with a string name). */
  tools: McpToolDefinition[] = [];
  private client: Client | undefined;
  private transport: ProcessTreeStdioTransport | undefined;
  private readonly stderr: string[] = [];
  private readonly crashes: number[] = [];
  private restarting: Promise<void> | undefined;
  private closing = false;
  /** Aborted by close(): stops a restart's back-off wait. */
  private readonly closed = new AbortController();
  /** Numbers tools/list runs, so an older listing never replaces a newer one. */
  private listings = 0;

  constructor(
    readonly spec: ServerSpec,
    private readonly options: ConnectionOptions,
  ) {}

  get name(): string {
    return this.spec.name;
  }

  get pid(): number | undefined {
    return this.transport?.pid;
  }

  /** `npx -y @scope/server /tmp` */
  get commandLine(): string {
    return [this.spec.command, ...this.spec.args].map((part) => (/\s/.test(part) ? JSON.stringify(part) : part)).join(' ');
  }

  /** The last non-blank lines the server itself wrote to stderr, for failure reports. */
  stderrTail(lines = 10): string[] {
    return this.stderr.filter((line) => line.trim() !== '' && !line.startsWith(HOST_NOTE)).slice(-lines);
  }

  async start(): Promise<void> {
    this.state = 'starting';
    if (this.spec.transport !== 'stdio') {
      this.state = 'down';
      throw new ServerStartError(this.name, 'HTTP servers are not supported yet; only stdio servers (command + args) can be used', this.spec.url ?? '(no url)', []);
    }
    const transport = new ProcessTreeStdioTransport({
      command: this.spec.command,
      args: this.spec.args,
      env: { ...getDefaultEnvironment(), ...this.spec.env, ...(this.options.runScope ? runMarker(this.options.runScope, this.name) : {}) },
      cwd: this.spec.cwd,
      onStderrLine: (line) => this.onStderrLine(line),
    });
    const client = new Client({ name: 'switchboard', version: VERSION }, { capabilities: {} });
    client.onerror = (error) => this.onStderrLine(`${HOST_NOTE}${error.message}`);
    this.transport = transport;
    this.client = client;
    try {
      await client.connect(transport, { timeout: this.options.startupTimeoutMs });
      client.setNotificationHandler(ToolListChangedNotificationSchema, () => this.onListChanged(client));
      client.setNotificationHandler(LoggingMessageNotificationSchema, (notification) => {
        const { level, logger, data } = notification.params;
        this.options.observer?.serverLog?.(this.name, { level, ...(logger !== undefined ? { logger } : {}), data });
      });
      this.listings++;
      this.tools = await this.listAllTools(client);
    } catch (error) {
      await transport.close().catch(() => undefined);
      this.state = 'down';
      throw new ServerStartError(this.name, describeStartFailure(error, this.options.startupTimeoutMs), this.commandLine, this.stderrTail());
    }
    // Only now: a close during start-up is a start failure, not a crash.
    transport.onclose = chain(transport.onclose, () => this.onTransportClosed(client));
    this.state = 'ready';
  }

  async callTool(
    name: string,
    args: Record<string, unknown>,
    options: { signal?: AbortSignal; timeoutMs: number; onProgress?: (progress: ToolProgress) => void },
  ): Promise<CallToolResult> {
    // A signal of our own per call: the SDK adds an abort listener to the signal it is
    // given and never removes it, which would pile up on the turn's signal.
    const perCall = linkedController(options.signal);
    try {
      // The common case (server up) takes no wait; a restart under way is waited for, abortably.
      const client = this.state === 'ready' && this.client ? this.client : await untilAborted(this.readyClient(), perCall.signal);
      return await this.callWith(client, name, args, perCall.signal, options.timeoutMs, options.onProgress);
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
    this.closing = true;
    this.closed.abort();
    this.state = 'closed';
    // Closing the transport first also ends a restart's start-up under way (connect fails).
    await this.transport?.close().catch(() => undefined);
    await this.restarting?.catch(() => undefined);
    await this.transport?.close().catch(() => undefined);
    this.state = 'closed';
  }

  /** The connected client, restarting the server first when it crashed. */
  private async readyClient(): Promise<Client> {
    if (this.state === 'crashed') this.restarting ??= this.restart().finally(() => (this.restarting = undefined));
    // Calls arriving while a restart is under way wait for it too.
    if (this.restarting) await this.restarting;
    if (this.state === 'down') {
      throw new ServerDownError(this.name, MAX_CRASHES, CRASH_WINDOW_MS / 1000);
    }
    if (this.state !== 'ready' || !this.client) throw new Error(`server "${this.name}" is not running (${this.state})`);
    return this.client;
  }

  private async restart(): Promise<void> {
    const attempt = this.crashes.length;
    const delay = Math.min(5_000, (this.options.restartBackoffMs ?? 250) * 2 ** (attempt - 1));
    this.options.observer?.notice?.(this.name, `restarting server "${this.name}" (crash ${attempt}, after ${delay} ms)`);
    await sleep(delay, this.closed.signal).catch(() => undefined);
    if (this.closing) return;
    try {
      await this.start();
      this.options.observer?.notice?.(this.name, `server "${this.name}" restarted; ${this.tools.length} tools listed again`);
      this.options.observer?.toolsChanged?.(this.name);
    } catch (error) {
      this.crashes.push(Date.now());
      this.state = this.tooManyCrashes() ? 'down' : 'crashed';
      throw error;
    }
  }

  private onTransportClosed(client: Client): void {
    if (this.closing || client !== this.client) return;
    const now = Date.now();
    this.crashes.push(now);
    this.state = this.tooManyCrashes() ? 'down' : 'crashed';
    const tail = this.stderrTail(3);
    const detail = tail.length ? ` Last stderr: ${tail.join(' | ')}` : '';
    this.options.observer?.notice?.(
      this.name,
      this.state === 'down'
        ? `server "${this.name}" crashed again and is now marked down: its tools answer "server down" until the session ends.${detail}`
        : `server "${this.name}" exited unexpectedly; it will be restarted on its next tool call.${detail}`,
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
      if (client !== this.client || listing !== this.listings) return; // a newer listing or client won
      this.tools = tools;
      this.options.observer?.toolsChanged?.(this.name);
    } catch (error) {
      this.options.observer?.notice?.(this.name, `server "${this.name}" announced new tools but listing them failed: ${(error as Error).message}`);
    }
  }

  /** Pages through tools/list (`nextCursor`), keeping every entry that has a string name. */
  private async listAllTools(client: Client): Promise<McpToolDefinition[]> {
    if (!client.getServerCapabilities()?.tools) return [];
    const tools: McpToolDefinition[] = [];
    const seenCursors = new Set<string>();
    let cursor: string | undefined;
    for (let page = 0; page < MAX_PAGES; page++) {
      const result = await client.request(
        { method: 'tools/list', params: cursor === undefined ? {} : { cursor } },
        LenientToolsPageSchema,
        { timeout: this.options.startupTimeoutMs },
      );
      for (const entry of result.tools) {
        if (isToolDefinition(entry)) tools.push(entry);
        else this.options.observer?.notice?.(this.name, `server "${this.name}" listed a tool without a name; it is left out`);
      }
      cursor = result.nextCursor;
      if (cursor === undefined || seenCursors.has(cursor)) break;
      seenCursors.add(cursor);
    }
    return tools;
  }

  private onStderrLine(line: string): void {
    this.stderr.push(line);
    if (this.stderr.length > STDERR_TAIL_LINES) this.stderr.shift();
    this.options.observer?.stderrLine?.(this.name, line);
  }
}

function isToolDefinition(value: unknown): value is McpToolDefinition {
  return typeof value === 'object' && value !== null && typeof (value as { name?: unknown }).name === 'string';
}

function describeStartFailure(error: unknown, startupTimeoutMs: number): string {
  const message = error instanceof Error ? error.message : String(error);
  if (/Request timed out/i.test(message)) {
    return `it did not answer the MCP initialize request within ${Math.round(startupTimeoutMs / 1000)} s`;
  }
  if (/Connection closed/i.test(message)) return 'the process exited before completing the MCP handshake';
  return message.replace(/^MCP error -?\d+: /, '');
}

function chain(first: (() => void) | undefined, second: () => void): () => void {
  return () => {
    first?.();
    second();
  };
}
