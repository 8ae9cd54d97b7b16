/**
 * `call --save-media DIR`: writes each image, audio and blob part of a result to its
 * own file (never over an existing one) and returns the paths, in part order.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { UserInputError } from '../errors.js';
import type { MediaPart } from '../mcp/content.js';

const EXTENSIONS: Record<string, string> = {
  'image/png': 'png',
  'image/jpeg': 'jpg',
  'image/gif': 'gif',
  'image/webp': 'webp',
  'image/bmp': 'bmp',
  'image/svg+xml': 'svg',
  'audio/wav': 'wav',
  'audio/x-wav': 'wav',
  'audio/mpeg': 'mp3',
  'audio/ogg': 'ogg',
  'audio/flac': 'flac',
  'application/pdf': 'pdf',
  'text/plain': 'txt',
  'application/json': 'json',
};

export function saveMedia(dir: string, baseName: string, parts: readonly MediaPart[]): string[] {
  const folder = resolve(dir);
  try {
    mkdirSync(folder, { recursive: true });
  } catch (error) {
    throw new UserInputError('USAGE', `--save-media: cannot create the folder ${folder} (${(error as NodeJS.ErrnoException).code ?? String(error)}). Pass a folder you can write to.`);
  }
  const safeBase = baseName.replace(/[^A-Za-z0-9_.-]/g, '_');
  const paths: string[] = [];
  let n = 0;
  for (const part of parts) {
    const extension = EXTENSIONS[part.mimeType?.toLowerCase() ?? ''] ?? 'bin';
    const bytes = Buffer.from(part.data, 'base64');
    for (;;) {
      n++;
      const path = join(folder, `${safeBase}-${n}.${extension}`);
      try {
        writeFileSync(path, bytes, { flag: 'wx' }); // never overwrite
        paths.push(path);
        break;
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === 'EEXIST') continue;
        throw new UserInputError('USAGE', `--save-media: cannot write ${path} (${(error as NodeJS.ErrnoException).code ?? String(error)}).`);
      }
    }
  }
  return paths;
}
