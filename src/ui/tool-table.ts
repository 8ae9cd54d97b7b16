/**
 * The tool list as a table (`switchboard tools`, the chat's `/tools`) and one tool in
 * full (`switchboard tools NAME`). Pure: the caller prints.
 *
 * Width: the caller passes the terminal's width when stdout is a terminal; each row
 * then fits it (long names are cut with `…`, the description takes what is left or
 * is dropped when nothing is). With no width (piped output) names are cut only past
 * PIPED_NAME_MAX characters (a server's 10,000-character tool name must not widen every
 * row), and the description is flattened to one line of at most 80 characters as always,
 * so scripts reading the table see whole names of any sensible length.
 *
 * Names and descriptions come from servers: they go through the sanitiser (style.ts) before
 * they are shown. Characters a reader cannot see (invisible tag characters, bidi controls)
 * in a name or description are listed under the table (and in the detail view) as warnings:
 * the model gets the description as the server gave it, hidden text included.
 */
import { hiddenCharacterWarning } from './sanitize.js';
import { oneLine, safe } from './style.js';

/** What a row needs from a route (the hub's `ToolRoute` has it). */
export interface ToolRow {
  exposedName: string;
  server: string;
  originalName: string;
  functionTool: { function: { description?: string } };
}

export interface ToolDetail extends ToolRow {
  functionTool: { function: { description?: string; parameters?: unknown } };
  definition: { title?: string; description?: string; inputSchema?: unknown; annotations?: unknown };
}

const DESCRIPTION_MAX = 80;
const GAP = '  ';
/** Below this a name column is never cut, so the table stays readable on narrow terminals. */
const MIN_NAME = 12;
/** Widest a name column gets in piped output (exposed names are at most 64). */
export const PIPED_NAME_MAX = 128;

/** The terminal's width when `stream` is one; undefined when piped (nothing is cut then). */
export function terminalWidth(stream: NodeJS.WriteStream): number | undefined {
  return stream.isTTY && stream.columns > 0 ? stream.columns : undefined;
}

export function formatToolTable(source: { routes: ReadonlyMap<string, ToolRow> }, width?: number): string {
  const rows = [...source.routes.values()].map((route) => ({
    name: oneLine(route.exposedName, Infinity),
    server: oneLine(route.server, Infinity),
    original: oneLine(route.originalName, Infinity),
    description: oneLine(route.functionTool.function.description ?? '', DESCRIPTION_MAX),
  }));
  if (rows.length === 0) return 'No tools: no server is running, or the servers list none.';
  const header = { name: 'TOOL', server: 'SERVER', original: 'ORIGINAL NAME', description: 'DESCRIPTION' };
  const all = [header, ...rows];
  const natural = (key: 'name' | 'server' | 'original') => Math.min(PIPED_NAME_MAX, Math.max(...all.map((row) => [...row[key]].length)));
  const widths = { name: natural('name'), server: natural('server'), original: natural('original') };
  let descriptionWidth = Infinity;
  if (width !== undefined && width > 0) {
    // The name columns may take at most two thirds of the line; the widest shrinks first.
    const budget = Math.max(3 * MIN_NAME, Math.floor((width * 2) / 3) - 2 * GAP.length);
    const keys = ['name', 'server', 'original'] as const;
    while (widths.name + widths.server + widths.original > budget) {
      const widest = keys.reduce((a, b) => (widths[b] > widths[a] ? b : a));
      if (widths[widest] <= MIN_NAME) break;
      widths[widest]--;
    }
    descriptionWidth = width - (widths.name + widths.server + widths.original + 3 * GAP.length);
  }
  const table = all
    .map((row) => {
      const cells = [fit(row.name, widths.name), fit(row.server, widths.server), fit(row.original, widths.original)];
      const description = descriptionWidth >= 10 ? fit(row.description, descriptionWidth, false) : '';
      return [...cells, description].join(GAP).trimEnd();
    })
    .join('\n');
  const warnings = [...source.routes.values()].flatMap((route) => hiddenWarnings(route).map((warning) => `warning: ${cutTo(`${oneLine(route.server, 60)}/${oneLine(route.originalName, 60)}: ${warning}`, width)}`));
  return warnings.length > 0 ? `${table}\n\n${warnings.join('\n')}` : table;
}

/** What is hidden in a tool's name and description (one entry each, when there is something). */
export function hiddenWarnings(route: ToolRow & { definition?: { title?: string } }): string[] {
  const found: string[] = [];
  const name = hiddenCharacterWarning(route.originalName);
  if (name) found.push(`its name hides ${name}`);
  const description = hiddenCharacterWarning(route.functionTool.function.description ?? '');
  if (description) found.push(`its description hides ${description} (the model reads them; you do not see them)`);
  return found;
}

function cutTo(text: string, width: number | undefined): string {
  return width && width > 0 ? oneLine(text, width - 'warning: '.length) : text;
}

/** One tool in full: names, owner, description, input schema, annotations (and output schema when it has one). */
export function formatToolDetail(route: ToolDetail): string {
  const { definition } = route;
  const lines = [oneLine(route.exposedName, Infinity), `  server:        ${oneLine(route.server, Infinity)}`, `  original name: ${oneLine(route.originalName, Infinity)}`];
  if (definition.title) lines.push(`  title:         ${oneLine(definition.title, Infinity)}`);
  lines.push('', 'Description:', indent(safe(definition.description?.trim() || '(none)')));
  for (const warning of hiddenWarnings(route)) lines.push(`  warning: ${warning}`);
  lines.push('', 'Input schema (as sent to the model):', indent(safe(JSON.stringify(route.functionTool.function.parameters ?? {}, null, 2))));
  lines.push('', 'Annotations:', indent(definition.annotations ? safe(JSON.stringify(definition.annotations, null, 2)) : '(none)'));
    // Not in the hub's declared type, but servers send it and it is part of the definition.
  const { outputSchema } = definition as { outputSchema?: unknown };
  if (outputSchema !== undefined) lines.push('', 'Output schema:', indent(safe(JSON.stringify(outputSchema, null, 2))));
  return lines.join('\n');
}

function indent(text: string): string {
  return text.split('\n').map((line) => `  ${line}`).join('\n');
}

/** Pads or cuts to exactly `width` code points (cut text ends with `…`). */
function fit(text: string, width: number, pad = true): string {
  const points = [...text];
  if (points.length > width) return `${points.slice(0, Math.max(0, width - 1)).join('')}…`;
  return pad ? text + ' '.repeat(width - points.length) : text;
}
