/**
 * Resources, templates and prompts as plain tables (`switchboard resources`, `prompts`, and
 * the chat's `/resources`). Pure: the caller prints. Everything here came from a server, so
 * each cell goes through terminalSafe and is flattened to one line.
 */
import type { Prompt, Resource, ResourceTemplate } from '@modelcontextprotocol/sdk/types.js';
import { terminalSafe } from './sanitize.js';
import { oneLine } from './style.js';

const cell = (text: string | undefined, max = 100) => oneLine(terminalSafe(text ?? ''), max) || '-';

function table(header: string[], rows: string[][]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((row) => row[i]!.length)));
  return [header, ...rows].map((row) => row.map((c, i) => (i === row.length - 1 ? c : c.padEnd(widths[i]!))).join('  ').trimEnd()).join('\n');
}

export function formatResources(lists: ReadonlyArray<{ server: string; resources: readonly Resource[]; templates: readonly ResourceTemplate[] }>): string {
  const resources = lists.flatMap((l) => l.resources.map((r) => [cell(l.server), cell(r.uri, 200), cell(r.title ?? r.name), cell(r.mimeType), r.size === undefined ? '-' : String(r.size)]));
  const templates = lists.flatMap((l) => l.templates.map((t) => [cell(l.server), cell(t.uriTemplate, 200), cell(t.title ?? t.name), cell(t.mimeType)]));
  const parts: string[] = [];
  parts.push(resources.length > 0 ? table(['SERVER', 'URI', 'NAME', 'MIME TYPE', 'SIZE'], resources) : 'No resources.');
  if (templates.length > 0) parts.push(`Templates (fill in the {variables}, then: switchboard read URI):\n${table(['SERVER', 'URI TEMPLATE', 'NAME', 'MIME TYPE'], templates)}`);
  return parts.join('\n\n');
}

export function formatPrompts(lists: ReadonlyArray<{ server: string; prompts: readonly Prompt[] }>): string {
  const rows = lists.flatMap((l) =>
    l.prompts.map((p) => [
      cell(p.name),
      cell(l.server),
      (p.arguments ?? []).map((a) => `${cell(a.name)}${a.required ? '' : '?'}`).join(' ') || '-',
      cell(p.description ?? p.title, 80),
    ]),
  );
  if (rows.length === 0) return 'No prompts.';
  return `${table(['PROMPT', 'SERVER', 'ARGUMENTS (? = optional)', 'DESCRIPTION'], rows)}\n\nUse one: switchboard chat --prompt NAME --arg key=value, or /prompt NAME key=value in the chat.`;
}
