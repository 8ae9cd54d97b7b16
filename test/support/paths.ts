/**
 * Paths the tests use. Child processes run from dist/ (build first: `npx tsc -p tsconfig.json`).
 */
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository root (with a trailing slash). */
export const REPO_ROOT = fileURLToPath(new URL('../..', import.meta.url));
/** The built `switchboard` CLI. */
export const CLI_PATH = resolve(REPO_ROOT, 'dist/src/cli/main.js');
/** The built fault-injecting fixture MCP server (test/support/fixture-server.ts). */
export const FIXTURE_SERVER_PATH = resolve(REPO_ROOT, 'dist/test/support/fixture-server.js');
/** The built bundled temperature MCP server. */
export const TEMPERATURE_SERVER_PATH = resolve(REPO_ROOT, 'dist/servers/temperature/main.js');
/** The scripted model's demo script. */
export const DEMO_SCRIPT_PATH = resolve(REPO_ROOT, 'config/demo.script.json');
/** The built hostile MCP server (test/support/hostile-server.ts): terminal attacks and oversized lists. */
export const HOSTILE_SERVER_PATH = resolve(REPO_ROOT, 'dist/test/support/hostile-server.js');
