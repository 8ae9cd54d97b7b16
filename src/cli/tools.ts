/**
 * `switchboard tools [NAME] [--json]`: every tool the model would see, with its exposed
 * name, owning server, original name and description; `--json` prints the exact
 * function schemas sent to the model. With NAME (or server/tool), one tool in full:
 * description, input schema, annotations and owning server (`--json`: its MCP
 * definition with the route), starting only its server when one is named.
 */
import { formatFilteredTools } from '../ui/filtered-tools.js';
import { styleFor } from '../ui/style.js';
import { formatToolDetail, formatToolTable, terminalWidth } from '../ui/tool-table.js';
import { withSession } from './session.js';
import type { GlobalFlags } from './settings.js';
import { findRoute, serverFilter, type ToolTarget } from './tool-target.js';

export async function toolsCommand(flags: GlobalFlags & { json?: boolean; name?: string }, signal: AbortSignal): Promise<number> {
  const name = flags.name;
  if (name !== undefined) {
    let target: ToolTarget = { tool: name };
    const servers = serverFilter(name, undefined, (t) => (target = t));
    return withSession(flags, { needsModel: false, announce: false, signal, servers }, async ({ hub }) => {
      const route = findRoute(hub.routes, target);
      const { exposedName, server, originalName, definition, functionTool } = route;
      process.stdout.write(flags.json ? `${JSON.stringify({ exposedName, server, originalName, definition, functionTool }, null, 2)}\n` : `${formatToolDetail(route)}\n`);
      return 0;
    });
  }
  return withSession(flags, { needsModel: false, announce: false, signal }, async ({ hub }) => {
    process.stdout.write(flags.json ? `${JSON.stringify(hub.functionTools, null, 2)}\n` : `${formatToolTable(hub, terminalWidth(process.stdout))}\n`);
    const filtered = flags.json ? '' : formatFilteredTools(hub.filteredTools, styleFor(process.stdout));
    if (filtered) process.stdout.write(`${filtered}\n`);
    return 0;
  });
}
