/**
 * One MCP server log message (`notifications/message`) as a terminal line:
 * `[server] level logger: data`. Everything in it comes from the server, so each part
 * is bounded and made inert (`oneLine`).
 */
import type { HostEvent } from '../agent/events.js';
import { safeStringify } from '../mcp/json-depth.js';
import { oneLine } from './style.js';

export type ServerLogEvent = Extract<HostEvent, { type: 'server_log' }>;

export function formatServerLog(event: ServerLogEvent): string {
  const data = typeof event.data === 'string' ? event.data : event.data === undefined ? '' : safeStringify(event.data);
  return `[${oneLine(event.server, 60)}] ${oneLine(event.level, 20)}${event.logger ? ` ${oneLine(event.logger, 60)}` : ''}: ${oneLine(data, 300)}`;
}
