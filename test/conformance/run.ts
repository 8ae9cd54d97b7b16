/**
 * `npm run conformance`: every client scenario of `@modelcontextprotocol/conformance` against
 * Switchboard (adapter.ts), one at a time (some scenarios check timing: no parallel runs on a
 * busy machine). The suite itself compares each result with expected-failures.yml: a listed
 * scenario may fail, an unlisted failure or a listed scenario that now passes fails the run.
 * The suite runs with the Node 20 `fs.globSync` preload (glob-sync-preload.mjs).
 *
 *   node dist/test/conformance/run.js [SCENARIO...]
 */
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
const require = createRequire(import.meta.url);
const suite = join(dirname(require.resolve('@modelcontextprotocol/conformance/package.json')), 'dist', 'index.js');
const preload = join(root, 'test', 'conformance', 'glob-sync-preload.mjs');
const adapter = join(root, 'dist', 'test', 'conformance', 'adapter.js');
const expected = join(root, 'test', 'conformance', 'expected-failures.yml');

function runSuite(args: string[], capture: boolean) {
  return spawnSync(process.execPath, ['--import', preload, suite, ...args], {
    cwd: root,
    encoding: 'utf8',
    stdio: capture ? ['ignore', 'pipe', 'pipe'] : ['ignore', 'inherit', 'inherit'],
    env: { ...process.env, NO_COLOR: '1' },
    timeout: 180_000,
  });
}

/** The client scenarios the installed suite has, from `conformance list`. */
function clientScenarios(): string[] {
  const listing = runSuite(['list'], true);
  if (listing.status !== 0) throw new Error(`conformance list failed: ${listing.stderr}`);
  const section = listing.stdout.split(/Client scenarios[^\n]*\n/)[1] ?? '';
  return [...section.matchAll(/^\s*-\s+(\S+)/gm)].map((match) => match[1]!);
}

const wanted = process.argv.slice(2);
const scenarios = wanted.length > 0 ? wanted : clientScenarios();
if (scenarios.length === 0) throw new Error('the conformance suite listed no client scenarios');
const failed: string[] = [];
for (const scenario of scenarios) {
  process.stdout.write(`\n=== ${scenario}\n`);
  const result = runSuite(['client', '--command', `${JSON.stringify(process.execPath)} ${JSON.stringify(adapter)}`, '--scenario', scenario, '--expected-failures', expected, '--timeout', '60000'], false);
  if (result.status !== 0) failed.push(scenario);
}
process.stdout.write(`\nconformance: ${scenarios.length - failed.length}/${scenarios.length} scenarios as expected${failed.length ? `; not as expected: ${failed.join(', ')}` : ''}\n`);
process.exitCode = failed.length ? 1 : 0;
