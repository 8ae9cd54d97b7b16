/**
 * Splits a byte stream into newline-terminated lines in linear time, with a cap on one line.
 *
 * Why not the SDK's `ReadBuffer`: it concatenates every chunk onto the whole unread buffer
 * and searches it from the start for the newline, so a line of N bytes costs O(N^2)
 * (a 60 MB tool result took 4 minutes). Here the chunks of the unfinished line are kept in a
 * list, only the NEW bytes are searched for the newline, and `Buffer.concat` runs once per
 * complete line: every byte is scanned once and copied at most twice.
 *
 * Contract:
 * - `push(chunk)` hands each complete line to `onLine` (without its `\n`; a `\r` before it is
 *   kept: the caller decides) in order.
 * - A line longer than `maxLineBytes`:
 *   - `overflow: 'error'` (JSON-RPC on stdout): `push` throws a `LineTooLongError` once the
 *     unfinished line passes the cap (lines completed earlier in the chunk are delivered
 *     first); the reader then holds nothing and the caller should stop reading (the stream
 *     is flooding).
 *   - `overflow: 'truncate'` (stderr): the first `maxLineBytes` bytes are kept, the rest up
 *     to the newline is counted and dropped; `onLine` gets `droppedBytes > 0`.
 * - `flush()` hands over an unfinished last line (at end of stream), if any.
 * - Memory held: at most `maxLineBytes` plus one chunk.
 */

export interface LineReaderOptions {
  maxLineBytes: number;
  overflow: 'error' | 'truncate';
  /** A complete line; `droppedBytes` > 0 when `truncate` cut it. */
  onLine: (line: Buffer, droppedBytes: number) => void;
}

export class LineTooLongError extends Error {
  constructor(readonly maxLineBytes: number) {
    super(`more than ${formatBytes(maxLineBytes)} without a newline`);
    this.name = 'LineTooLongError';
  }
}

const NEWLINE = 0x0a;

export class LineReader {
  private chunks: Buffer[] = [];
  private held = 0;
  private dropped = 0;
  /** Bytes searched for a newline so far (each byte once: tests check the reader stays linear). */
  bytesScanned = 0;

  constructor(private readonly options: LineReaderOptions) {}

  push(chunk: Buffer): void {
    let start = 0;
    while (start < chunk.length) {
      const newline = chunk.indexOf(NEWLINE, start);
      const end = newline === -1 ? chunk.length : newline;
      this.bytesScanned += end - start + (newline === -1 ? 0 : 1);
      this.keep(chunk.subarray(start, end));
      if (newline === -1) return;
      this.emit();
      start = newline + 1;
    }
  }

  /** Hands over the unfinished last line, if there is one. */
  flush(): void {
    if (this.held > 0 || this.dropped > 0) this.emit();
  }

  /** Forgets the unfinished line. */
  clear(): void {
    this.chunks = [];
    this.held = 0;
    this.dropped = 0;
  }

  private keep(part: Buffer): void {
    if (part.length === 0) return;
    const room = this.options.maxLineBytes - this.held;
    if (part.length <= room && this.dropped === 0) {
      this.chunks.push(part);
      this.held += part.length;
      return;
    }
    if (this.options.overflow === 'error') {
      this.clear();
      throw new LineTooLongError(this.options.maxLineBytes);
    }
    if (room > 0 && this.dropped === 0) {
      this.chunks.push(part.subarray(0, room));
      this.held += room;
      this.dropped += part.length - room;
    } else {
      this.dropped += part.length;
    }
  }

  private emit(): void {
    const line = this.chunks.length === 1 ? this.chunks[0]! : Buffer.concat(this.chunks, this.held);
    const dropped = this.dropped;
    this.clear();
    this.options.onLine(line, dropped);
  }
}

/** `64 MiB`, `64 KiB`, `100 bytes`. */
export function formatBytes(bytes: number): string {
  if (bytes >= 1024 * 1024 && bytes % (1024 * 1024) === 0) return `${bytes / (1024 * 1024)} MiB`;
  if (bytes >= 1024 && bytes % 1024 === 0) return `${bytes / 1024} KiB`;
  return `${bytes} bytes`;
}
