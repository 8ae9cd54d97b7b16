/** Switchboard's version, sent as MCP clientInfo and printed by --version. Keep in step with package.json. */
export const VERSION = '0.1.0';
