/**
 * Paged MCP list requests (`resources/list`, `resources/templates/list`, `prompts/list`):
 * follows `nextCursor` until the server stops giving one, repeats a cursor, or a bound is
 * reached, so a server that pages forever cannot hold a command up.
 */
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import type { z } from 'zod';

export const MAX_LIST_PAGES = 100;
export const MAX_LIST_ENTRIES = 10_000;

export async function listAllPages<S extends z.ZodType<{ nextCursor?: string | undefined }>, T>(
  client: Client,
  method: string,
  schema: S,
  entriesOf: (page: z.infer<S>) => readonly T[],
  timeoutMs: number,
): Promise<T[]> {
  const entries: T[] = [];
  const seen = new Set<string>();
  let cursor: string | undefined;
  for (let page = 1; page <= MAX_LIST_PAGES; page++) {
    const result = await client.request({ method, params: cursor === undefined ? {} : { cursor } }, schema, { timeout: timeoutMs });
    entries.push(...entriesOf(result).slice(0, MAX_LIST_ENTRIES - entries.length));
    cursor = result.nextCursor;
    if (cursor === undefined || seen.has(cursor) || entries.length >= MAX_LIST_ENTRIES) break;
    seen.add(cursor);
  }
  return entries;
}
