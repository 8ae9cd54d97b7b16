/**
 * The interactive chat's input: turns what is typed (or pasted) into a terminal into whole
 * messages, one at a time, in order.
 *
 * Contract:
 * - Bracketed paste is switched on while the reader is open (`ESC[?2004h`; off again on close,
 *   and on process exit if close never ran): a terminal then wraps pasted text in `ESC[200~` ...
 *   `ESC[201~`. Pasted text joins the message being written, newlines and all; the paste
 *   never sends it by itself, Enter does.
 * - A line ending in `\` continues on the next line (the `\` is dropped).
 * - Messages completed while nobody is waiting (type-ahead during a turn) are queued and
 *   handed out, in order, by later `next()` calls; `onQueued` is told about each. While
 *   nobody is waiting, readline's echo is held back, so typing cannot scribble over the
 *   answer; what was typed but not sent shows again at the next prompt.
 * - The input history (up and down arrows, `onHistory`) holds messages and commands, never
 *   the answers to `question()`.
 * - `next()` resolves `undefined` once the input has ended (Ctrl+D, `close()`) and the queue
 *   is empty. Ctrl+C is not handled here: it reaches `onInterrupt`.
 *
 * Node's readline already turns `ESC[200~`/`ESC[201~` into `paste-start`/`paste-end`
 * keypresses and otherwise ignores them, and splits pasted text into `line` events; this
 * class only has to know which lines arrived inside a paste.
 */
import { createInterface, type Interface } from 'node:readline';
import { Writable } from 'node:stream';

const BRACKETED_PASTE_ON = '\u001b[?2004h';
const BRACKETED_PASTE_OFF = '\u001b[?2004l';
/** Input lines the up and down arrows go through. */
export const HISTORY_SIZE = 200;

export interface MessageReaderOptions {
  input: NodeJS.ReadStream;
  output: NodeJS.WriteStream;
  prompt: string;
  /** The prompt of a message's second and later lines. */
  continuationPrompt: string;
  /** A message was completed while a turn runs; it waits in the queue. */
  onQueued(text: string): void;
  /** Ctrl+C, at the prompt or during a turn. */
  onInterrupt(): void;
  /** Earlier input lines, newest first (readline's order), for the up and down arrows. */
  history?: string[];
  /** The input history changed (newest first); e.g. to keep it for the next run. */
  onHistory?(history: string[]): void;
  /** Tab: candidates for the end of the line and the part they replace (readline's completer). */
  complete?(line: string): Promise<[string[], string]>;
}

export class MessageReader {
  private readonly rl: Interface;
  private readonly echo: EchoGate;
  private readonly queue: string[] = [];
  /** Finished lines of the message being written (continued or pasted ones). */
  private draft: string[] = [];
  private pasting = false;
  private closed = false;
  /** Set while `next()` waits: the prompt is on screen. */
  private waiter: ((text: string | undefined) => void) | undefined;
  /** Set while `question()` waits: the next line is its answer, never a message. */
  private answerWaiter: ((line: string | undefined) => void) | undefined;
  /** The input history as messages and commands made it (newest first): answers never enter it. */
  private kept: string[];
  private readonly onExit = () => this.options.output.write(BRACKETED_PASTE_OFF);

  constructor(private readonly options: MessageReaderOptions) {
    this.echo = new EchoGate(options.output);
    this.kept = [...(options.history ?? [])].slice(0, HISTORY_SIZE);
    const complete = options.complete;
    this.rl = createInterface({
      input: options.input,
      output: this.echo,
      terminal: true,
      historySize: HISTORY_SIZE,
      history: [...this.kept],
      removeHistoryDuplicates: true,
      // A completion that fails offers nothing.
      ...(complete ? { completer: (line: string, done: (error: null, result: [string[], string]) => void) => void complete(line).then((r) => done(null, r), () => done(null, [[], line])) } : {}),
    });
    this.rl.on('history', (history: string[]) => this.onHistory(history));
    options.input.on('keypress', this.onKeypress);
    this.rl.on('line', (line) => this.onLine(line));
    this.rl.on('SIGINT', () => options.onInterrupt());
    this.rl.on('close', () => this.onClose());
    options.output.write(BRACKETED_PASTE_ON);
    process.once('exit', this.onExit);
  }

  /** The next message: queued type-ahead first, else what is typed at a fresh prompt. */
  next(): Promise<string | undefined> {
    const queued = this.queue.shift();
    if (queued !== undefined) {
      // Show what is sent now, as if it had been typed at this prompt.
      this.options.output.write(`${this.options.prompt}${queued.split('\n').join(`\n${this.options.continuationPrompt}`)}\n`);
      return Promise.resolve(queued);
    }
    if (this.closed) return Promise.resolve(undefined);
    return new Promise((resolve) => {
      this.waiter = resolve;
      this.echo.open = true;
      this.showPrompt();
    });
  }

  /**
   * One question during a turn (a tool call's approval): shows `prompt`, echoes what is typed,
   * and resolves with the next line, which never becomes a message. What was typed ahead but
   * not sent is set aside meanwhile and restored after; queued messages stay queued. Resolves
   * undefined when the input ends, and when `signal` aborts (Ctrl+C reaches `onInterrupt`).
   */
  question(prompt: string, signal?: AbortSignal): Promise<string | undefined> {
    if (this.closed || signal?.aborted) return Promise.resolve(undefined);
    const typedAhead = this.rl.line;
    this.echo.open = false;
    this.rl.write(null, { ctrl: true, name: 'e' });
    this.rl.write(null, { ctrl: true, name: 'u' });
    return new Promise((resolve) => {
      const finish = (line: string | undefined) => {
        signal?.removeEventListener('abort', onAbort);
        this.answerWaiter = undefined;
        this.echo.open = false;
        if (line === undefined && !this.closed) this.options.output.write('\n');
        if (typedAhead && !this.closed) this.rl.write(typedAhead);
        resolve(line);
      };
      const onAbort = () => {
        this.echo.open = false;
        this.rl.write(null, { ctrl: true, name: 'e' });
        this.rl.write(null, { ctrl: true, name: 'u' });
        finish(undefined);
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      this.answerWaiter = finish;
      this.echo.open = true;
      this.rl.setPrompt(prompt);
      this.rl.prompt(true);
    });
  }

  /** Drops queued type-ahead (Ctrl+C cancels a turn and what was queued behind it); returns it. */
  discardQueued(): string[] {
    return this.queue.splice(0);
  }

  /**
   * Ctrl+C at the prompt: drops what is typed of the message (its finished lines too) and
   * starts a fresh prompt, leaving the dropped text on screen as a shell does; false when
   * nothing was typed.
   */
  discardDraft(): boolean {
    if (!this.waiter || (this.draft.length === 0 && this.rl.line.length === 0)) return false;
    this.draft = [];
    // readline's own keys, unechoed: to the end of the line, then delete the line.
    this.echo.open = false;
    this.rl.write(null, { ctrl: true, name: 'e' });
    this.rl.write(null, { ctrl: true, name: 'u' });
    this.echo.open = true;
    this.options.output.write('\n');
    this.showPrompt();
    return true;
  }

  close(): void {
    if (!this.closed) this.rl.close();
  }

  private readonly onKeypress = (_text: string | undefined, key: { name?: string } | undefined) => {
    // Runs after readline's own keypress handler, which has already ended any line.
    if (key?.name === 'paste-start') this.pasting = true;
    if (key?.name === 'paste-end') {
      this.pasting = false;
      // The pasted lines went to the draft; redraw the unfinished last one behind a prompt.
      if (this.waiter && this.draft.length > 0) this.showPrompt();
    }
  };

  /**
   * readline added a line to its history (before the line is handed out). An answer to a
   * question (`y` to an approval, an elicited value that may be a secret) is taken back out,
   * in place, as Node's docs allow for this event, and never reaches `onHistory`: the up arrow
   * and the saved history hold messages and commands only.
   */
  private onHistory(history: string[]): void {
    if (this.answerWaiter && !this.pasting) {
      history.splice(0, history.length, ...this.kept);
      return;
    }
    this.kept = [...history];
    this.options.onHistory?.(history);
  }

  private onLine(line: string): void {
    if (this.answerWaiter && !this.pasting) {
      this.answerWaiter(line);
      return;
    }
    if (this.pasting) {
      this.draft.push(line);
      return;
    }
    if (line.endsWith('\\')) {
      this.draft.push(line.slice(0, -1));
      if (this.waiter) this.showPrompt();
      return;
    }
    const text = [...this.draft, line].join('\n');
    this.draft = [];
    this.deliver(text);
  }

  private deliver(text: string): void {
    const waiter = this.waiter;
    if (waiter) {
      this.waiter = undefined;
      this.echo.open = false;
      waiter(text);
      return;
    }
    this.queue.push(text);
    this.options.onQueued(text);
  }

  private onClose(): void {
    this.closed = true;
    this.options.input.off('keypress', this.onKeypress);
    this.options.output.write(BRACKETED_PASTE_OFF);
    process.off('exit', this.onExit);
    this.answerWaiter?.(undefined);
    const waiter = this.waiter;
    this.waiter = undefined;
    // Leaving at the prompt: end its line, so what comes next starts on a fresh one.
    if (waiter) this.options.output.write('\n');
    // End of input with an unfinished multi-line message: it is sent, not lost.
    if (this.draft.length > 0) {
      this.queue.push(this.draft.join('\n'));
      this.draft = [];
    }
    waiter?.(this.queue.shift());
  }

  private showPrompt(): void {
    this.rl.setPrompt(this.draft.length > 0 ? this.options.continuationPrompt : this.options.prompt);
    this.rl.prompt(true);
  }
}

/**
 * readline's output: passes its echo and prompt to the terminal only while `open`. readline
 * asks its output for `columns` (line wrapping) and listens for `resize`, so both are forwarded.
 */
class EchoGate extends Writable {
  open = false;

  constructor(private readonly target: NodeJS.WriteStream) {
    super({ decodeStrings: false });
    target.on('resize', () => this.emit('resize'));
  }

  get columns(): number {
    return this.target.columns;
  }

  get rows(): number {
    return this.target.rows;
  }

  override _write(chunk: string | Buffer, _encoding: BufferEncoding, done: (error?: Error | null) => void): void {
    if (this.open) this.target.write(chunk);
    done();
  }
}
