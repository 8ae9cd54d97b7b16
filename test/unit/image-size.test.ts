/** Unit tests of image dimensions read from headers (src/mcp/image-size.ts). */
import { describe, expect, it } from 'vitest';
import { imageSize, imageSizeFromBase64 } from '../../src/mcp/image-size.js';

/** A PNG header (signature + IHDR) followed by `filler` bytes: enough for a header reader. */
export function pngHeader(width: number, height: number, filler = 0): Buffer {
  const head = Buffer.alloc(33);
  Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]).copy(head, 0);
  head.writeUInt32BE(13, 8);
  head.write('IHDR', 12, 'latin1');
  head.writeUInt32BE(width, 16);
  head.writeUInt32BE(height, 20);
  head[24] = 8; // bit depth
  head[25] = 6; // RGBA
  return Buffer.concat([head, Buffer.alloc(filler, 0x5a)]);
}

function gif(width: number, height: number): Buffer {
  const b = Buffer.alloc(13);
  b.write('GIF89a', 0, 'latin1');
  b.writeUInt16LE(width, 6);
  b.writeUInt16LE(height, 8);
  return b;
}

/** SOI, an APP0 segment of `app0Bytes`, a DQT-like segment, then SOF0 (or SOF2) with the size. */
function jpeg(width: number, height: number, app0Bytes = 16, sof = 0xc0): Buffer {
  const app0 = Buffer.alloc(2 + app0Bytes);
  app0[0] = 0xff;
  app0[1] = 0xe0;
  app0.writeUInt16BE(app0Bytes, 2);
  const dqt = Buffer.from([0xff, 0xdb, 0x00, 0x04, 0x00, 0x00]);
  const frame = Buffer.alloc(19);
  frame[0] = 0xff;
  frame[1] = sof;
  frame.writeUInt16BE(17, 2);
  frame[4] = 8;
  frame.writeUInt16BE(height, 5);
  frame.writeUInt16BE(width, 7);
  return Buffer.concat([Buffer.from([0xff, 0xd8]), app0, dqt, frame, Buffer.from([0xff, 0xd9])]);
}

function webp(chunk: 'VP8 ' | 'VP8L' | 'VP8X', width: number, height: number): Buffer {
  const b = Buffer.alloc(40);
  b.write('RIFF', 0, 'latin1');
  b.writeUInt32LE(32, 4);
  b.write('WEBP', 8, 'latin1');
  b.write(chunk, 12, 'latin1');
  if (chunk === 'VP8 ') {
    b.set([0x9d, 0x01, 0x2a], 23);
    b.writeUInt16LE(width, 26);
    b.writeUInt16LE(height, 28);
  } else if (chunk === 'VP8L') {
    b[20] = 0x2f;
    b.writeUInt32LE(((width - 1) & 0x3fff) | (((height - 1) & 0x3fff) << 14), 21);
  } else {
    b.writeUIntLE(width - 1, 24, 3);
    b.writeUIntLE(height - 1, 27, 3);
  }
  return b;
}

describe('imageSize', () => {
  it('reads PNG, GIF, JPEG (baseline and progressive) and the three WebP kinds', () => {
    expect(imageSize(pngHeader(640, 480))).toEqual({ width: 640, height: 480 });
    expect(imageSize(gif(31, 17))).toEqual({ width: 31, height: 17 });
    expect(imageSize(jpeg(1024, 768))).toEqual({ width: 1024, height: 768 });
    expect(imageSize(jpeg(300, 200, 16, 0xc2))).toEqual({ width: 300, height: 200 });
    expect(imageSize(webp('VP8 ', 320, 240))).toEqual({ width: 320, height: 240 });
    expect(imageSize(webp('VP8L', 1000, 3))).toEqual({ width: 1000, height: 3 });
    expect(imageSize(webp('VP8X', 5000, 70000))).toEqual({ width: 5000, height: 70000 });
  });

  it('gives nothing for unknown or cut-short data, never a wrong size', () => {
    expect(imageSize(Buffer.from('not an image at all'))).toBeUndefined();
    expect(imageSize(pngHeader(640, 480).subarray(0, 20))).toBeUndefined();
    expect(imageSize(jpeg(10, 10).subarray(0, 12))).toBeUndefined();
    expect(imageSize(Buffer.alloc(0))).toBeUndefined();
  });

  it('decodes only a prefix of base64: a JPEG frame header past it gets no size', () => {
    const near = jpeg(800, 600, 1000).toString('base64');
    expect(imageSizeFromBase64(near)).toEqual({ width: 800, height: 600 });
    const far = jpeg(800, 600, 60_000).toString('base64');
    expect(imageSizeFromBase64(far)).toBeUndefined();
    // A big PNG is read from its first bytes.
    expect(imageSizeFromBase64(pngHeader(4000, 3000, 2_000_000).toString('base64'))).toEqual({ width: 4000, height: 3000 });
  });
});
