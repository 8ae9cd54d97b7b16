/** Unit tests of tool results -> text for the model (src/mcp/content.ts). */
import { describe, expect, it } from 'vitest';
import { mediaParts, resultToText, truncateMiddle } from '../../src/mcp/content.js';
import { Redactor } from '../../src/policy/secrets.js';

describe('resultToText', () => {
  it('joins text parts with newlines', () => {
    const result = resultToText({
      content: [
        { type: 'text', text: 'first' },
        { type: 'text', text: 'second' },
        { type: 'text', text: 'third' },
      ],
    });
    expect(result).toEqual({ text: 'first\nsecond\nthird', isError: false });
  });

  it('gives structuredContent as JSON when there is no text part', () => {
    const structured = { temperature: 72, unit: 'F', city: 'San Francisco' };
    const result = resultToText({ content: [], structuredContent: structured });
    expect(JSON.parse(result.text)).toEqual(structured);
  });

  it('prefers the text parts over structuredContent when both are present', () => {
    const result = resultToText({ content: [{ type: 'text', text: '72 °F' }], structuredContent: { temperature: 72 } });
    expect(result.text).toBe('72 °F');
  });

  it('replaces an image with a placeholder naming mime type and size, without the base64 data', () => {
    const data = Buffer.alloc(3000, 7).toString('base64'); // 3000 bytes
    const result = resultToText({ content: [{ type: 'image', data, mimeType: 'image/png' }] });
    expect(result.text).toContain('image/png');
    expect(result.text).toMatch(/2\.9 KB/);
    expect(result.text).not.toContain(data);
    expect(result.text).not.toContain(data.slice(0, 40));
    expect(result.text.length).toBeLessThan(100);
  });

  it('replaces audio with a placeholder naming mime type and size in bytes', () => {
    const data = Buffer.from('hello').toString('base64'); // 5 bytes, "aGVsbG8="
    const result = resultToText({ content: [{ type: 'audio', data, mimeType: 'audio/wav' }] });
    expect(result.text).toContain('audio/wav');
    expect(result.text).toContain('5 bytes');
    expect(result.text).not.toContain(data);
  });

  it('shows a resource link as its uri and name', () => {
    const result = resultToText({ content: [{ type: 'resource_link', uri: 'file:///tmp/report.txt', name: 'report.txt' }] });
    expect(result.text).toContain('file:///tmp/report.txt');
    expect(result.text).toContain('report.txt');
  });

  it('includes the text of an embedded text resource', () => {
    const result = resultToText({
      content: [{ type: 'resource', resource: { uri: 'file:///notes.md', mimeType: 'text/markdown', text: '# Notes\nline two' } }],
    });
    expect(result.text).toContain('file:///notes.md');
    expect(result.text).toContain('# Notes\nline two');
  });

  it('replaces an embedded blob resource with a placeholder, without the data', () => {
    const blob = Buffer.alloc(2048, 1).toString('base64');
    const result = resultToText({ content: [{ type: 'resource', resource: { uri: 'file:///a.bin', mimeType: 'application/octet-stream', blob } }] });
    expect(result.text).toContain('file:///a.bin');
    expect(result.text).toContain('application/octet-stream');
    expect(result.text).toContain('2.0 KB');
    expect(result.text).not.toContain(blob.slice(0, 40));
  });

  it('keeps mixed parts in order', () => {
    const result = resultToText({
      content: [
        { type: 'text', text: 'Here is the chart:' },
        { type: 'image', data: 'AAAA', mimeType: 'image/jpeg' },
        { type: 'text', text: 'done' },
      ],
    });
    const lines = result.text.split('\n');
    expect(lines).toHaveLength(3);
    expect(lines[0]).toBe('Here is the chart:');
    expect(lines[1]).toContain('image/jpeg');
    expect(lines[2]).toBe('done');
  });

  it('keeps the isError flag', () => {
    const result = resultToText({ content: [{ type: 'text', text: 'city not found' }], isError: true });
    expect(result).toEqual({ text: 'city not found', isError: true });
  });

  it('explains an empty result with a non-empty text', () => {
    for (const empty of [{ content: [] }, {}, { content: [{ type: 'text', text: '' }] }]) {
      const result = resultToText(empty);
      expect(result.text.trim().length).toBeGreaterThan(0);
      expect(result.isError).toBe(false);
    }
  });

  it('reads the legacy toolResult shape', () => {
    expect(JSON.parse(resultToText({ toolResult: { answer: 42 } }).text)).toEqual({ answer: 42 });
  });
});

describe('truncateMiddle', () => {
  it('never cuts a secret in two: with keepWhole, a secret at either cut point goes whole, so the mask still finds every one kept', () => {
    const secret = 'sb-secret-0123456789';
    const redactor = new Redactor([secret]);
    const text = (secret + ' ').repeat(200);
    for (const budget of [500, 777, 1_000, 1_234]) {
      const out = truncateMiddle(text, budget, (t, at) => redactor.spanning(t, at));
      expect(out.length).toBeLessThanOrEqual(budget);
      const masked = redactor.redact(out);
      expect(masked, `budget ${budget}`).not.toMatch(/sb-|-secret|0123|6789/);
    }
    const unsafe = [500, 777, 1_000, 1_234].map((budget) => redactor.redact(truncateMiddle(text, budget)));
    expect(unsafe.some((out) => /sb-|0123|6789/.test(out))).toBe(true);
  });

  it('returns text within the budget unchanged', () => {
    expect(truncateMiddle('short text', 100)).toBe('short text');
    const exact = 'x'.repeat(500);
    expect(truncateMiddle(exact, 500)).toBe(exact);
  });

  /** Builds a text whose every position is recognisable, to check which parts were kept. */
  const numbered = (length: number) => Array.from({ length }, (_, i) => String.fromCharCode(97 + (i % 26))).join('');

  for (const [length, budget] of [
    [10_000, 1_000],
    [5_000, 200],
    [1_001, 1_000],
    [123_456, 4_000],
  ] as const) {
    it(`cuts ${length} characters to at most ${budget}, keeping head and tail and counting the cut exactly`, () => {
      const text = numbered(length);
      const out = truncateMiddle(text, budget);
      expect(out.length).toBeLessThanOrEqual(budget);

      const match = /\n\[\.\.\. (\d+) characters cut[^\]]*\]\n/.exec(out);
      expect(match, 'a marker saying how much was cut').not.toBeNull();
      const cut = Number(match![1]);
      const head = out.slice(0, match!.index);
      const tail = out.slice(match!.index + match![0].length);

      expect(head.length).toBeGreaterThan(0);
      expect(tail.length).toBeGreaterThan(0);
      expect(text.startsWith(head)).toBe(true);
      expect(text.endsWith(tail)).toBe(true);
      expect(head.length + tail.length + cut).toBe(text.length);
      expect(match![0]).toContain(String(text.length));
    });
  }
});

describe('no base64 in the text (issue 7)', () => {
  const base64Run = /[A-Za-z0-9+/]{100,}/;

  it('an image placeholder gives PNG dimensions', () => {
    const png = Buffer.concat([Buffer.from('89504e470d0a1a0a0000000d4948445200000280000001e0', 'hex'), Buffer.alloc(3000, 1)]);
    const result = resultToText({ content: [{ type: 'image', data: png.toString('base64'), mimeType: 'image/png' }] });
    expect(result.text).toBe('[image: image/png, 3.0 KB, 640x480 px]');
  });

  it('leaves out structuredContent that repeats a binary part already described (read_media_file)', () => {
    const data = Buffer.alloc(60_000, 3).toString('base64');
    const result = resultToText({
      content: [{ type: 'image', data, mimeType: 'image/png' }],
      structuredContent: { content: [{ type: 'image', data, mimeType: 'image/png' }] },
    });
    expect(result.text).toBe('[image: image/png, 58.6 KB]');
  });

  it('summarises base64 blobs and data: URLs in structuredContent shown alone', () => {
    const data = Buffer.alloc(6000, 9).toString('base64');
    const result = resultToText({ content: [], structuredContent: { name: 'chart', png: data, url: `data:image/png;base64,${data}`, short: 'QUJD' } });
    expect(result.text).not.toMatch(base64Run);
    expect(JSON.parse(result.text)).toEqual({ name: 'chart', png: '[base64 data, 5.9 KB]', url: '[base64 data, 5.9 KB]', short: 'QUJD' });
  });

  it('an empty text part does not hide structuredContent', () => {
    const result = resultToText({ content: [{ type: 'text', text: '' }], structuredContent: { sum: 3 } });
    expect(JSON.parse(result.text)).toEqual({ sum: 3 });
  });

  it('mediaParts lists images, audio and blob resources in order', () => {
    expect(
      mediaParts({
        content: [
          { type: 'text', text: 'x' },
          { type: 'image', data: 'AAAA', mimeType: 'image/png' },
          { type: 'audio', data: 'BBBB', mimeType: 'audio/wav' },
          { type: 'resource', resource: { uri: 'file:///a.bin', blob: 'CCCC', mimeType: 'application/octet-stream' } },
        ],
      }),
    ).toEqual([
      { kind: 'image', data: 'AAAA', mimeType: 'image/png' },
      { kind: 'audio', data: 'BBBB', mimeType: 'audio/wav' },
      { kind: 'blob', data: 'CCCC', mimeType: 'application/octet-stream', uri: 'file:///a.bin' },
    ]);
  });
});

describe('truncateMiddle on code points (issue 7)', () => {
  const loneSurrogate = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;
  for (const prefix of ['', 'x']) {
    for (let budget = 200; budget < 208; budget++) {
      it(`never splits an emoji (prefix ${JSON.stringify(prefix)}, budget ${budget})`, () => {
        const text = prefix + '😀'.repeat(400);
        const out = truncateMiddle(text, budget);
        expect(out.length).toBeLessThanOrEqual(budget);
        expect(out).not.toMatch(loneSurrogate);
        const match = /\n\[\.\.\. (\d+) characters cut[^\]]*\]\n/.exec(out)!;
        const head = out.slice(0, match.index);
        const tail = out.slice(match.index + match[0].length);
        expect(head.length + tail.length + Number(match[1])).toBe(text.length);
        expect(text.startsWith(head) && text.endsWith(tail)).toBe(true);
      });
    }
  }
});
