/**
 * Pixel dimensions of a PNG, GIF, JPEG or WebP image, read from its header.
 *
 * Only a small prefix of the base64 data is decoded (the whole image may be megabytes):
 * PNG, GIF and WebP keep their size in the first 30 bytes; a JPEG's frame header comes
 * after its metadata segments, so up to PREFIX_BYTES are scanned and a JPEG whose frame
 * header lies further in gets no dimensions ("when cheap"), never a wrong answer.
 */

const PREFIX_BYTES = 32 * 1024;

export interface ImageSize {
  width: number;
  height: number;
}

/** Dimensions from base64 image data, or undefined when the format is not recognised or the header is not in the prefix. */
export function imageSizeFromBase64(data: string): ImageSize | undefined {
  // 4 base64 characters are 3 bytes: decode a whole number of quads.
  const chars = Math.ceil(PREFIX_BYTES / 3) * 4;
  const bytes = Buffer.from(data.slice(0, chars), 'base64');
  return imageSize(bytes);
}

export function imageSize(bytes: Buffer): ImageSize | undefined {
  try {
    return png(bytes) ?? gif(bytes) ?? webp(bytes) ?? jpeg(bytes);
  } catch {
    return undefined; // a header cut short: a read past the end of the prefix
  }
}

const valid = (width: number, height: number): ImageSize | undefined => (width > 0 && height > 0 ? { width, height } : undefined);

function png(b: Buffer): ImageSize | undefined {
  const signature = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];
  if (b.length < 24 || !signature.every((byte, i) => b[i] === byte)) return undefined;
  if (b.toString('latin1', 12, 16) !== 'IHDR') return undefined;
  return valid(b.readUInt32BE(16), b.readUInt32BE(20));
}

function gif(b: Buffer): ImageSize | undefined {
  const magic = b.toString('latin1', 0, 6);
  if (b.length < 10 || (magic !== 'GIF87a' && magic !== 'GIF89a')) return undefined;
  return valid(b.readUInt16LE(6), b.readUInt16LE(8));
}

function webp(b: Buffer): ImageSize | undefined {
  if (b.length < 30 || b.toString('latin1', 0, 4) !== 'RIFF' || b.toString('latin1', 8, 12) !== 'WEBP') return undefined;
  switch (b.toString('latin1', 12, 16)) {
    case 'VP8 ': // lossy: 14-bit sizes after the key frame's start code
      return valid(b.readUInt16LE(26) & 0x3fff, b.readUInt16LE(28) & 0x3fff);
    case 'VP8L': {
      // lossless: 14-bit width-1 and height-1 packed after the 0x2f signature byte
      const bits = b.readUInt32LE(21);
      return valid((bits & 0x3fff) + 1, ((bits >> 14) & 0x3fff) + 1);
    }
    case 'VP8X': // extended: 24-bit canvas width-1 and height-1
      return valid(b.readUIntLE(24, 3) + 1, b.readUIntLE(27, 3) + 1);
    default:
      return undefined;
  }
}

/** Start-of-frame markers (baseline, progressive, lossless, arithmetic); not DHT (C4), JPG (C8), DAC (CC). */
const SOF = new Set([0xc0, 0xc1, 0xc2, 0xc3, 0xc5, 0xc6, 0xc7, 0xc9, 0xca, 0xcb, 0xcd, 0xce, 0xcf]);

function jpeg(b: Buffer): ImageSize | undefined {
  if (b.length < 4 || b[0] !== 0xff || b[1] !== 0xd8) return undefined;
  let offset = 2;
  while (offset + 9 <= b.length) {
    if (b[offset] !== 0xff) return undefined; // lost sync: not a JPEG we can read
    const marker = b[offset + 1]!;
    if (marker === 0xff) {
      offset++; // fill byte
      continue;
    }
    if (SOF.has(marker)) return valid(b.readUInt16BE(offset + 7), b.readUInt16BE(offset + 5));
    if (marker === 0xd9 || marker === 0xda) return undefined; // end of image, or scan data before any frame header
    if ((marker >= 0xd0 && marker <= 0xd7) || marker === 0x01) {
      offset += 2; // markers without a length
      continue;
    }
    offset += 2 + b.readUInt16BE(offset + 2);
  }
  return undefined;
}
