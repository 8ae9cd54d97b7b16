#!/usr/bin/env node
/**
 * `switchboard-temperature`: runs the temperature MCP server over stdio.
 *
 * stdout carries JSON-RPC only; the start message goes to stderr. Exits 0 when
 * stdin reaches EOF (the transport closes) or on SIGTERM/SIGINT.
 */
import { StdioServerTransport } from '@modelcontextprotocol/sdk/server/stdio.js';
import { createTemperatureServer, SERVER_NAME, SERVER_VERSION } from './server.js';

const server = createTemperatureServer();
const transport = new StdioServerTransport();

let closing = false;
async function shutdown(code: number): Promise<void> {
  if (closing) return;
  closing = true;
  try {
    await server.close();
  } catch {
    // Already closed or broken pipe: nothing left to clean up.
  }
  process.exit(code);
}

// StdioServerTransport does not watch for stdin EOF itself; close when the client hangs up.
process.stdin.on('end', () => void shutdown(0));
process.stdin.on('close', () => void shutdown(0));
process.on('SIGTERM', () => void shutdown(0));
process.on('SIGINT', () => void shutdown(0));
server.server.onclose = () => void shutdown(0);

try {
  await server.connect(transport);
  process.stderr.write(`${SERVER_NAME} MCP server ${SERVER_VERSION} running on stdio\n`);
} catch (error) {
  process.stderr.write(`${SERVER_NAME}: failed to start: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
}
