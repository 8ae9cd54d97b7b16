/**
 * The line under the tool table naming the tools a server's `"tools"` filter keeps from the
 * model, so a missing tool is explained where the user looks for it. Pure: the caller prints.
 */
import { oneLine, type Style } from './style.js';

/** Empty when nothing is filtered; else one dim line, `server/tool` names (server text made inert). */
export function formatFilteredTools(filtered: ReadonlyArray<{ server: string; tool: string }>, style: Style): string {
  if (filtered.length === 0) return '';
  const names = filtered.map(({ server, tool }) => oneLine(`${server}/${tool}`, 80));
  const shown = names.length > 50 ? [...names.slice(0, 50), `and ${names.length - 50} more`] : names;
  return style.dim(`filtered out by config: ${shown.join(', ')}`);
}
