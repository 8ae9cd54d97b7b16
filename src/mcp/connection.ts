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
 * - `close()` shuts the server's whole process tree down (a remote server: ends its session).
 *
 * Remote servers (`transport: 'http'`, see transports/remote.ts) go through the same
 * machine: a lost connection (refused, 5xx, a dropped stream the SDK could not resume)
 * counts as a crash; a 404 on a call (expired session) re-initializes once and retries it;
 * a 401 runs the authorization flow through `options.authorizer`.
 *
 * Lifecycle: `state` changes in one place (`setState`), along these transitions only:
 *
 *   starting -> ready       initialize answered and tools listed
 *   starting -> down        the first start failed, or a restart failed once too often
 *   starting -> crashed     a restart failed within the crash budget: the next call tries again
 *   ready    -> crashed     the process exited; the next call restarts it
 *   ready    -> down        the process exited once too often (MAX_CRASHES within CRASH_WINDOW_MS)
 *   ready    -> starting    a remote session expired (404): re-initialize
 *   crashed  -> starting    a call arrived: restart, after a back-off
 *   any      -> closed      close() was called; final
 */
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { CallToolResultSchema, ErrorCode, LoggingMessageNotificationSchema, McpError, ToolListChangedNotificationSchema, type CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { z } from 'zod';
import type { ServerSpec } from '../config/schema.js';
import type { McpToolDefinition } from './schema.js';
import { ProcessTreeStdioTransport } from './stdio-transport.js';
import { serverEnvironment } from './server-process.js';
import { VERSION } from '../version.js';
import { runMarker } from './watchdog.js';
import { linkedController, sleep, untilAborted } from '../abort.js';
import { ServerCrashedError, ServerDownError, ServerStartError } from './server-errors.js';
import type { Transport } from '@modelcontextprotocol/sdk/shared/transport.js';
import type { OAuthClientProvider } from '@modelcontextprotocol/sdk/client/auth.js';
import type { jsonSchemaValidator } from '@modelcontextprotocol/sdk/validation/types.js';
import { AjvJsonSchemaValidator } from '@modelcontextprotocol/sdk/validation/ajv-provider.js';
import { clientCapabilities, mcpLoggingLevel, registerClientHandlers, type ClientRequestHandlers } from './client-features.js';
import type { LogLevel } from '../log/logger.js';

export { ServerCrashedError, ServerDownError, ServerStartError };

/**
 * The remote transports (transports/remote.ts: the SDK's Streamable HTTP and SSE clients, its
 * OAuth module, eventsource) are loaded by the first remote start, not with this module: a
 * run with stdio servers only never needs them (issue 12: start-up cost). Every use below is
 * on a remote run's path, after `connectRemote` loaded them.
 */
type RemoteModule = typeof import('./transports/remote.js');
let remoteModule: RemoteModule | undefined;
async function loadRemote(): Promise<RemoteModule> {
  remoteModule ??= await import('./transports/remote.js');
  return remoteModule;
}
/** The remote module, on a path that only a remote run (which loaded it) reaches. */
function remote(): RemoteModule {
  if (!remoteModule) throw new Error('internal error: remote transport used before it was loaded');
  return remoteModule;
}

/**
 * The SDK client's JSON Schema validator, built on first use: the SDK builds an Ajv instance
 * (with formats) per client by default, ~15 ms of CPU each at start-up, for validators this
 * host rarely asks of it (it reads tools/list itself, so the client never compiles output
 * schemas; only an accepted elicitation's content is checked by the SDK).
 */
class LazyAjvValidator implements jsonSchemaValidator {
  private inner: AjvJsonSchemaValidator | undefined;
  getValidator<T>(schema: Parameters<jsonSchemaValidator['getValidator']>[0]) {
    this.inner ??= new AjvJsonSchemaValidator();
    return this.inner.getValidator<T>(schema);
  }
}

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
  ready: ['starting', 'crashed', 'down', 'closed'],
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
  /** OAuth for remote servers (src/auth implements it); without it a 401 fails the start. */
  authorizer?: RemoteAuthorizer;
  /** Sent as `logging/setLevel` after initialize to a server that declares `logging`. */
  logLevel?: LogLevel;
  /** Sampling and elicitation requests from the server (client-features.ts); none declared without them. */
  requests?: ClientRequestHandlers;
}

/** What the latest start learnt about the server (for `doctor`). */
export interface ServerDescription {
  /** The protocol version agreed in initialize. */
  protocolVersion?: string;
  serverInfo?: { name: string; version: string; title?: string };
  capabilities: Record<string, unknown>;
  /** From spawning the process to the initialize answer. */
  initMs: number;
}

/**
 * What a remote connection needs for OAuth, kept as an interface so mcp/ knows nothing of
 * where tokens are stored or how a browser is opened.
 */
export interface RemoteAuthorizer {
  /** The SDK provider for this server (tokens, client registration, PKCE), if it may use OAuth. */
  provider(spec: ServerSpec): Promise<OAuthClientProvider | undefined>;
  /**
   * After the provider was asked to redirect the user: resolves with the authorization code
   * from the redirect, or rejects (no browser possible, timeout, wrong state).
   */
  authorizationCode(spec: ServerSpec, signal: AbortSignal): Promise<string>;
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

/** One start of the server's process (or one remote session): its client, its transport, and what it wrote to stderr. */
interface Run {
  readonly client: Client;
  /** `floodError`: set by the stdio transport when the server flooded stdout (see stdio-transport.ts). */
  readonly transport: Transport & { readonly pid?: number | null; readonly floodError?: Error | undefined };
  readonly stderr: string[];
  /** A remote run: completes a sign-in on its transport (the SDK's `finishAuth`). */
  finishAuth?: (code: string) => Promise<void>;
  /** Set when this run's process exited after a successful start. */
  exited: boolean;
  /** The `logging/setLevel` exchange, sent before tools/list but awaited after it (never rejects). */
  levelSet?: Promise<void>;
}

export class ServerConnection {
  private current: ConnectionState = 'starting';
  private listed: readonly McpToolDefinition[] = [];
  private run: Run | undefined;
  private described: ServerDescription | undefined;
  private readonly crashes: number[] = [];
  private restarting: Promise<void> | undefined;
  /** Aborted by close(): ends a restart's back-off wait. */
  private readonly shutdown = new AbortController();
  /** Numbers tools/list runs, so an older listing never replaces a newer one... */
  private listings = 0;
  /** ...once that newer one has finished (see applyListing). */
  private appliedListing = 0;
  /** The first start, while it runs: a call arriving meanwhile waits for it. */
  private firstStart: Promise<void> | undefined;

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
    return this.run?.transport.pid ?? undefined;
  }

  get isRemote(): boolean {
    return this.spec.transport === 'http';
  }

  /** `npx -y @scope/server /tmp`, or a remote server's URL. */
  get commandLine(): string {
    if (this.isRemote) return this.spec.url ?? '';
    return [this.spec.command, ...this.spec.args].map((part) => (/\s/.test(part) ? JSON.stringify(part) : part)).join(' ');
  }

  /** The last non-blank lines the server wrote to stderr since its latest start, for failure reports. */
  stderrTail(lines = 10): string[] {
    return tailOf(this.run?.stderr ?? [], lines);
  }

  /** What the latest successful start learnt (undefined before one). */
  get description(): ServerDescription | undefined {
    return this.described;
  }

  /**
   * Counts what the server lists for `method` (paged; at most MAX_TOOL_PAGES pages), or
   * undefined when it does not declare the capability. For `doctor`.
   */
  async countListed(method: 'resources/list' | 'resources/templates/list' | 'prompts/list'): Promise<number | undefined> {
    const client = this.run?.client;
    const capability = method.startsWith('resources') ? 'resources' : 'prompts';
    if (!client || !client.getServerCapabilities()?.[capability]) return undefined;
    const key = method === 'resources/list' ? 'resources' : method === 'prompts/list' ? 'prompts' : 'resourceTemplates';
    let count = 0;
    let cursor: string | undefined;
    for (let page = 1; page <= MAX_TOOL_PAGES; page++) {
      const result = await client.request({ method, params: cursor === undefined ? {} : { cursor } }, z.looseObject({ [key]: z.array(z.unknown()), nextCursor: z.string().optional() }), { timeout: this.options.startupTimeoutMs });
      count += (result[key] as unknown[]).length;
      cursor = result.nextCursor as string | undefined;
      if (cursor === undefined) break;
    }
    return count;
  }

  /** The first start; a failure leaves the server down. */
  start(): Promise<void> {
    this.firstStart ??= this.launch().catch((error: unknown) => {
      this.setState('down');
      throw error;
    });
    return this.firstStart;
  }

  /**
   * Tools known before the server answers (a cached listing): shown as `tools` until the
   * server's own listing replaces them. Only before the first listing. A server that then
   * fails to start keeps them: a call to one is answered with the start failure.
   */
  seed(tools: readonly McpToolDefinition[]): void {
    if (this.appliedListing === 0) this.listed = tools;
  }

  /** Whether the server ever came up (listed its tools). */
  get everReady(): boolean {
    return this.appliedListing > 0;
  }

  /** Resolves once the first start is over, however it ended (never rejects). */
  settled(): Promise<void> {
    return (this.firstStart ?? Promise.resolve()).then(
      () => undefined,
      () => undefined,
    );
  }

  /** Spawns and initializes a new run; on failure the caller decides the state. */
  private async launch(): Promise<void> {
    this.setState('starting');
    if (this.current !== 'starting') return; // closed meanwhile
    const run = this.isRemote ? await this.connectRemote() : await this.connectStdio();
    try {
      const listing = ++this.listings;
      const tools = await this.withSignIn(run, () => this.listAllTools(run.client));
      await run.levelSet;
      this.applyListing(listing, tools);
    } catch (error) {
      await run.transport.close().catch(() => undefined);
      throw new ServerStartError(this.name, this.describeFailure(error), this.commandLine, tailOf(run.stderr));
    }
    // Only now: a close during start-up is a start failure, not a crash.
    run.transport.onclose = chain(run.transport.onclose, () => this.onTransportClosed(run));
    this.setState('ready');
  }

  /** A client with the host's handlers, set before connect: a server may log or announce tools as soon as it is initialized. */
  private newRun(transport: Run['transport'], stderr: string[]): Run {
    const client = new Client({ name: 'switchboard', version: VERSION }, { capabilities: clientCapabilities(this.options.requests), jsonSchemaValidator: new LazyAjvValidator() });
    const run: Run = { client, transport, stderr, exited: false };
    registerClientHandlers(client, this.spec, this.options.requests);
    client.onerror = (error) => {
      this.onStderrLine(stderr, `${HOST_NOTE}${error.message}`);
      // A remote stream the SDK gave up resuming: the run is lost, like an exited process
      // (closing it rejects the calls in flight at once instead of leaving them to time out).
      if (!this.isRemote || run !== this.run || this.current !== 'ready') return;
      if (remote().isLostConnection(error)) this.lose(run, error);
      // A dropped stream: if the server is gone, calls waiting on that stream would wait for
      // their timeout; a ping finds out now (a server that is up answers, even with an error).
      else if (remote().isStreamDrop(error)) {
        run.client.ping({ timeout: 10_000 }).catch((pingError: unknown) => {
          if (remote().isLostConnection(pingError) || (pingError instanceof McpError && pingError.code === ErrorCode.RequestTimeout)) this.lose(run, pingError);
        });
      }
    };
    client.setNotificationHandler(ToolListChangedNotificationSchema, () => this.onListChanged(client));
    client.setNotificationHandler(LoggingMessageNotificationSchema, (notification) => {
      const { level, logger, data } = notification.params;
      this.options.observer?.serverLog?.(this.name, { level, ...(logger !== undefined ? { logger } : {}), data });
    });
    return run;
  }

  private async connectStdio(): Promise<Run> {
    const stderr: string[] = [];
    const transport = new ProcessTreeStdioTransport({
      command: this.spec.command,
      args: this.spec.args,
      env: serverEnvironment(this.spec.env, this.options.runScope ? runMarker(this.options.runScope, this.name) : {}),
      cwd: this.spec.cwd,
      onStderrLine: (line) => this.onStderrLine(stderr, line),
    });
    const run = this.newRun(transport, stderr);
    this.run = run;
    const spawnedAt = performance.now();
    try {
      await run.client.connect(transport, { timeout: this.options.startupTimeoutMs });
      const initMs = Math.round(performance.now() - spawnedAt);
      const serverInfo = run.client.getServerVersion();
      this.described = { protocolVersion: transport.protocolVersion, ...(serverInfo ? { serverInfo } : {}), capabilities: { ...run.client.getServerCapabilities() }, initMs };
      // Sent now and awaited with the listing (launch): on stdio the server reads it before
      // tools/list, without the host waiting a round trip for its answer first.
      run.levelSet = this.setLogLevel(run.client, stderr);
    } catch (error) {
      await transport.close().catch(() => undefined);
      throw new ServerStartError(this.name, this.describeFailure(error), this.commandLine, tailOf(stderr));
    }
    return run;
  }

  /**
   * Connects over HTTP: each transport kind in turn (a fresh client each: `auto` falls back
   * from Streamable HTTP to SSE only on the legacy-server signal), and once through the
   * authorization-code flow when the server answers 401 and no token will do.
   */
  private async connectRemote(): Promise<Run> {
    const { insecureUrlProblem } = await loadRemote();
    const insecure = insecureUrlProblem(this.spec);
    if (insecure) throw new ServerStartError(this.name, insecure, this.commandLine, []);
    const provider = await this.options.authorizer?.provider(this.spec);
    const kinds = remote().remoteKinds(this.spec);
    let authorized = false;
    for (let i = 0; i < kinds.length; i++) {
      const created = remote().createRemoteTransport(this.spec, kinds[i]!, provider, (status, waitMs) =>
        this.options.observer?.notice?.(this.name, `server "${this.name}" is busy (HTTP ${status}); retrying in ${Math.ceil(waitMs / 1000)} s as it asks (Retry-After)`),
      );
      const stderr: string[] = [];
      const run = this.newRun(created.transport, stderr);
      run.finishAuth = (code) => created.finishAuth(code);
      this.run = run;
      try {
        await run.client.connect(created.transport, { timeout: this.options.startupTimeoutMs });
        return run;
      } catch (error) {
        await created.transport.close().catch(() => undefined);
        if (remote().isUnauthorized(error) && provider && this.options.authorizer && !authorized) {
          // The provider has sent the user to the authorization page: wait for the redirect,
          // trade the code for tokens, then connect again with them (same transport kind).
          authorized = true;
          try {
            const code = await this.options.authorizer.authorizationCode(this.spec, this.shutdown.signal);
            await created.finishAuth(code);
          } catch (authError) {
            throw new ServerStartError(this.name, `authorization failed: ${this.describeFailure(authError)}`, this.commandLine, []);
          }
          i--;
          continue;
        }
        if (i + 1 < kinds.length && remote().isLegacyServerSignal(error)) continue;
        throw new ServerStartError(this.name, this.describeFailure(error), this.commandLine, tailOf(stderr));
      }
    }
    throw new ServerStartError(this.name, 'no transport left to try', this.commandLine, []);
  }

  /**
   * Runs `operation`; when a remote server wants a (new) sign-in for it (a 401, or a 403
   * asking for more scopes, which the SDK answers by sending the user to authorize), waits
   * for the redirect's code, completes the sign-in and runs it once more. Once: a server
   * that keeps refusing is not asked again (no loop).
   */
  private async withSignIn<T>(run: Run, operation: () => Promise<T>): Promise<T> {
    try {
      return await operation();
    } catch (error) {
      const authorizer = this.options.authorizer;
      if (!run.finishAuth || !authorizer || !remote().isUnauthorized(error)) throw error;
      const code = await authorizer.authorizationCode(this.spec, this.shutdown.signal);
      await run.finishAuth(code);
      return await operation();
    }
  }

  /** Why a start or a request failed, with a remote server's URL and cause. */
  private describeFailure(error: unknown): string {
    if (!this.isRemote || error instanceof McpError) return describeStartFailure(error, this.options.startupTimeoutMs, this.isRemote);
    if (remote().isUnauthorized(error)) return `${this.spec.url} needs authorization (HTTP 401); run \`switchboard auth ${this.name}\` in a terminal first, or set the token in the entry's "headers"`;
    return `${this.spec.url}: ${remote().describeRemoteError(error)}`;
  }

  /** A remote run whose connection is gone: closed, so its calls fail now and the next call reconnects (a crash, for the budget). */
  private lose(run: Run, cause: unknown): void {
    if (run.exited) return;
    this.onStderrLine(run.stderr, `connection to ${this.spec.url} lost: ${remote().describeRemoteError(cause)}`);
    if (run.transport instanceof remote().SessionEndingTransport) run.transport.unreachable = true;
    void run.transport.close().catch(() => undefined);
  }

  /** `logging/setLevel` to a server that declares `logging`; a refusal is noted on its stderr, never fatal. */
  private async setLogLevel(client: Client, stderr: string[]): Promise<void> {
    if (!this.options.logLevel || !client.getServerCapabilities()?.logging) return;
    try {
      await client.setLoggingLevel(mcpLoggingLevel(this.options.logLevel), { timeout: this.options.startupTimeoutMs });
    } catch (error) {
      this.onStderrLine(stderr, `${HOST_NOTE}logging/setLevel failed: ${(error as Error).message}`);
    }
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
      try {
        const current = run;
        return await this.withSignIn(current, () => this.callWith(current.client, name, args, perCall.signal, options.timeoutMs, options.onProgress));
      } catch (error) {
        if (!this.isRemote || perCall.signal.aborted) throw error;
        if (remote().isExpiredSession(error)) {
          // The server forgot the session (404): a new one, once, and the same call again.
          // (Another call may have started the new session already: then this one waits for it.)
          if (this.current === 'ready' && run === this.run) {
            this.options.observer?.notice?.(this.name, `server "${this.name}": the session expired (HTTP 404); re-initializing`);
            // `starting` first, so closing the old session is not taken for a crash.
            this.setState('starting');
            const expired = run;
            this.restarting ??= expired.transport.close().catch(() => undefined).then(() => this.launch()).catch((launchError: unknown) => {
              this.crashes.push(Date.now());
              this.setState(this.tooManyCrashes() ? 'down' : 'crashed');
              throw launchError;
            }).finally(() => (this.restarting = undefined));
          }
          run = await untilAborted(this.readyRun(), perCall.signal);
          return await this.callWith(run.client, name, args, perCall.signal, options.timeoutMs, options.onProgress);
        }
        if (remote().isLostConnection(error)) this.lose(run, error);
        throw error;
      }
    } catch (error) {
      // The SDK rejects calls in flight with ConnectionClosed when the process exits;
      // by then onTransportClosed has judged the crash, so say what happens next.
      const closed = error instanceof McpError && error.code === ErrorCode.ConnectionClosed;
      if (run?.exited && this.current !== 'closed' && !perCall.signal.aborted && (closed || (this.isRemote && remote().isLostConnection(error)))) {
        throw new ServerCrashedError(this.name, this.current === 'down', tailOf(run.stderr, 3), MAX_CRASHES, CRASH_WINDOW_MS / 1000, run.transport.floodError?.message);
      }
      // An HTTP error status (e.g. 429 after the Retry-After it asked for was too long to wait): said with the URL and status.
      if (this.isRemote && remote().isHttpStatusError(error)) throw new Error(this.describeFailure(error));
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
    if (this.listed.some((tool) => tool.name === name && tool.execution?.taskSupport === 'required')) {
      return callAsTask(client, name, args, signal, timeoutMs, onProgress);
    }
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
    // Never up yet (a chat that went ahead with cached tools): wait for the first start;
    // its failure is the call's answer, now and later.
    if (this.firstStart && this.appliedListing === 0) await this.firstStart;
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
    const detail = this.isRemote ? (tail.length ? ` ${tail.join(' | ')}` : '') : tail.length ? ` Its last stderr lines: ${tail.join(' | ')}` : ' It wrote nothing to stderr since it started.';
    // A server stopped for flooding stdout did not exit by itself: say why it was stopped.
    const flood = run.transport.floodError;
    const what = flood ? `was stopped because ${flood.message}` : this.isRemote ? `lost its connection (${this.spec.url})` : 'exited unexpectedly';
    this.options.observer?.notice?.(
      this.name,
      markedDown
        ? `server "${this.name}" ${flood ? `${what}, once too often, and` : this.isRemote ? 'lost its connection again and' : 'crashed again and'} is now marked down: its tools answer "server down" until the session ends.${detail}`
        : `server "${this.name}" ${what}; it will be ${this.isRemote ? 'reconnected' : 'restarted'} on its next tool call.${detail}`,
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
      if (this.current === 'closed' || client !== this.run?.client) return; // closed meanwhile: nothing to report
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
function describeStartFailure(error: unknown, startupTimeoutMs: number, remote = false): string {
  if (error instanceof McpError) {
    if (error.code === ErrorCode.RequestTimeout) {
      return `it did not answer the MCP initialize request within ${Math.round(startupTimeoutMs / 1000)} s`;
    }
    if (error.code === ErrorCode.ConnectionClosed) return remote ? 'the connection closed before completing the MCP handshake' : 'the process exited before completing the MCP handshake';
    return `it answered with an error: ${error.message.replace(/^MCP error -?\d+: /, '')}`;
  }
  return error instanceof Error ? error.message : String(error);
}

/**
 * A tool that can only run as an MCP task (`execution.taskSupport: "required"`), through the
 * SDK's task API: `tools/call` with `task` creates the task, `tasks/get` is polled (each
 * status is reported as progress: `task working: Gathering sources...`), `tasks/result`
 * fetches the result. Each request may take `timeoutMs`; the whole task at most ten times
 * that, as for progress-extended calls. When the call is aborted (Ctrl+C, the turn cancelled,
 * the overall limit) while the task runs, the server is sent `tasks/cancel`.
 */
async function callAsTask(
  client: Client,
  name: string,
  args: Record<string, unknown>,
  signal: AbortSignal,
  timeoutMs: number,
  onProgress: ((progress: ToolProgress) => void) | undefined,
): Promise<CallToolResult> {
  // A linked controller and a timer cleared at the end, not AbortSignal.any + AbortSignal.timeout:
  // those keep every combined signal (and the timer) alive until the timeout fires (see abort.ts).
  const link = linkedController(signal);
  const overall = link.signal;
  const limit = setTimeout(() => link.abort(new Error('task time limit')), timeoutMs * 10);
  let taskId: string | undefined;
  let finished = false;
  let updates = 0;
  try {
    const stream = client.experimental.tasks.callToolStream({ name, arguments: args }, CallToolResultSchema, { signal: overall, timeout: timeoutMs, task: {} });
    for await (const message of stream) {
      if (message.type === 'taskCreated') {
        taskId = message.task.taskId;
        onProgress?.({ progress: ++updates, message: `task ${message.task.status}` });
      } else if (message.type === 'taskStatus') {
        const { status, statusMessage } = message.task;
        onProgress?.({ progress: ++updates, message: `task ${status}${statusMessage ? `: ${statusMessage}` : ''}` });
      } else if (message.type === 'result') {
        finished = true;
        return message.result as CallToolResult;
      } else {
        // An abort ends the stream with an error too, while the task still runs: that one is cancelled below.
        finished = !overall.aborted;
        if (overall.aborted && !signal.aborted) throw new McpError(ErrorCode.RequestTimeout, `the task did not finish within ${Math.round((timeoutMs * 10) / 1000)} s`);
        throw message.error;
      }
    }
    throw new McpError(ErrorCode.InternalError, 'the task ended without a result');
  } finally {
    clearTimeout(limit);
    link.dispose();
    if (taskId !== undefined && !finished) {
      await client.experimental.tasks.cancelTask(taskId, { timeout: Math.min(timeoutMs, 5_000) }).catch(() => undefined);
    }
  }
}

function chain(first: (() => void) | undefined, second: () => void): () => void {
  return () => {
    first?.();
    second();
  };
}
