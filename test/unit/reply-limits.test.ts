/** Unit tests of the raw-stream line bound (src/llm/reply-limits.ts boundLines). */
import { describe, expect, it } from 'vitest';
import { boundLines, ReplyLimitError } from '../../src/llm/reply-limits.js';

const bytes = (text: string) => new TextEncoder().encode(text);

function streamOf(pieces: string[]): ReadableStream<Uint8Array> {
  return new ReadableStream({
    start(controller) {
      for (const piece of pieces) controller.enqueue(bytes(piece));
      controller.close();
    },
  });
}

async function readAll(stream: ReadableStream<Uint8Array>): Promise<string> {
  let text = '';
  const decoder = new TextDecoder();
  for await (const piece of stream) text += decoder.decode(piece, { stream: true });
  return text;
}

describe('boundLines', () => {
  it('passes a stream whose lines stay within the bound through unchanged, however long in total', async () => {
    const pieces = Array.from({ length: 100 }, (_, i) => `data: ${'x'.repeat(5)}${i % 2 ? '\n' : ''}`);
    expect(await readAll(boundLines(streamOf(pieces), 30, 1000))).toBe(pieces.join(''));
  });

  it('fails with a size ReplyLimitError once one line, across pieces, passes the bound', async () => {
    const pieces = ['data: ok\n', 'data: ', 'x'.repeat(20), 'x'.repeat(20)];
    const error = await readAll(boundLines(streamOf(pieces), 30, 1000)).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ReplyLimitError);
    expect((error as ReplyLimitError).limit).toBe('size');
  });

  it('counts from the last newline of a piece', async () => {
    const pieces = [`${'y'.repeat(25)}\nabc`, 'd'.repeat(26)]; // the open line is 3 + 26 = 29 bytes
    expect(await readAll(boundLines(streamOf(pieces), 30, 1000))).toBe(pieces.join(''));
  });
});
