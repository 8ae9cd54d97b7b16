/**
 * The client under test for `@modelcontextprotocol/conformance`: the suite runs
 * `node dist/test/conformance/adapter.js <server-url>` with MCP_CONFORMANCE_SCENARIO (and
 * MCP_CONFORMANCE_CONTEXT for scenarios with pre-registered credentials). This turns the URL
 * into a config with one remote server and runs the built Switchboard CLI on it, with a fresh
 * token store and a `$BROWSER` (fake-browser.ts) that follows the suite's redirects.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const url = process.argv.at(-1);
const scenario = process.env.MCP_CONFORMANCE_SCENARIO ?? '';
const context = JSON.parse(process.env.MCP_CONFORMANCE_CONTEXT ?? '{}') as { client_id?: string; client_secret?: string };
if (!url || !/^https?:\/\//.test(url)) {
  process.stderr.write('usage: adapter.js <server-url> (run by the conformance suite)\n');
  process.exit(2);
}

const here = fileURLToPath(new URL('.', import.meta.url));
const cli = join(here, '..', '..', 'src', 'cli', 'main.js');
const browser = `${JSON.stringify(process.execPath)} ${JSON.stringify(join(here, 'fake-browser.js'))}`;

/** The Client ID Metadata Document the suite's `auth/basic-cimd` authorization server expects. */
const CIMD_URL = 'https://conformance-test.local/client-metadata.json';

function authEntry(): Record<string, unknown> | undefined {
  if (scenario.startsWith('auth/client-credentials')) return { grant: 'client_credentials', clientId: context.client_id, clientSecret: context.client_secret };
  if (scenario === 'auth/pre-registration') return { clientId: context.client_id, clientSecret: context.client_secret };
  if (scenario === 'auth/basic-cimd') return { clientMetadataUrl: CIMD_URL };
  return undefined;
}

/** What to run: a tool call where the scenario's server checks one, else listing the tools (connect + initialize + tools/list). */
function command(): string[] {
  switch (scenario) {
    case 'tools_call':
      return ['call', 'conformance/add_numbers', '{"a": 5, "b": 3}'];
    case 'sse-retry':
      return ['call', 'conformance/test_reconnection', '{}'];
    case 'auth/scope-step-up':
    case 'auth/scope-retry-limit':
      // Their servers ask for more scopes on tools/call (403 insufficient_scope).
      return ['call', 'conformance/test-tool', '{}'];
    case 'elicitation-sep1034-client-defaults':
      return ['call', 'conformance/test_client_elicitation_defaults', '{}'];
    default:
      return ['tools'];
  }
}

const dir = mkdtempSync(join(tmpdir(), 'switchboard-conformance-'));
try {
  const auth = authEntry();
  const config = join(dir, 'switchboard.json');
  // Form elicitations without a terminal: answered with the schema's defaults, as a user
  // would configure an unattended run (config "elicitation": "defaults").
  const settings = scenario === 'elicitation-sep1034-client-defaults' ? { elicitation: 'defaults' } : {};
  writeFileSync(config, JSON.stringify({ mcpServers: { conformance: { url, ...(auth ? { auth } : {}) } }, ...settings }));
  const env = { ...process.env, NODE_OPTIONS: '', XDG_CONFIG_HOME: join(dir, 'config'), XDG_CACHE_HOME: join(dir, 'cache'), XDG_STATE_HOME: join(dir, 'state'), BROWSER: browser, NO_COLOR: '1' };
  const run = (args: string[], extraEnv: Record<string, string | undefined> = {}) =>
    spawnSync(process.execPath, [cli, ...args, '--config', config], { env: { ...env, ...extraEnv }, stdio: ['ignore', 'inherit', 'inherit'] }).status ?? 1;
  if (scenario === 'auth/metadata-default') {
    // `switchboard auth` signs in (with $BROWSER), `auth --status` shows the token, and a run
    // with no terminal and no $BROWSER then works with the stored token alone.
    // First, with no terminal and no $BROWSER, a run must fail and say to sign in first.
    const refused = spawnSync(process.execPath, [cli, 'tools', '--strict', '--config', config], { env: { ...env, BROWSER: undefined }, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
    if (refused.status === 0 || !refused.stderr.includes('run `switchboard auth conformance` in a terminal first')) {
      process.stderr.write(`adapter: a run without a browser did not fail with the sign-in hint (exit ${refused.status}):\n${refused.stderr}\n`);
      process.exit(1);
    }
    process.exitCode = run(['auth', 'conformance']) || run(['auth', '--status']) || run([...command(), '--strict', '--verbose'], { BROWSER: undefined });
  } else {
    process.exitCode = run([...command(), '--verbose']);
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}
