/**
 * An MCP stdio client transport that owns its server's whole process tree.
 *
 * The SDK's `StdioClientTransport` signals only the process it spawned, so the real
 * server behind an `npx` or `uvx` wrapper (a grandchild) can outlive the host. This
 * transport starts the server as the leader of a new process group and, on close,
 * shuts the GROUP down in stages: stdin EOF, then SIGTERM, then SIGKILL. Framing
 * (newline-delimited JSON-RPC) is read in linear time by `LineReader` (the SDK's `ReadBuffer`
 * is quadratic in the line's length); each line is parsed as the SDK does.
 *
 * Contract:
 * - `start()` resolves once the process is spawned; it rejects when the command
 *   cannot be started (ENOENT, EACCES) with a message naming the command.
 * - stderr is captured (never inherited) and handed to `onStderrLine`, one line at a time;
 *   a line longer than MAX_STDERR_LINE_BYTES is cut there, the rest dropped with a marker.
 * - A stdout line that is not JSON-RPC is reported through `onerror` and skipped.
 * - A stdout message longer than MAX_MESSAGE_BYTES (or a line that never ends) is flooding:
 *   `floodError` is set, reported through `onerror`, stdout is no longer read, and the
 *   transport closes (the connection treats it as a crash and restarts the server).
 * - Messages are handed to `onmessage` one per microtask, in order (see `deliver`).
 * - `onclose` fires once, when the process has exited or `close()` finished.
 * - `close()` resolves once every process of the group is gone (or SIGKILLed).
 */
import type { ChildProcess } from 'node:child_process';
import { serializeMessage } from '@modelcontextprotocol/sdk/shared/stdio.js';
import type { Transport } from '@modelcontextprotocol/sdk/shared/transport.js';
import { JSONRPCMessageSchema, type JSONRPCMessage } from '@modelcontextprotocol/sdk/types.js';
import { formatBytes, LineReader, LineTooLongError } from './line-reader.js';
import { releaseGroup } from './watchdog.js';
import { groupAlive, launchServerProcess, liveGroups, signalGroup, takePrelaunched } from './server-process.js';
import { setTimeout as delay } from 'node:timers/promises';

export interface ProcessTreeTransportOptions {
  command: string;
  args: string[];
  env: Record<string, string>;
  cwd?: string;
  onStderrLine?: (line: string) => void;
}

/** Grace periods of the staged shutdown: after stdin EOF, then after SIGTERM. */
const STDIN_GRACE_MS = 1000;
const TERM_GRACE_MS = 1500;
/** Largest single JSON-RPC message accepted from the server (issue 9: past it, the server is flooding). */
export const MAX_MESSAGE_BYTES = 64 * 1024 * 1024;
/** Longest stderr line passed on; the rest of a longer line is dropped. */
export const MAX_STDERR_LINE_BYTES = 64 * 1024;

export class ProcessTreeStdioTransport implements Transport {
  onclose?: () => void;
  onerror?: (error: Error) => void;
  onmessage?: (message: JSONRPCMessage) => void;

  private child: ChildProcess | undefined;
  private readonly stdoutLines: LineReader;
  private readonly stderrLines: LineReader;
  private exited: Promise<void> = Promise.resolve();
  private streamsClosed: Promise<void> = Promise.resolve();
  private closed = false;
  /** Why this transport stopped reading the server: set when it flooded stdout. */
  floodError: Error | undefined;
  /** The protocol version agreed in initialize (the SDK's Client tells its transport). */
  protocolVersion: string | undefined;
  setProtocolVersion(version: string): void {
    this.protocolVersion = version;
  }
  /** The last message handed over; the next one waits for it (see `deliver`). */
  private delivered: Promise<void> = Promise.resolve();

  constructor(private readonly options: ProcessTreeTransportOptions) {
    this.stdoutLines = new LineReader({ maxLineBytes: MAX_MESSAGE_BYTES, overflow: 'error', onLine: (line) => this.onStdoutLine(line) });
    this.stderrLines = new LineReader({
      maxLineBytes: MAX_STDERR_LINE_BYTES,
      overflow: 'truncate',
      onLine: (line, dropped) => {
        const text = withoutCr(line.toString('utf8'));
        // A cut may split a UTF-8 sequence: drop the replacement character it leaves.
        this.options.onStderrLine?.(dropped > 0 ? `${text.replace(/\uFFFD$/, '')} … [${dropped} more bytes of this line dropped: stderr lines are cut at ${formatBytes(MAX_STDERR_LINE_BYTES)}]` : text);
      },
    });
  }

  get pid(): number | undefined {
    return this.child?.pid;
  }

  start(): Promise<void> {
    if (this.child) throw new Error('ProcessTreeStdioTransport already started');
    return new Promise((resolve, reject) => {
      const { command, args, env, cwd } = this.options;
      // A process spawned ahead of this transport with these very options (server-process.ts) is the same start, only earlier.
      const launched = takePrelaunched({ command, args, env, cwd }) ?? launchServerProcess({ command, args, env, cwd });
      const child = launched.child;
      this.child = child;
      this.exited = launched.gone;
      this.streamsClosed = launched.closed;
      launched.spawned.then(resolve, (error: NodeJS.ErrnoException) => {
        const reason =
          error.code === 'ENOENT'
            ? `command not found: ${this.options.command} (is it installed and on PATH?)`
            : error.code === 'EACCES'
              ? `permission denied running ${this.options.command}`
              : `cannot start ${this.options.command}: ${error.message}`;
        const wrapped = new Error(reason);
        reject(wrapped);
        this.onerror?.(wrapped);
      });
      // 'exit' (not 'close'): a grandchild holding the pipes open must not hide the leader's exit.
      void launched.exit.then(() => {
        // Let the last stdout data drain (a reply written just before exiting), then make
        // sure no grandchild lives on, then report the close.
        void this.drained().then(() => (child.pid ? this.reapGroup(child.pid) : undefined)).then(() => this.finish());
      });
      child.stdin?.on('error', (error) => this.onerror?.(error));
      child.stdout?.on('error', (error) => this.onerror?.(error));
      launched.attach({ stdout: (chunk) => this.onStdout(chunk), stderr: (chunk) => this.stderrLines.push(chunk) });
    });
  }

  send(message: JSONRPCMessage): Promise<void> {
    return new Promise((resolve, reject) => {
      const stdin = this.child?.stdin;
      if (!stdin || stdin.destroyed || this.closed) return reject(new Error('Not connected: the server process has exited'));
      if (stdin.write(serializeMessage(message))) resolve();
      else stdin.once('drain', resolve);
    });
  }

  /** Staged shutdown of the whole group: stdin EOF, SIGTERM, SIGKILL. */
  async close(): Promise<void> {
    const child = this.child;
    if (!child || this.closed) return;
    const pid = child.pid;
    const exitedInTime = (ms: number) =>
      Promise.race([this.exited.then(() => true), new Promise<boolean>((r) => setTimeout(() => r(false), ms).unref())]);
    try {
      child.stdin?.end();
    } catch {
      // already gone
    }
    if (child.exitCode === null && child.signalCode === null && !(await exitedInTime(STDIN_GRACE_MS))) {
      signalGroup(pid, 'SIGTERM');
      if (!(await exitedInTime(TERM_GRACE_MS))) {
        signalGroup(pid, 'SIGKILL');
        await exitedInTime(1000);
      }
    }
    // What it wrote before exiting is read first: a start failure quotes its last stderr lines.
    await this.drained();
    if (pid) await this.reapGroup(pid);
    this.finish();
  }

  /**
   * Resolves when the process's pipes are closed (all it wrote is read), or after a bound: a
   * grandchild may hold them open. When the bound fires, one more turn of the event loop
   * (setImmediate runs after the poll phase) reads what is already in the pipes: on a loaded
   * machine the timer can come due in the same loop iteration as the last stderr data, and
   * timers run first (a crashed server's last words were lost).
   */
  private drained(): Promise<void> {
    return Promise.race([this.streamsClosed, new Promise<void>((r) => setTimeout(() => setImmediate(r), 200).unref())]);
  }

  /** After the leader exits, make sure nothing else of its group lives on. */
  private async reapGroup(pid: number): Promise<void> {
    if (!liveGroups.has(pid)) return;
    if (groupAlive(pid)) {
      signalGroup(pid, 'SIGTERM');
      for (let waited = 0; waited < 1000 && groupAlive(pid); waited += 50) await delay(50);
      if (groupAlive(pid)) signalGroup(pid, 'SIGKILL');
    }
    liveGroups.delete(pid);
    releaseGroup(pid);
  }

  private finish(): void {
    if (this.closed) return;
    this.closed = true;
    this.stdoutLines.clear();
    this.stderrLines.flush();
    this.onclose?.();
  }

  private onStdout(chunk: Buffer): void {
    if (this.floodError) return;
    try {
      this.stdoutLines.push(chunk);
    } catch (error) {
      if (!(error instanceof LineTooLongError)) throw error;
      this.floodError = new Error(`it flooded stdout with ${error.message} (one MCP message may be at most ${formatBytes(MAX_MESSAGE_BYTES)})`);
      this.child?.stdout?.destroy(); // read nothing more of it
      this.onerror?.(this.floodError);
      void this.close();
    }
  }

  /** One stdout line, parsed as the SDK's `deserializeMessage` does. */
  private onStdoutLine(line: Buffer): void {
    const text = withoutCr(line.toString('utf8'));
    if (text.trim() === '') return;
    let message: JSONRPCMessage;
    try {
      message = JSONRPCMessageSchema.parse(JSON.parse(text));
    } catch (error) {
      this.onerror?.(new Error(`the server wrote something that is not JSON-RPC to stdout (${(error as Error).message.split('\n')[0]})`));
      return;
    }
    this.deliver(message);
  }

  /**
   * Hands messages over one microtask apart. The SDK runs a notification's handler in a
   * microtask but a response's at once, so a progress notification and the call's result
   * read from the same chunk would reach the SDK in the wrong order: the result first
   * removes the call's progress handler, and the last progress update is dropped.
   */
  private deliver(message: JSONRPCMessage): void {
    this.delivered = this.delivered.then(() => this.onmessage?.(message)).catch((error: unknown) => this.onerror?.(error as Error));
  }
}

function withoutCr(line: string): string {
  return line.endsWith('\r') ? line.slice(0, -1) : line;
}
