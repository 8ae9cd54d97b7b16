/**
 * Renders agent events for a person: progress (tool calls, results, retries,
 * notices) on stderr; the answer on stdout.
 *
 * When stdout is a terminal, text streams there as it arrives. When stdout is piped,
 * only the final answer is written to it, so `answer=$(switchboard chat "...")`
 * captures the answer and nothing else.
 *
 * Short-lived states (a tool's progress, the countdown to a model retry) go on one
 * status line that is rewritten in place when stderr is a terminal; elsewhere each
 * update is a plain line of its own.
 */
import type { OutputEvent } from '../agent/events.js';
import { formatServerLog } from './server-log.js';
import { canRewriteLine, oneLine, styleFor, type Style } from './style.js';

export interface TerminalRendererOptions {
  stdout: NodeJS.WriteStream;
  stderr: NodeJS.WriteStream;
  /** Show reasoning deltas (dimmed, on stderr), model call counts and server log messages. */
  verbose: boolean;
}

const CLEAR_LINE = '\r\u001b[2K';

export class TerminalRenderer {
  private readonly err: Style;
  private readonly streamText: boolean;
  private readonly live: boolean;
  /** Text streamed to stdout since the last newline, so progress lines start on a fresh line. */
  private openLine = false;
  private reasoningOpen = false;
  /** The status line on screen (live mode), and the line it leaves behind when cleared. */
  private status: { keep?: string } | undefined;
  private countdown: NodeJS.Timeout | undefined;

  constructor(private readonly options: TerminalRendererOptions) {
    this.err = styleFor(options.stderr);
    this.streamText = Boolean(options.stdout.isTTY);
    this.live = canRewriteLine(options.stderr);
  }

  render(event: OutputEvent): void {
    const { stdout } = this.options;
    if (event.type !== 'tool_progress') this.clearStatus();
    switch (event.type) {
      case 'model_request':
        if (this.options.verbose) this.progress(this.err.dim(`· model call ${event.step}/${event.maxSteps}`));
        return;
      case 'reasoning_delta':
        if (!this.options.verbose) return;
        if (!this.reasoningOpen) this.options.stderr.write(this.err.dim('thinking: '));
        this.reasoningOpen = true;
        this.options.stderr.write(this.err.dim(event.text));
        return;
      case 'text_delta':
        this.closeReasoning();
        if (!this.streamText) return;
        stdout.write(event.text);
        this.openLine = !event.text.endsWith('\n');
        return;
      case 'model_resend':
        if (this.options.verbose) this.progress(this.err.dim(`· model call ${event.step} sent again (${event.resent} re-sent this turn): ${event.reason}`));
        return;
      case 'tool_wait': {
        const line = `${this.err.cyan('…')} waiting for server${event.servers.length > 1 ? 's' : ''} ${event.servers.map((s) => `"${s}"`).join(', ')} to start (Ctrl+C to stop)`;
        if (this.live) this.setStatus(line);
        else this.progress(line);
        return;
      }
      case 'model_retry':
        this.retry(event.attempt, event.delayMs, oneLine(event.reason, 200));
        return;
      case 'tool_call': {
        const owner = event.server ? this.err.dim(` [${event.server}${event.originalName && event.originalName !== event.name ? `:${event.originalName}` : ''}]`) : '';
        const args = typeof event.arguments === 'string' ? event.arguments : JSON.stringify(event.arguments);
        this.progress(`${this.err.cyan('→')} ${event.name}${owner} ${this.err.dim(oneLine(args, 200))}`);
        return;
      }
      case 'tool_progress': {
        const count = event.total !== undefined ? `${event.progress}/${event.total}` : `${event.progress}`;
        const line = `${this.err.cyan('▸')} ${event.name} ${count}${event.message ? ` ${this.err.dim(oneLine(event.message, 120))}` : ''}`;
        if (this.live) this.setStatus(line);
        else this.progress(line);
        return;
      }
      case 'tool_result': {
        const mark = event.isError ? this.err.red('✗') : this.err.cyan('←');
        this.progress(`${mark} ${event.name} ${this.err.dim(`(${event.durationMs} ms)`)} ${oneLine(event.text)}`);
        return;
      }
      case 'history_trimmed':
        this.progress(this.err.yellow(`✂ history trimmed: dropped the ${event.droppedMessages} oldest messages to stay under ${event.budgetTokens} tokens (now ~${event.estimatedTokens})`));
        return;
      case 'notice':
        this.progress(this.err.yellow(`! ${event.message}`));
        return;
      case 'final':
        this.closeReasoning();
        if (this.streamText) {
          if (this.openLine) stdout.write('\n');
        } else {
          stdout.write(event.text.endsWith('\n') ? event.text : `${event.text}\n`);
        }
        this.openLine = false;
        if (event.truncated) {
          this.progress(this.err.yellow('! The answer was cut off: the model reached its output token limit (finish_reason "length"). Ask it to continue, or for a shorter answer.'));
        }
        return;
      case 'stopped':
        this.progress(this.err.yellow(`■ ${event.message}`));
        return;
      case 'server_log':
        if (this.options.verbose) this.progress(this.err.dim(formatServerLog(event)));
        return;
      case 'error':
        return; // the CLI prints fatal errors itself
    }
  }

  /** A host-level message (server failures, crashes) on stderr. */
  notice(message: string): void {
    this.clearStatus();
    this.progress(message);
  }

  /**
   * The turn failed (an error the host is about to print): leave the cursor at the start of
   * a fresh line, a retry countdown replaced by its plain line.
   */
  failed(): void {
    this.clearStatus();
    this.closeReasoning();
    if (this.openLine) this.options.stdout.write('\n');
    this.openLine = false;
  }

  /**
   * The run was interrupted (Ctrl+C): leave the cursor at the start of a line, so the
   * host's "Interrupted." is not glued to streamed text or to the terminal's `^C` echo.
   */
  interrupted(): void {
    const hadStatus = this.status !== undefined;
    this.clearStatus(false);
    this.closeReasoning();
    if (this.openLine) {
      this.options.stdout.write('\n');
      this.openLine = false;
    } else if (!hadStatus && this.live) {
      this.options.stderr.write('\n');
    }
  }

  private retry(attempt: number, delayMs: number, reason: string): void {
    const line = (text: string) => this.err.yellow(`↻ model request failed (${reason}); retry ${attempt} ${text}`);
    const keep = line(`after ${(delayMs / 1000).toFixed(1)} s`);
    if (!this.live) {
      this.progress(keep);
      return;
    }
    // A countdown, once a second, until the retry starts (the next event clears it).
    const deadline = Date.now() + delayMs;
    const draw = () => {
      const left = Math.max(0, Math.ceil((deadline - Date.now()) / 1000));
      this.setStatus(line(left > 0 ? `in ${left} s` : 'now'), keep);
      if (left === 0) this.stopCountdown();
    };
    draw();
    if (delayMs > 1000) {
      this.countdown = setInterval(draw, 1000);
      this.countdown.unref();
    }
  }

  private setStatus(line: string, keep?: string): void {
    this.closeReasoning();
    if (this.openLine) {
      this.options.stdout.write('\n');
      this.openLine = false;
    }
    const width = Math.max(20, (this.options.stderr.columns || 80) - 1); // 0 when the size is unknown
    // Styling adds invisible characters; cut the visible text only when it is plain.
    const fitted = line.includes('\u001b') ? line : oneLine(line, width);
    this.options.stderr.write(`${CLEAR_LINE}${fitted}`);
    this.status = keep === undefined ? {} : { keep };
  }

  /** Removes the status line; a retry countdown leaves its plain line behind (`keep`). */
  private clearStatus(keepLine = true): void {
    this.stopCountdown();
    if (!this.status) return;
    const { keep } = this.status;
    this.status = undefined;
    this.options.stderr.write(CLEAR_LINE);
    if (keepLine && keep !== undefined) this.options.stderr.write(`${keep}\n`);
  }

  private stopCountdown(): void {
    if (this.countdown) clearInterval(this.countdown);
    this.countdown = undefined;
  }

  private progress(line: string): void {
    this.closeReasoning();
    if (this.openLine) {
      this.options.stdout.write('\n');
      this.openLine = false;
    }
    this.options.stderr.write(`${line}\n`);
  }

  private closeReasoning(): void {
    if (this.reasoningOpen) this.options.stderr.write('\n');
    this.reasoningOpen = false;
  }
}
