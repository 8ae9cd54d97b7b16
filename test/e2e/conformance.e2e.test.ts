/**
 * A few scenarios of the MCP conformance suite through `dist/test/conformance/run.js`, so
 * `npm test` proves the runner, its Node 20 preload and the adapter work, including one
 * headless OAuth sign-in (discovery, dynamic registration, PKCE, loopback redirect).
 * `npm run conformance` (run by .ci/run) runs every client scenario.
 */
import { spawn } from 'node:child_process';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../support/paths.js';

const RUNNER = resolve(REPO_ROOT, 'dist/test/conformance/run.js');

function runScenarios(...scenarios: string[]): Promise<{ code: number | null; output: string }> {
  return new Promise((done) => {
    const child = spawn(process.execPath, [RUNNER, ...scenarios], { cwd: REPO_ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.on('close', (code) => done({ code, output }));
  });
}

describe('the MCP conformance suite against Switchboard', () => {
  it('passes initialize, tools_call and an OAuth sign-in (auth/metadata-default)', async () => {
    const r = await runScenarios('initialize', 'tools_call', 'auth/metadata-default');
    expect(r.output).toContain('conformance: 3/3 scenarios as expected');
    expect(r.code, r.output).toBe(0);
  }, 150_000);
});
