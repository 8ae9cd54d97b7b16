/**
 * `switchboard tools [--json]`: every tool the model would see, with its exposed
 * name, owning server, original name and description; `--json` prints the exact
 * function schemas sent to the model.
 */
import type { ToolHub } from '../mcp/hub.js';
import { oneLine } from '../ui/style.js';
import { withSession } from './session.js';
import type { GlobalFlags } from './settings.js';

export async function toolsCommand(flags: GlobalFlags & { json?: boolean }, signal: AbortSignal): Promise<number> {
  return withSession(flags, { needsModel: false, announce: false, signal }, async ({ hub }) => {
    process.stdout.write(flags.json ? `${JSON.stringify(hub.functionTools, null, 2)}\n` : `${formatToolTable(hub)}\n`);
    return 0;
  });
}

export function formatToolTable(hub: ToolHub): string {
  const rows = [...hub.routes.values()].map((route) => ({
    name: route.exposedName,
    server: route.server,
    original: route.originalName,
    description: oneLine(route.functionTool.function.description ?? '', 80),
  }));
  if (rows.length === 0) return 'No tools: no server is running, or the servers list none.';
  const header = { name: 'TOOL', server: 'SERVER', original: 'ORIGINAL NAME', description: 'DESCRIPTION' };
  const all = [header, ...rows];
  const width = (key: keyof typeof header) => Math.max(...all.map((row) => row[key].length));
  const widths = { name: width('name'), server: width('server'), original: width('original') };
  return all
    .map((row) => `${row.name.padEnd(widths.name)}  ${row.server.padEnd(widths.server)}  ${row.original.padEnd(widths.original)}  ${row.description}`.trimEnd())
    .join('\n');
}
