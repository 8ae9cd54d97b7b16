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
 *
 * On a terminal (stderr a TTY) there is more: a spinner with the elapsed time while the
 * model has not sent its first token and while tool calls run (activity.ts; not with
 * `--no-progress` or `TERM=dumb`), the model's reasoning dimmed above the answer (unless
 * hidden), `→ server/tool {args}` / `← tool 123 ms first line` call lines cut to the width,
 * and a summary line after each turn. None of it when stderr is not a terminal.
 *
 * Everything from a server or the model goes through the sanitiser (style.ts `safe` and
 * `oneLine`, one `TerminalSanitizer` per streamed text so a sequence split across deltas is
 * still caught) before Switchboard adds its colours.
 *
 * Secrets: each event is masked whole (every string in it, policy/secrets.ts) before any of
 * it is cut to the width, so a tool line never shows a config secret, nor the start of one.
 * Text and reasoning deltas come masked already: the caller passes a turn's events through
 * policy/delta-masking.ts (cli/run-turn.ts does), which no renderer of a single delta can replace.
 */
import type { OutputEvent } from '../agent/events.js';
import { errorMessage } from '../errors.js';
import { safeStringify } from '../mcp/json-depth.js';
import { maskedCopy, runRedactor } from '../policy/secrets.js';
import { activityEnabled, CLEAR_LINE, elapsed, lineWidth, spinnerFrame, TICK_MS } from './activity.js';
import { TerminalSanitizer } from './sanitize.js';
import { formatServerLog } from './server-log.js';
import { canRewriteLine, cut, oneLine, safe, styleFor, type Style } from './style.js';
import { turnSummary, type TurnUsage } from './summary.js';

export interface TerminalRendererOptions {
  stdout: NodeJS.WriteStream;
  stderr: NodeJS.WriteStream;
  /** Show model call counts and server log messages (and reasoning, even when stderr is not a terminal). */
  verbose: boolean;
  /** Spinners and elapsed times on a terminal (`--no-progress` sets false). Default true. */
  progress?: boolean;
  /** Reasoning on a terminal (`--hide-reasoning` / config `showReasoning: false` set false). Default true. */
  showReasoning?: boolean;
  /** Masks secrets in what is shown; by default the run's redactor (config secrets). */
  mask?: (text: string) => string;
}

interface RunningCall {
  name: string;
  since: number;
  /** The server's last progress, already terminal-safe. */
  progress?: string;
}

export class TerminalRenderer {
  private readonly err: Style;
  private readonly streamText: boolean;
  private readonly live: boolean;
  /** stderr is a terminal: the richer call lines, reasoning and the turn summary. */
  private readonly tty: boolean;
  private readonly activity: boolean;
  private showReasoning: boolean;
  /** Text streamed to stdout since the last newline, so progress lines start on a fresh line. */
  private openLine = false;
  private reasoningOpen = false;
  /** One sanitiser per stream, so an escape sequence split across deltas is still removed. */
  private text = new TerminalSanitizer();
  private reasoning = new TerminalSanitizer();
  /** The status line on screen (live mode), and the line it leaves behind when cleared. */
  private status: { keep?: string; activity?: boolean } | undefined;
  private countdown: NodeJS.Timeout | undefined;
  /** Waiting for the model's first token since (performance.now()), or not waiting. */
  private waitingForModel: number | undefined;
  private readonly running = new Map<string, RunningCall>();
  private ticker: NodeJS.Timeout | undefined;
  private usage: TurnUsage | undefined;
  /** pauseActivity() calls not yet resumed. */
  private paused = 0;
  private readonly mask: (text: string) => string;

  constructor(private readonly options: TerminalRendererOptions) {
    this.mask = options.mask ?? runRedactor.mask;
    this.err = styleFor(options.stderr);
    this.streamText = Boolean(options.stdout.isTTY);
    this.live = canRewriteLine(options.stderr);
    this.tty = Boolean(options.stderr.isTTY);
    this.activity = activityEnabled(options.stderr, options.progress);
    this.showReasoning = options.verbose || (this.tty && options.showReasoning !== false);
  }

  /**
   * Never throws: an event that cannot be shown (a bug, or a value no renderer foresaw) is
   * reported as one line on stderr, and the session goes on.
   */
  render(event: OutputEvent): void {
    try {
      // Streamed text is masked upstream, re-cut so no secret spans two deltas (runTurn's
      // DeltaMasking); a fragment masked again could only cost time, per delta.
      this.draw(event.type === 'text_delta' || event.type === 'reasoning_delta' ? event : maskedCopy(event, this.mask));
    } catch (error) {
      try {
        this.options.stderr.write(`\n! could not show a ${event.type} event: ${oneLine(this.mask(errorMessage(error)), 200)}\n`);
      } catch {
        // stderr itself is gone: nothing left to tell
      }
    } finally {
      try {
        this.refreshActivity();
      } catch {
        // the activity line is a nicety: never a reason to end the session
      }
    }
  }

  private draw(event: OutputEvent): void {
    const { stdout } = this.options;
    if (event.type !== 'tool_progress' && event.type !== 'usage') this.clearStatus();
    switch (event.type) {
      case 'model_request':
        this.newStreams();
        this.waitingForModel = performance.now();
        if (this.options.verbose) this.progress(this.err.dim(`· model call ${event.step}/${event.maxSteps}`));
        return;
      case 'reasoning_delta': {
        this.waitingForModel = undefined;
        if (!this.showReasoning) return;
        const shown = this.reasoning.feed(event.text);
        if (!shown) return;
        if (!this.reasoningOpen) {
          if (this.openLine) this.endTextLine();
          this.options.stderr.write(this.err.dim('thinking: '));
        }
        this.reasoningOpen = true;
        this.options.stderr.write(this.err.dim(shown));
        return;
      }
      case 'text_delta': {
        this.waitingForModel = undefined;
        if (!this.streamText) return;
        const shown = this.text.feed(event.text);
        if (!shown) return;
        this.closeReasoning();
        stdout.write(shown);
        this.openLine = !shown.endsWith('\n');
        return;
      }
      case 'model_resend':
        if (this.options.verbose) this.progress(this.err.dim(`· model call ${event.step} sent again (${event.resent} re-sent this turn): ${oneLine(event.reason, 200)}`));
        return;
      case 'tool_wait': {
        const line = `${this.err.cyan('…')} waiting for server${event.servers.length > 1 ? 's' : ''} ${event.servers.map((s) => `"${oneLine(s, 60)}"`).join(', ')} to start (Ctrl+C to stop)`;
        if (this.live) this.setStatus(line);
        else this.progress(line);
        return;
      }
      case 'model_retry':
        this.newStreams();
        this.retry(event.attempt, event.delayMs, oneLine(event.reason, 200));
        return;
      case 'tool_call':
        this.waitingForModel = undefined;
        this.endStreams();
        this.running.set(event.id, { name: oneLine(event.name, 80), since: performance.now() });
        this.progress(this.callLine(event));
        return;
      case 'tool_progress': {
        const count = event.total !== undefined ? `${event.progress}/${event.total}` : `${event.progress}`;
        const text = `${count}${event.message ? ` ${oneLine(event.message, 120)}` : ''}`;
        const call = this.running.get(event.id);
        if (call) call.progress = text;
        if (!this.live) this.progress(`${this.err.cyan('▸')} ${oneLine(event.name, 80)} ${text}`);
        return;
      }
      case 'tool_result':
        this.running.delete(event.id);
        this.progress(this.resultLine(event));
        return;
      case 'usage':
        if (event.scope === 'turn') this.usage = event;
        return;
      case 'history_trimmed':
        this.progress(this.err.yellow(`✂ history trimmed: dropped the ${event.droppedMessages} oldest messages to stay under ${event.budgetTokens} tokens (now ~${event.estimatedTokens})`));
        return;
      case 'notice':
        this.progress(this.err.yellow(`! ${safe(event.message)}`));
        return;
      case 'final':
        this.endStreams();
        if (this.streamText) {
          if (this.openLine) stdout.write('\n');
        } else {
          const answer = safe(event.text);
          stdout.write(answer.endsWith('\n') ? answer : `${answer}\n`);
        }
        this.openLine = false;
        if (event.truncated) {
          this.progress(this.err.yellow('! The answer was cut off: the model reached its output token limit (finish_reason "length"). Ask it to continue, or for a shorter answer.'));
        }
        this.summary();
        return;
      case 'stopped':
        this.endStreams();
        this.progress(this.err.yellow(`■ ${safe(event.message)}`));
        this.summary();
        return;
      case 'server_log':
        if (this.options.verbose) this.progress(this.err.dim(formatServerLog(event)));
        return;
      case 'error':
        return; // the CLI prints fatal errors itself
    }
  }

  /** `→ server/tool {args}` on a terminal (cut to the width); `→ name [server] {args}` elsewhere. */
  private callLine(event: Extract<OutputEvent, { type: 'tool_call' }>): string {
    const args = typeof event.arguments === 'string' ? event.arguments : safeStringify(event.arguments);
    if (!this.tty) {
      const owner = event.server ? this.err.dim(` [${oneLine(event.server, 60)}${event.originalName && event.originalName !== event.name ? `:${oneLine(event.originalName, 80)}` : ''}]`) : '';
      return `${this.err.cyan('→')} ${oneLine(event.name, 80)}${owner} ${this.err.dim(oneLine(args ?? '', 200))}`;
    }
    const who = event.server ? `${oneLine(event.server, 40)}/${oneLine(event.originalName ?? event.name, 80)}` : oneLine(event.name, 80);
    const room = lineWidth(this.options.stderr) - [...who].length - 3;
    return `${this.err.cyan('→')} ${who}${room >= 5 ? ` ${this.err.dim(oneLine(args ?? '', room))}` : ''}`;
  }

  /** `← tool 123 ms first line of the result` on a terminal, red when an error; `← tool (123 ms) text` elsewhere. */
  private resultLine(event: Extract<OutputEvent, { type: 'tool_result' }>): string {
    const name = oneLine(event.name, 80);
    if (!this.tty) {
      const mark = event.isError ? this.err.red('✗') : this.err.cyan('←');
      return `${mark} ${name} ${this.err.dim(`(${event.durationMs} ms)`)} ${oneLine(event.text)}`;
    }
    const head = `${name} ${event.durationMs} ms`;
    const first = event.text.split('\n').find((line) => line.trim() !== '') ?? '';
    const room = lineWidth(this.options.stderr) - [...head].length - 3;
    const text = room >= 5 ? oneLine(first, room) : '';
    if (event.isError) return this.err.red(`← ${head}${text ? ` ${text}` : ''}`);
    return `${this.err.cyan('←')} ${name} ${this.err.dim(`${event.durationMs} ms`)}${text ? ` ${text}` : ''}`;
  }

  /** The turn summary (a terminal only), after the answer or the stop. */
  private summary(): void {
    const usage = this.usage;
    this.usage = undefined;
    this.waitingForModel = undefined;
    if (this.tty && usage) this.progress(this.err.dim(turnSummary(usage)));
  }

  /**
   * Stops the activity line while something else owns the terminal (a question to the user,
   * e.g. an approval prompt): the line is erased and not redrawn until the returned function
   * is called.
   */
  pauseActivity(): () => void {
    this.paused++;
    this.clearStatus();
    return () => {
      this.paused = Math.max(0, this.paused - 1);
      this.refreshActivity();
    };
  }

  /** Stops showing reasoning (config `showReasoning: false`, read after the renderer was made); --verbose still shows it. */
  hideReasoning(): void {
    this.showReasoning = this.options.verbose;
  }

  /** A host-level message (server failures, crashes) on stderr. */
  notice(message: string): void {
    this.clearStatus();
    this.progress(this.mask(message));
  }

  /**
   * The turn failed (an error the host is about to print): leave the cursor at the start of
   * a fresh line, a retry countdown replaced by its plain line.
   */
  failed(): void {
    this.stopActivity();
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
    this.stopActivity();
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

  /** The turn is over (failed or interrupted): nothing is waited for any more. */
  private stopActivity(): void {
    this.waitingForModel = undefined;
    this.running.clear();
    this.stopTicker();
  }

  private retry(attempt: number, delayMs: number, reason: string): void {
    // On a terminal the line is rewritten in place, so it must fit the width (a wrapped line cannot be erased).
    const fit = (text: string) => (this.live ? cut(text, lineWidth(this.options.stderr)) : text);
    const line = (text: string) => this.err.yellow(fit(`↻ model request failed (${reason}); retry ${attempt} ${text}`));
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

  /** Draws the status line; `line` is safe already (untrusted parts went through oneLine) and fits the width. */
  private setStatus(line: string, keep?: string, activity = false): void {
    this.closeReasoning();
    if (this.openLine) this.endTextLine();
    this.options.stderr.write(`${CLEAR_LINE}${line}`);
    this.status = keep === undefined ? { activity } : { keep };
  }

  /**
   * The activity line: what is waited for, a spinner and the elapsed time, redrawn every tick
   * while something is waited for. Never while text or reasoning streams (it would break
   * their line) or while a retry countdown owns the status line.
   */
  private refreshActivity(): void {
    const waiting = this.waitingForModel !== undefined || this.running.size > 0;
    if (!this.live || !waiting || (this.status && !this.status.activity)) {
      if (!waiting) this.stopTicker();
      return;
    }
    if (this.openLine || this.reasoningOpen || this.paused > 0) return;
    if (this.activity) {
      const now = performance.now();
      const parts: string[] = [];
      if (this.waitingForModel !== undefined) parts.push(`waiting for the model (${elapsed(this.waitingForModel, now)})`);
      for (const call of this.running.values()) parts.push(`${call.name}${call.progress ? ` ${call.progress}` : ''} (${elapsed(call.since, now)})`);
      this.setStatus(`${this.err.cyan(spinnerFrame(now))} ${cut(parts.join(' · '), lineWidth(this.options.stderr) - 2)}`, undefined, true);
      if (!this.ticker) {
        this.ticker = setInterval(() => this.refreshActivity(), TICK_MS);
        this.ticker.unref();
      }
    } else if (this.running.size > 0) {
      // No spinner (--no-progress): a tool's own progress still shows, on the status line.
      const latest = [...this.running.values()].filter((call) => call.progress).at(-1);
      if (latest) this.setStatus(`${this.err.cyan('▸')} ${cut(`${latest.name} ${latest.progress!}`, lineWidth(this.options.stderr) - 2)}`, undefined, true);
    }
  }

  private stopTicker(): void {
    if (this.ticker) clearInterval(this.ticker);
    this.ticker = undefined;
  }

  /** A new model stream (a request, or a retry of one): fresh sanitisers. */
  private newStreams(): void {
    this.text = new TerminalSanitizer();
    this.reasoning = new TerminalSanitizer();
  }

  /** The model stream is over: what its sanitisers held back (a `\r`, an open tag run) goes out. */
  private endStreams(): void {
    const reasoning = this.reasoning.end();
    if (reasoning && this.reasoningOpen) this.options.stderr.write(this.err.dim(reasoning));
    const text = this.text.end();
    if (text && this.streamText) {
      this.options.stdout.write(text);
      this.openLine = !text.endsWith('\n');
    }
  }

  private endTextLine(): void {
    this.options.stdout.write('\n');
    this.openLine = false;
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
