/**
 * Each command loads only what it needs (issue 12): main.ts imports a command's module when
 * that command runs, so `--version` loads no parser, no MCP SDK and no model client, `call`
 * no model client and no REPL, a one-shot chat no REPL. Checked on the module graph the built
 * CLI really loads (test/support/module-trace.ts records it), not on timings: it fails when an
 * eager import grows the graph back.
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { cliEnv } from '../support/cli.js';
import { startMockLlm } from '../support/mock-llm.js';
import { CLI_PATH, DEMO_SCRIPT_PATH, REPO_ROOT } from '../support/paths.js';

const TRACE_HOOK = resolve(REPO_ROOT, 'dist/test/support/module-trace.js');
const dir = mkdtempSync(join(tmpdir(), 'switchboard-module-graph-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

let runs = 0;
/** Runs the built CLI with `args`; returns its exit code, output and every ES module URL it loaded. */
function traced(args: string[]): { code: number | null; stdout: string; stderr: string; modules: string[] } {
  const trace = join(dir, `trace-${++runs}.txt`);
  const result = spawnSync(process.execPath, ['--import', TRACE_HOOK, CLI_PATH, ...args], {
    cwd: dir,
    env: cliEnv({ SWITCHBOARD_MODULE_TRACE: trace }),
    input: '',
    encoding: 'utf8',
    timeout: 60_000,
  });
  const modules = readTrace(trace);
  return { code: result.status, stdout: result.stdout, stderr: result.stderr, modules };
}

/** `traced` without blocking this process: for a run whose model is the loopback mock served from here. */
function tracedAsync(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string; modules: string[] }> {
  const trace = join(dir, `trace-${++runs}.txt`);
  const child = spawn(process.execPath, ['--import', TRACE_HOOK, CLI_PATH, ...args], { cwd: dir, env: cliEnv({ SWITCHBOARD_MODULE_TRACE: trace }), stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
  return new Promise((resolvePromise) =>
    child.on('close', (code) => {
      clearTimeout(timer);
      resolvePromise({ code, stdout, stderr, modules: readTrace(trace) });
    }),
  );
}

/** The module URLs a run recorded; none when it was killed before loading anything. */
function readTrace(trace: string): string[] {
  return existsSync(trace) ? readFileSync(trace, 'utf8').split('\n').filter(Boolean) : [];
}

const loaded = (modules: string[], part: string) => modules.filter((url) => url.includes(part));

/** `part` (a path under the repository) was not loaded; it exists, so a rename cannot make this pass unseen. */
function expectNotLoaded(modules: string[], part: string): void {
  expect(existsSync(join(REPO_ROOT, part)), `${part} exists`).toBe(true);
  expect(loaded(modules, part), part).toEqual([]);
}

describe('the module graph of a command', () => {
  it('--version loads no command, no parser library, no SDK and no model client', () => {
    const r = traced(['--version']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout.trim()).toMatch(/^\d+\.\d+\.\d+/);
    // The trace itself works: the entry point is in it.
    expect(loaded(r.modules, '/dist/src/cli/main.js')).toHaveLength(1);
    for (const part of ['/node_modules/yargs/', '/node_modules/zod/', '/node_modules/@modelcontextprotocol/sdk/', '/node_modules/@huggingface/inference/', '/dist/src/cli/chat.js', '/dist/src/cli/call.js', '/dist/src/cli/session.js']) {
      expectNotLoaded(r.modules, part);
    }
  });

  it('call runs its tool without loading the model client, the chat, the renderers or the REPL', () => {
    const r = traced(['call', 'temperature/get_temperature', '{"city":"Paris"}']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain('Paris');
    expect(loaded(r.modules, '/dist/src/mcp/hub.js')).toHaveLength(1);
    for (const part of ['/node_modules/@huggingface/inference/', '/node_modules/yargs/', '/dist/src/cli/chat.js', '/dist/src/cli/repl.js', '/dist/src/ui/terminal.js', '/dist/src/agent/events.js']) {
      expectNotLoaded(r.modules, part);
    }
  });

  it('a one-shot chat does not load the REPL', () => {
    const r = traced(['chat', '--model', `scripted:${DEMO_SCRIPT_PATH}`, 'What is the temperature in San Francisco?']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain('72');
    expect(loaded(r.modules, '/dist/src/cli/chat.js')).toHaveLength(1);
    expectNotLoaded(r.modules, '/dist/src/cli/repl.js');
    expectNotLoaded(r.modules, '/node_modules/yargs/');
    // What only some chats need is loaded when they need it: a question (tool approval, a
    // server's request, trusting a project config), resuming a session, a server's prompt.
    for (const part of ['/dist/src/ui/approval-prompt.js', '/dist/src/ui/server-requests-prompt.js', '/dist/src/agent/sampling.js', '/dist/src/policy/trust.js', '/dist/src/config/summary.js', '/dist/src/ui/trust-prompt.js', '/dist/src/cli/resume-session.js', '/dist/src/session/reader.js', '/dist/src/cli/prompts.js']) {
      expectNotLoaded(r.modules, part);
    }
    // The bundled config is plain JSON: the JSONC parser is loaded only for comments or trailing commas.
    expectNotLoaded(r.modules, '/node_modules/jsonc-parser/');
    // No --trace: the trace page's renderer stays unloaded.
    expectNotLoaded(r.modules, '/dist/src/trace/');
    // Stdio servers only: no remote transport, no OAuth (loaded by a remote server's start).
    for (const part of ['/dist/src/mcp/transports/remote.js', '/dist/src/auth/', '/node_modules/@modelcontextprotocol/sdk/dist/esm/client/streamableHttp.js', '/node_modules/@modelcontextprotocol/sdk/dist/esm/client/sse.js']) {
      expectNotLoaded(r.modules, part);
    }
  });

  it('a config with comments and a trailing comma loads the JSONC parser, and is read as JSON', () => {
    const config = join(dir, 'commented.jsonc');
    writeFileSync(config, `{\n  // the bundled server\n  "mcpServers": { "temperature": { "command": "node", "args": [${JSON.stringify(resolve(REPO_ROOT, 'dist/servers/temperature/main.js'))}], "trust": true }, },\n}\n`);
    const r = traced(['chat', '--config', config, '--model', `scripted:${DEMO_SCRIPT_PATH}`, 'What is the temperature in San Francisco?']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain('72');
    expect(loaded(r.modules, '/node_modules/jsonc-parser/').length).toBeGreaterThan(0);
  });

  it('a chat with a real model endpoint loads the inference library\'s chat module, not its snippet generator', async () => {
    const mock = await startMockLlm({ script: [{ text: 'Hello from the endpoint.' }] });
    try {
      const r = await tracedAsync(['chat', '--endpoint-url', mock.url, '--model', 'test-model', 'Say hello']);
      expect(r.code, r.stderr).toBe(0);
      expect(r.stdout).toContain('Hello from the endpoint.');
      expect(loaded(r.modules, '/node_modules/@huggingface/inference/dist/esm/tasks/nlp/chatCompletionStream.js')).toHaveLength(1);
      // The package root pulls in the code-snippet generator: @huggingface/tasks (about 70 modules) and a Jinja engine.
      for (const part of ['/node_modules/@huggingface/inference/dist/esm/index.js', '/node_modules/@huggingface/inference/dist/esm/snippets/', '/node_modules/@huggingface/tasks/', '/node_modules/@huggingface/jinja/']) {
        expectNotLoaded(r.modules, part);
      }
    } finally {
      await mock.close();
    }
  });
});
