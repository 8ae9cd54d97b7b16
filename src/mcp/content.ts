/**
 * CallToolResult -> text for the model.
 *
 * - text parts are joined with newlines;
 * - `structuredContent` is given as JSON when there is no text;
 * - images and audio become a short placeholder naming type and size (never raw base64);
 * - resource links become `uri (name)`; embedded text resources are included;
 * - an `isError` result keeps its flag so the loop can mark it for the model.
 */

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

export function resultToText(result: ToolResultLike): ToolText {
  const parts: string[] = [];
  for (const item of result.content ?? []) parts.push(contentToText(item));
  let text = parts.filter((p) => p.length > 0).join('\n');
  const hasText = (result.content ?? []).some((c) => isRecord(c) && c.type === 'text');
  if (!hasText && result.structuredContent !== undefined) {
    const json = JSON.stringify(result.structuredContent);
    text = text ? `${json}\n${text}` : json;
  }
  if (!text && result.toolResult !== undefined) text = JSON.stringify(result.toolResult);
  if (!text) text = '(the tool returned no content)';
  return { text, isError: result.isError === true };
}

function contentToText(item: unknown): string {
  if (!isRecord(item)) return '';
  switch (item.type) {
    case 'text':
      return typeof item.text === 'string' ? item.text : '';
    case 'image':
    case 'audio':
      return `[${item.type}: ${String(item.mimeType ?? 'unknown type')}, ${formatBytes(base64Bytes(item.data))}]`;
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

/** Size of base64 data without decoding it. */
function base64Bytes(data: unknown): number {
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
 * saying how much was left out, so the model knows the output is incomplete.
 */
export function truncateMiddle(text: string, maxChars: number): string {
  if (text.length <= maxChars) return text;
  const marker = (cut: number) =>
    `\n[... ${cut} characters cut: the tool's output was ${text.length} characters, over the ${maxChars}-character budget ...]\n`;
  // The marker's length depends on the number it carries; size it with the largest possible count.
  const keep = Math.max(0, maxChars - marker(text.length).length);
  const head = Math.ceil(keep / 2);
  const tail = keep - head;
  return text.slice(0, head) + marker(text.length - keep) + (tail > 0 ? text.slice(text.length - tail) : '');
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null;
}
