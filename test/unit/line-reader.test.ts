/**
 * Unit tests of src/mcp/line-reader.ts: lines split across chunks, linear work (every byte is
 * searched once, counted by the reader), the cap on one line in both overflow modes.
 */
import { describe, expect, it } from 'vitest';
import { LineReader, LineTooLongError } from '../../src/mcp/line-reader.js';

function collect(maxLineBytes: number, overflow: 'error' | 'truncate') {
  const lines: Array<{ text: string; dropped: number }> = [];
  const reader = new LineReader({ maxLineBytes, overflow, onLine: (line, dropped) => lines.push({ text: line.toString('utf8'), dropped }) });
  return { reader, lines };
}

describe('LineReader', () => {
  it('splits lines across and within chunks, keeps order, and flushes an unfinished last line', () => {
    const { reader, lines } = collect(1024, 'error');
    for (const part of ['{"a"', ':1}\n{"b":2}\n\n{"c"', ':3', '}\r\nrest']) reader.push(Buffer.from(part));
    expect(lines.map((l) => l.text)).toEqual(['{"a":1}', '{"b":2}', '', '{"c":3}\r']);
    reader.flush();
    expect(lines.at(-1)).toEqual({ text: 'rest', dropped: 0 });
    reader.flush();
    expect(lines).toHaveLength(5);
  });

  it('keeps a UTF-8 character split across chunks whole', () => {
    const { reader, lines } = collect(1024, 'error');
    const bytes = Buffer.from('température\n');
    reader.push(bytes.subarray(0, 5)); // "temp" + the first byte of "é"
    reader.push(bytes.subarray(5));
    expect(lines.map((l) => l.text)).toEqual(['température']);
  });

  it('searches each byte once: a line sent in 64 KiB chunks costs work linear in its length', () => {
    // The SDK's ReadBuffer searched the whole unread buffer again after every chunk: for this
    // 8 MiB line in 128 chunks, about 64 times the line's length.
    const { reader, lines } = collect(64 * 1024 * 1024, 'error');
    const chunk = Buffer.alloc(64 * 1024, 'x');
    const chunks = 128;
    for (let i = 0; i < chunks; i++) reader.push(chunk);
    reader.push(Buffer.from('\nnext'));
    const total = chunks * chunk.length + 5;
    expect(reader.bytesScanned).toBe(total);
    expect(lines).toHaveLength(1);
    expect(lines[0]!.text.length).toBe(chunks * chunk.length);
  });

  it("'error': throws once the unfinished line passes the cap, after handing over the lines before it", () => {
    const { reader, lines } = collect(10, 'error');
    reader.push(Buffer.from('0123456789\n01234'));
    expect(lines.map((l) => l.text)).toEqual(['0123456789']); // exactly the cap is allowed
    expect(() => reader.push(Buffer.from('567890'))).toThrow(LineTooLongError);
    expect(() => reader.push(Buffer.from('x'))).not.toThrow(); // it holds nothing now
  });

  it("'error': a line that never ends is refused at the cap, whatever the chunk sizes", () => {
    const { reader } = collect(1000, 'error');
    let pushed = 0;
    expect(() => {
      for (;;) {
        reader.push(Buffer.alloc(7, 'x'));
        pushed += 7;
      }
    }).toThrow('more than 1000 bytes without a newline');
    expect(pushed).toBe(994); // the push that crossed 1000 threw
  });

  it("'truncate': keeps the first bytes of a long line, counts what it drops, and goes on with the next line", () => {
    const { reader, lines } = collect(8, 'truncate');
    reader.push(Buffer.from('abcdef'));
    reader.push(Buffer.from('ghijkl'));
    reader.push(Buffer.alloc(1000, 'z'));
    reader.push(Buffer.from('\nshort\nunfinished-and-long'));
    reader.flush();
    expect(lines).toEqual([
      { text: 'abcdefgh', dropped: 4 + 1000 },
      { text: 'short', dropped: 0 },
      { text: 'unfinish', dropped: 'unfinished-and-long'.length - 8 },
    ]);
  });
});
