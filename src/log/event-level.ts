/**
 * The log level of each event: streamed pieces and progress are `debug`, the steps of a run
 * (`model_request`, `tool_call`, `tool_result`, `final`, `usage`, ...) `info`, what went wrong
 * but was survived (retries, stops, server crashes) `warn`, a failed run `error`. A server's
 * own log message keeps its MCP level (syslog names mapped onto these four).
 */
import type { OutputEvent } from '../agent/events.js';
import type { LogLevel } from './logger.js';

export function levelOf(event: OutputEvent): LogLevel {
  switch (event.type) {
    case 'reasoning_delta':
    case 'text_delta':
    case 'tool_progress':
      return 'debug';
    case 'model_retry':
    case 'stopped':
    case 'history_trimmed':
      return 'warn';
    case 'server_state':
      if (event.state === 'closed') return 'debug';
      return event.state === 'ready' || event.state === 'starting' ? 'info' : 'warn';
    case 'tool_result':
      return event.isError ? 'warn' : 'info';
    case 'server_log':
      return mcpLevel(event.level);
    case 'error':
      return 'error';
    default:
      return 'info';
  }
}

/** MCP log levels are syslog's: debug, info, notice, warning, error, critical, alert, emergency. */
function mcpLevel(level: string): LogLevel {
  if (level === 'debug') return 'debug';
  if (level === 'info' || level === 'notice') return 'info';
  if (level === 'warning') return 'warn';
  return 'error';
}
