/**
 * Activity on a terminal: what is being waited for, with a spinner and the elapsed time, on
 * ONE line of stderr that is redrawn in place and erased before any other output.
 *
 * Contract: nothing is drawn unless stderr is a terminal that can rewrite a line (not
 * `TERM=dumb`) and progress is not turned off (`--no-progress`); the spinner carries no
 * colour when colours are off (NO_COLOR). Callers pass text that is already terminal-safe.
 */
import { canRewriteLine, cut } from './style.js';

/** Return to the start of the line and erase it. */
export const CLEAR_LINE = '\r\u001b[2K';
/** How often a waiting line is redrawn (the spinner's frame and the elapsed time). */
export const TICK_MS = 100;
const FRAMES = ['⠋', '⠙', '⠹', '⠸', '⠼', '⠴', '⠦', '⠧', '⠇', '⠏'];

/** Whether activity lines may be drawn on `stream`. */
export function activityEnabled(stream: NodeJS.WriteStream, progress: boolean | undefined, env: NodeJS.ProcessEnv = process.env): boolean {
  return progress !== false && canRewriteLine(stream, env);
}

/** The spinner frame for `now` (frames advance with time, not with redraws). */
export function spinnerFrame(now = performance.now()): string {
  return FRAMES[Math.floor(now / TICK_MS) % FRAMES.length]!;
}

/** Elapsed time as the activity line shows it: `4.1 s`. */
export function elapsed(sinceMs: number, now = performance.now()): string {
  return `${(Math.max(0, now - sinceMs) / 1000).toFixed(1)} s`;
}

/** The visible width of a status line on `stream` (one column is left free, so the line never wraps). */
export function lineWidth(stream: NodeJS.WriteStream): number {
  return Math.max(20, (stream.columns || 80) - 1); // columns is 0 when the size is unknown
}

/**
 * Servers starting: `⠋ starting 3 servers: github (4.1 s), filesystem (4.1 s)`, naming those
 * not ready yet, redrawn every tick until `stop()`. `print()` writes a line above it.
 */
export class StartupActivity {
  private readonly pending = new Map<string, number>();
  private total = 0;
  private timer: NodeJS.Timeout | undefined;
  private drawn = false;

  constructor(
    private readonly stream: NodeJS.WriteStream,
    private readonly enabled: boolean,
    private readonly spin: (frame: string) => string = (frame) => frame,
  ) {}

  /** A server began starting. */
  starting(name: string): void {
    if (!this.enabled) return;
    this.pending.set(name, performance.now());
    this.total++;
    if (!this.timer) {
      this.timer = setInterval(() => this.draw(), TICK_MS);
      this.timer.unref();
    }
    this.draw();
  }

  /** A server is ready, or failed: it leaves the line. */
  finished(name: string): void {
    if (!this.pending.delete(name)) return;
    if (this.pending.size === 0) this.stop();
    else this.draw();
  }

  /** Writes `text` (whole lines) above the activity line, which is redrawn at the next tick. */
  print(text: string): void {
    this.erase();
    this.stream.write(text);
  }

  /** Erases the line and stops drawing it. */
  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    this.pending.clear();
    this.erase();
  }

  private erase(): void {
    if (this.drawn) this.stream.write(CLEAR_LINE);
    this.drawn = false;
  }

  private draw(): void {
    if (this.pending.size === 0) return;
    const now = performance.now();
    const names = [...this.pending].map(([name, since]) => `${name} (${elapsed(since, now)})`).join(', ');
    const line = cut(`starting ${this.total} server${this.total === 1 ? '' : 's'}: ${names}`, lineWidth(this.stream) - 2);
    this.stream.write(`${CLEAR_LINE}${this.spin(spinnerFrame(now))} ${line}`);
    this.drawn = true;
  }
}
