/**
 * CallToolResult -> text for the model, and the media parts a caller may want as data.
 *
 * Contract: no base64 payload ever reaches the text.
 * - text parts are joined with newlines;
 * - images and audio become a placeholder naming type and size (and an image's pixel
 *   dimensions when its header says so); an embedded blob resource likewise;
 * - resource links become `uri (name)`; embedded text resources are included;
 * - `structuredContent` is given as JSON when no text part says anything: if it holds
 *   binary blobs (long base64-looking strings) it is left out when the other parts
 *   already describe the result (server-filesystem's `read_media_file` repeats its
 *   image there), else shown with each blob summarised as `[base64 data, N KB]`;
 * - an `isError` result keeps its flag so the loop can mark it for the model.
 */
import { imageSizeFromBase64 } from './image-size.js';

/** The fields of an MCP CallToolResult this module reads (kept loose: servers vary). */
export interface ToolResultLike {
  content?: unknown[];
  structuredContent?: unknown;
  isError?: boolean;
  /** Legacy (protocol 2024-10-07) result shape. */
  toolResult?: unknown;
}

export interface ToolText {
  text: string;
  isError: boolean;
}

/** A binary part of a result: an image, audio, or an embedded blob resource. `data` is base64. */
export interface MediaPart {
  kind: 'image' | 'audio' | 'blob';
  mimeType?: string;
  data: string;
  /** The resource's uri, for a blob. */
  uri?: string;
}

export function resultToText(result: ToolResultLike): ToolText {
  const content = result.content ?? [];
  const parts: string[] = [];
  for (const item of content) parts.push(contentToText(item));
  let text = parts.filter((p) => p.length > 0).join('\n');
  // An empty text part says nothing: it must not hide structuredContent.
  const saysSomething = content.some((c) => isRecord(c) && c.type === 'text' && typeof c.text === 'string' && c.text.trim() !== '');
  if (!saysSomething && result.structuredContent !== undefined) {
    const { value, blobs } = summariseBlobs(result.structuredContent);
    if (blobs === 0 || !text) {
      const json = JSON.stringify(value);
      text = text ? `${json}\n${text}` : json;
    }
  }
  if (!text && result.toolResult !== undefined) text = JSON.stringify(summariseBlobs(result.toolResult).value);
  if (!text) text = '(the tool returned no content)';
  return { text, isError: result.isError === true };
}

/** The image, audio and blob parts of a result, in order. */
export function mediaParts(result: ToolResultLike): MediaPart[] {
  const media: MediaPart[] = [];
  for (const item of result.content ?? []) {
    if (!isRecord(item)) continue;
    if ((item.type === 'image' || item.type === 'audio') && typeof item.data === 'string') {
      media.push({ kind: item.type, data: item.data, ...(typeof item.mimeType === 'string' ? { mimeType: item.mimeType } : {}) });
    } else if (item.type === 'resource' && isRecord(item.resource) && typeof item.resource.blob === 'string') {
      const { blob, mimeType, uri } = item.resource;
      media.push({ kind: 'blob', data: blob, ...(typeof mimeType === 'string' ? { mimeType } : {}), ...(typeof uri === 'string' ? { uri } : {}) });
    }
  }
  return media;
}

function contentToText(item: unknown): string {
  if (!isRecord(item)) return '';
  switch (item.type) {
    case 'text':
      return typeof item.text === 'string' ? item.text : '';
    case 'image':
    case 'audio': {
      const size = item.type === 'image' && typeof item.data === 'string' ? imageSizeFromBase64(item.data) : undefined;
      const pixels = size ? `, ${size.width}x${size.height} px` : '';
      return `[${item.type}: ${String(item.mimeType ?? 'unknown type')}, ${formatBytes(base64Bytes(item.data))}${pixels}]`;
    }
    case 'resource_link': {
      const name = typeof item.name === 'string' ? ` (${item.name})` : '';
      return `[resource link: ${String(item.uri)}${name}]`;
    }
    case 'resource': {
      const resource = isRecord(item.resource) ? item.resource : {};
      if (typeof resource.text === 'string') return `[resource ${String(resource.uri)}]\n${resource.text}`;
      const mime = typeof resource.mimeType === 'string' ? `${resource.mimeType}, ` : '';
      return `[resource ${String(resource.uri)}: ${mime}${formatBytes(base64Bytes(resource.blob))} of binary data]`;
    }
    default:
      return `[${String(item.type)} content]`;
  }
}

/** Strings at least this long that look like base64 (or are base64 data: URLs) count as binary blobs. */
const BLOB_MIN_CHARS = 256;
const BASE64 = /^[A-Za-z0-9+/_-]+={0,2}$/;
const DATA_URL = /^data:[^,]{0,200};base64,/;
/** Deeper structures are cut: this is untrusted input. */
const MAX_DEPTH = 64;

/** A copy of `value` with every base64-looking string replaced by `[base64 data, N KB]`, and how many were. */
export function summariseBlobs(value: unknown): { value: unknown; blobs: number } {
  let blobs = 0;
  const walk = (v: unknown, depth: number): unknown => {
    if (typeof v === 'string') {
      if (v.length < BLOB_MIN_CHARS) return v;
      const payload = DATA_URL.test(v) ? v.slice(v.indexOf(',') + 1) : BASE64.test(v) ? v : undefined;
      if (payload === undefined) return v;
      blobs++;
      return `[base64 data, ${formatBytes(base64Bytes(payload))}]`;
    }
    if (typeof v !== 'object' || v === null) return v;
    if (depth >= MAX_DEPTH) return '[...]';
    if (Array.isArray(v)) return v.map((x) => walk(x, depth + 1));
    return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, walk(x, depth + 1)]));
  };
  const summarised = walk(value, 0);
  return { value: summarised, blobs };
}

/** Size of base64 data without decoding it. */
export function base64Bytes(data: unknown): number {
  if (typeof data !== 'string') return 0;
  const padding = data.endsWith('==') ? 2 : data.endsWith('=') ? 1 : 0;
  return Math.max(0, Math.floor((data.length * 3) / 4) - padding);
}

export function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} bytes`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KB`;
  return `${(bytes / (1024 * 1024)).toFixed(1)} MB`;
}

/**
 * Cuts text longer than `maxChars` to its head and tail with a marker in between
 * saying how much was left out, so the model knows the output is incomplete. Cuts fall
 * on code-point boundaries: a surrogate pair (an emoji) is kept or dropped whole, never
 * split into a lone surrogate.
 */
export function truncateMiddle(text: string, maxChars: number, keepWhole?: KeepWhole): string {
  if (text.length <= maxChars) return text;
  const marker = (cut: number) =>
    `\n[... ${cut} characters cut: the tool's output was ${text.length} characters, over the ${maxChars}-character budget ...]\n`;
  // The marker's length depends on the number it carries; size it with the largest possible count.
  const keep = Math.max(0, maxChars - marker(text.length).length);
  let headEnd = Math.ceil(keep / 2);
  let tailStart = text.length - (keep - headEnd);
  if (headEnd > 0 && isHighSurrogate(text.charCodeAt(headEnd - 1))) headEnd--;
  if (tailStart < text.length && isLowSurrogate(text.charCodeAt(tailStart))) tailStart++;
  // A span the caller must not see cut in two (a secret: its halves would pass every mask) goes whole.
  const atHead = keepWhole?.(text, headEnd);
  if (atHead) headEnd = atHead.start;
  const atTail = keepWhole?.(text, tailStart);
  if (atTail) tailStart = atTail.end;
  return text.slice(0, headEnd) + marker(tailStart - headEnd) + text.slice(tailStart);
}

/** The span of `text` that position `at` falls inside and that must not be cut (see truncateMiddle), if any. */
export type KeepWhole = (text: string, at: number) => { start: number; end: number } | undefined;

const isHighSurrogate = (code: number) => code >= 0xd800 && code <= 0xdbff;
const isLowSurrogate = (code: number) => code >= 0xdc00 && code <= 0xdfff;

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null;
}
