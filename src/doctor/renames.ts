/**
 * Why a tool is offered to the model under a name other than its own (see mcp/naming.ts):
 * a name another server also has, characters a model API does not take, or a length over 64.
 */
import { EXPOSED_NAME_PATTERN } from '../mcp/naming.js';

export interface RoutedName {
  server: string;
  originalName: string;
  exposedName: string;
}

export function renameReason(route: RoutedName, all: Iterable<RoutedName>): string {
  const others = [...all].filter((other) => other.server !== route.server && other.originalName === route.originalName).map((other) => `"${other.server}"`);
  if (others.length > 0) return `server ${[...new Set(others)].join(', ')} also has a tool named "${route.originalName}"`;
  if (route.originalName.length > 64) return 'longer than 64 characters: cut, with a hash of the full name';
  if (!EXPOSED_NAME_PATTERN.test(route.originalName)) return 'characters other than letters, digits, "_" and "-" were replaced with "_"';
  return 'its name was given to another tool earlier in the session';
}
