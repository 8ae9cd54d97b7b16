/**
 * `switchboard serve --mcp`, the MCP gateway, end to end: the SDK's own MCP client talks to
 * the built CLI over stdio (StdioClientTransport spawning it) and over Streamable HTTP, with
 * real upstream servers (the bundled temperature server and fixture servers) behind it.
 */
import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { CallToolResultSchema, ToolListChangedNotificationSchema, type CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { afterEach, describe, expect, it } from 'vitest';
import { cliEnv } from '../support/cli.js';
import { startMockLlm } from '../support/mock-llm.js';
import { CLI_PATH } from '../support/paths.js';
import { EVERYTHING_SERVER } from '../integration/servers.js';
import { describeProcesses, procInfo, subtreeOf, waitForGone, waitUntil, type ProcInfo } from '../support/processes.js';
import { fixtureServer, temperatureServer, useE2eHarness } from './harness.js';

const h = useE2eHarness();

/** What a gateway client sees of the text of a result. */
const textOf = (result: unknown): string => ((result as CallToolResult).content ?? []).map((part) => (part.type === 'text' ? part.text : `[${part.type}]`)).join('\n');

/**
 * Two upstream servers with a name in common (`echo`), a denied tool (`fixture/add`), and
 * fixture tools that ask (the fixture servers are not trusted); the temperature server's
 * read-only tool runs unasked.
 */
function gatewayConfig(callLog: string): string {
  return h.file('gateway.json', {
    mcpServers: {
      temperature: temperatureServer(),
      fixture: fixtureServer('--tools', 'echo,add,sleep,hang,add_tool,cancelled_count', '--call-log', callLog),
      other: fixtureServer('--name', 'other', '--tools', 'echo'),
    },
    permissions: { deny: ['fixture/add'] },
  });
}

interface Gateway {
  client: Client;
  stderr: () => string;
  /** Closes the client (stdin EOF to the gateway) and checks the gateway and its servers are gone. */
  close(): Promise<void>;
}

const open: Gateway[] = [];
afterEach(async () => {
  for (const gateway of open.splice(0)) await gateway.close().catch(() => undefined);
});

/** The SDK client over stdio, spawning the built CLI with isolated XDG homes. */
async function connectStdio(args: string[]): Promise<Gateway> {
  const env = cliEnv() as Record<string, string>;
  const transport = new StdioClientTransport({ command: process.execPath, args: [CLI_PATH, 'serve', '--mcp', ...args], env, stderr: 'pipe' });
  let stderr = '';
  transport.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
  const client = new Client({ name: 'gateway-test', version: '1.0.0' });
  await client.connect(transport);
  // Initialize is answered once every upstream server had its start: the tree is complete.
  const pid = transport.pid!;
  const processes: ProcInfo[] = [procInfo(pid), ...subtreeOf(pid)].filter((info): info is ProcInfo => info !== undefined);
  let closed = false;
  const gateway: Gateway = {
    client,
    stderr: () => stderr,
    async close() {
      if (closed) return;
      closed = true;
      await client.close();
      const survivors = await waitForGone(processes, { timeoutMs: 5_000 });
      expect(survivors, `left behind by the gateway:\n${describeProcesses(survivors)}\n--- stderr:\n${stderr}`).toEqual([]);
    },
  };
  open.push(gateway);
  return gateway;
}

describe('serve --mcp over stdio', () => {
  it('lists every server\'s tools under the names the model sees, without the denied one; nothing but JSON-RPC on stdout', async () => {
    const config = gatewayConfig(join(h.dir(), 'calls.log'));
    const gateway = await connectStdio(['--config', config]);
    const { tools } = await gateway.client.listTools();
    const names = tools.map((tool) => tool.name);
    // The names `tools --json` gives the model with the same config (collisions: server__tool).
    const model = await h.run(['tools', '--json', '--config', config]);
    expect(model.code, model.stderr).toBe(0);
    const modelNames = (JSON.parse(model.stdout) as Array<{ function: { name: string } }>).map((tool) => tool.function.name);
    expect(names).toEqual(modelNames.filter((name) => name !== 'add'));
    expect(names).toEqual(expect.arrayContaining(['get_temperature', 'fixture__echo', 'other__echo', 'sleep', 'hang']));
    expect(names).not.toContain('add');
    expect(names).not.toContain('echo');
    // Definitions pass through: the temperature tool's output schema, annotations and description.
    const temperature = tools.find((tool) => tool.name === 'get_temperature')!;
    expect(temperature.annotations).toMatchObject({ readOnlyHint: true });
    expect(temperature.outputSchema).toMatchObject({ type: 'object', required: expect.arrayContaining(['temperature']) });
    expect(temperature.description).toMatch(/temperature/i);
    // The SDK client would have failed on anything but JSON-RPC on stdout; the host's lines went to stderr.
    expect(gateway.stderr()).toMatch(/switchboard: config: /);
    expect(gateway.stderr()).toMatch(/MCP gateway on stdio: 7 tools \(1 denied by the permissions, not listed\)/);
    await gateway.close();
  });

  it('routes a call to its server and returns the server\'s result (structured content included)', async () => {
    const gateway = await connectStdio(['--config', gatewayConfig(join(h.dir(), 'calls.log'))]);
    const result = await gateway.client.callTool({ name: 'get_temperature', arguments: { city: 'Paris', unit: 'celsius' } });
    expect(result.isError).toBeFalsy();
    expect(textOf(result)).toMatch(/Paris/);
    expect(result.structuredContent).toMatchObject({ city: 'Paris', unit: 'celsius' });
    // A denied tool is not there to call either.
    await expect(gateway.client.callTool({ name: 'add', arguments: { a: 1, b: 2 } })).rejects.toThrow(/Unknown tool: add/);
    await gateway.close();
  });

  it('denies a tool the policy would ask about (nobody to ask): the server never runs it; --yes runs it', async () => {
    const callLog = join(h.dir(), 'calls.log');
    const config = gatewayConfig(callLog);
    const asking = await connectStdio(['--config', config]);
    const refused = await asking.client.callTool({ name: 'fixture__echo', arguments: { text: 'hello' } });
    expect(refused.isError).toBe(true);
    expect(textOf(refused)).toMatch(/would ask before running fixture\/echo .*nobody to ask.*--yes/);
    await asking.close();
    expect(() => readFileSync(callLog, 'utf8')).toThrow(); // the fixture never saw a call

    const yes = await connectStdio(['--config', config, '--yes']);
    const ran = await yes.client.callTool({ name: 'fixture__echo', arguments: { text: 'hello' } });
    expect(ran.isError).toBeFalsy();
    expect(textOf(ran)).toBe('hello');
    expect(readFileSync(callLog, 'utf8')).toMatch(/^echo \{"text":"hello"\}$/m);
    // --yes still lists nothing a deny rule forbids.
    expect((await yes.client.listTools()).tools.map((tool) => tool.name)).not.toContain('add');
    await yes.close();
  });

  it('passes the server\'s progress notifications back under the client\'s progress token', async () => {
    const gateway = await connectStdio(['--config', gatewayConfig(join(h.dir(), 'calls.log')), '--yes']);
    const updates: Array<{ progress: number; total?: number; message?: string }> = [];
    const result = await gateway.client.callTool({ name: 'sleep', arguments: { ms: 500, progress: true } }, CallToolResultSchema, { onprogress: (update) => updates.push(update) });
    expect(textOf(result)).toBe('slept 500 ms');
    expect(updates.length).toBeGreaterThan(0);
    expect(updates[0]).toMatchObject({ total: 500, message: expect.stringMatching(/^slept \d+ ms$/) });
    await gateway.close();
  });

  it('passes a cancellation on: the upstream server receives notifications/cancelled', async () => {
    const callLog = join(h.dir(), 'calls.log');
    const gateway = await connectStdio(['--config', gatewayConfig(callLog), '--yes']);
    const cancel = new AbortController();
    const call = gateway.client.callTool({ name: 'hang', arguments: {} }, CallToolResultSchema, { signal: cancel.signal });
    // The upstream server is running it (its call log says so): now cancel.
    expect(await waitUntil(() => readFileSyncOrEmpty(callLog).includes('hang {}'), 15_000)).toBe(true);
    cancel.abort('the test cancels');
    await expect(call).rejects.toThrow();
    const counted = await waitUntil(async () => textOf(await gateway.client.callTool({ name: 'cancelled_count', arguments: {} })) === '1', 15_000);
    expect(counted).toBe(true);
    await gateway.close();
  });

  it('forwards an upstream server\'s tools/list_changed to its client, with the new tool listed', async () => {
    const gateway = await connectStdio(['--config', gatewayConfig(join(h.dir(), 'calls.log')), '--yes']);
    let announced!: () => void;
    const changed = new Promise<void>((resolve) => (announced = resolve));
    gateway.client.setNotificationHandler(ToolListChangedNotificationSchema, () => announced());
    expect((await gateway.client.listTools()).tools.map((tool) => tool.name)).not.toContain('fresh_tool');
    await gateway.client.callTool({ name: 'add_tool', arguments: { name: 'fresh_tool' } });
    await changed;
    const { tools } = await gateway.client.listTools();
    expect(tools.map((tool) => tool.name)).toContain('fresh_tool');
    // It appeared after the gateway started; --yes runs it.
    expect(textOf(await gateway.client.callTool({ name: 'fresh_tool', arguments: { text: 'new' } }))).toBe('new');
    await gateway.close();
  });

  it('serves the other servers when one fails to start, and says so on stderr', async () => {
    const config = h.file('broken.json', { mcpServers: { temperature: temperatureServer(), broken: fixtureServer('--crash-at-start') } });
    const gateway = await connectStdio(['--config', config]);
    expect((await gateway.client.listTools()).tools.map((tool) => tool.name)).toEqual(['get_temperature']);
    expect(gateway.stderr()).toMatch(/✗ .*broken/);
    await gateway.close();
  });

  it('stdout carries JSON-RPC only, even with --verbose and a failing server; stdin closed: answers what was sent, then exits 0', async () => {
    const config = h.file('noisy.json', { mcpServers: { fixture: fixtureServer('--stderr-lines', '3', '--tools', 'echo'), broken: fixtureServer('--crash-at-start') } });
    const requests = [
      { jsonrpc: '2.0', id: 1, method: 'initialize', params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'pipe', version: '1' } } },
      { jsonrpc: '2.0', method: 'notifications/initialized' },
      { jsonrpc: '2.0', id: 2, method: 'tools/list' },
      { jsonrpc: '2.0', id: 3, method: 'tools/call', params: { name: 'echo', arguments: { text: 'x' } } },
    ];
    const result = await h.run(['serve', '--mcp', '--verbose', '--yes', '--config', config], { input: requests.map((r) => JSON.stringify(r)).join('\n') + '\n' });
    expect(result.code, result.stderr).toBe(0);
    const lines = result.stdout.split('\n').filter((line) => line !== '');
    const messages = lines.map((line) => JSON.parse(line) as { jsonrpc: string; id: number; result: any });
    expect(messages.map((m) => [m.jsonrpc, m.id])).toEqual([['2.0', 1], ['2.0', 2], ['2.0', 3]]);
    expect(messages[1]!.result.tools.map((tool: { name: string }) => tool.name)).toEqual(['echo']);
    expect(messages[2]!.result.content).toEqual([{ type: 'text', text: 'x' }]);
    // Everything else went to stderr.
    expect(result.stderr).toMatch(/switchboard: config: /);
    expect(result.stderr).toMatch(/fixture stderr line 3/);
    expect(result.stderr).toMatch(/✗ .*broken/);
  });

  it('closes every upstream server on SIGTERM', async () => {
    const pidfile = h.pidfile('fixture.pid');
    const config = h.file('term.json', { mcpServers: { fixture: fixtureServer('--pidfile', pidfile) } });
    const cli = h.start(['serve', '--mcp', '--config', config], { keepStdinOpen: true });
    await cli.waitForStderr('MCP gateway on stdio');
    cli.child.kill('SIGTERM');
    const result = await cli.done;
    expect(result.stdout).toBe('');
    // A signal is how a server stops: not a failure.
    expect(result.code, result.stderr).toBe(0);
    // The harness checks the fixture (its pidfile) and every process seen are gone.
  });
});

describe('serve --mcp: resources and prompts', () => {
  const everything = (...extra: string[]) => ({ command: process.execPath, args: [EVERYTHING_SERVER, 'stdio', ...extra] });

  it('lists every server\'s resources (URIs kept) and templates, and reads each from its owner', async () => {
    const config = h.file('resources.json', { mcpServers: { everything: everything(), fixture: fixtureServer('--resources', '3', '--tools', 'echo'), temperature: temperatureServer() } });
    const gateway = await connectStdio(['--config', config]);
    const capabilities = gateway.client.getServerCapabilities();
    expect(capabilities?.resources).toBeDefined();
    expect(capabilities?.prompts).toBeDefined();
    const { resources } = await gateway.client.listResources();
    const uris = resources.map((resource) => resource.uri);
    expect(uris).toEqual(expect.arrayContaining(['fixture://r/1', 'fixture://r/2', 'fixture://r/3']));
    expect(uris.some((uri) => uri.startsWith('demo://resource/'))).toBe(true);
    const fixture = await gateway.client.readResource({ uri: 'fixture://r/2' });
    expect(fixture.contents).toEqual([expect.objectContaining({ uri: 'fixture://r/2', text: 'resource 2' })]);
    const demo = resources.find((resource) => resource.uri.startsWith('demo://resource/') && resource.mimeType?.startsWith('text/'))!;
    const read = await gateway.client.readResource({ uri: demo.uri });
    expect(read.contents[0]).toMatchObject({ uri: demo.uri });
    // A URI from a template is listed by nobody: each server offering resources is asked in turn.
    const { resourceTemplates } = await gateway.client.listResourceTemplates();
    expect(resourceTemplates.map((template) => template.uriTemplate)).toContain('demo://resource/dynamic/text/{resourceId}');
    const dynamic = await gateway.client.readResource({ uri: 'demo://resource/dynamic/text/7' });
    expect(dynamic.contents[0]).toMatchObject({ uri: 'demo://resource/dynamic/text/7' });
    await expect(gateway.client.readResource({ uri: 'nowhere://nothing' })).rejects.toThrow(/Resource not found: nowhere:\/\/nothing/);
    await gateway.close();
  });

  it('lists prompts named like tools (a name two servers share becomes server__name) and gets one from its owner', async () => {
    const config = h.file('prompts.json', { mcpServers: { everything: everything(), again: everything() } });
    const gateway = await connectStdio(['--config', config]);
    const { prompts } = await gateway.client.listPrompts();
    const names = prompts.map((prompt) => prompt.name);
    expect(names.length).toBeGreaterThan(1);
    expect(names.every((name) => name.startsWith('everything__') || name.startsWith('again__'))).toBe(true);
    const first = prompts.find((prompt) => prompt.name.startsWith('again__') && !(prompt.arguments ?? []).some((argument) => argument.required))!;
    const result = await gateway.client.getPrompt({ name: first.name });
    expect(result.messages.length).toBeGreaterThan(0);
    await expect(gateway.client.getPrompt({ name: 'no_such_prompt' })).rejects.toThrow(/Unknown prompt: no_such_prompt/);
    await gateway.close();
  });

  it('hides the resources and prompts of a server whose entry says "permissions": "deny"', async () => {
    const config = h.file('denied.json', { mcpServers: { everything: { ...everything(), permissions: 'deny' }, fixture: fixtureServer('--resources', '2', '--tools', 'echo') } });
    const gateway = await connectStdio(['--config', config]);
    expect((await gateway.client.listResources()).resources.map((resource) => resource.uri)).toEqual(['fixture://r/1', 'fixture://r/2']);
    expect(gateway.client.getServerCapabilities()?.prompts).toBeUndefined();
    // Only the fixture's tools; its echo keeps the name the model sees (everything has an echo too).
    expect((await gateway.client.listTools()).tools.map((tool) => tool.name)).toEqual(['fixture__echo']);
    await gateway.close();
  });
});

function readFileSyncOrEmpty(path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return '';
  }
}

describe('serve --mcp --http', () => {
  const TOKEN = 'gateway-test-token-0123456789abcdef';

  async function startHttp(args: string[], env: Record<string, string | undefined> = {}) {
    const cli = h.start(['serve', '--mcp', '--http', '--port', '0', ...args], { env, keepStdinOpen: true });
    await cli.waitForStderr(/listening on http:\/\/\S+\/mcp/);
    const url = /listening on (http:\/\/\S+\/mcp)/.exec(cli.stderr)![1]!;
    return { cli, url };
  }

  it('needs the bearer token (401 without it or with a wrong one); with it, the SDK client lists and calls tools', async () => {
    const config = gatewayConfig(join(h.dir(), 'calls.log'));
    const { cli, url } = await startHttp(['--config', config, '--token-env', 'GATEWAY_TOKEN'], { GATEWAY_TOKEN: TOKEN });
    expect(new URL(url).hostname).toBe('127.0.0.1');
    const initialize = { jsonrpc: '2.0', id: 1, method: 'initialize', params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'x', version: '1' } } };
    const headers = { 'Content-Type': 'application/json', Accept: 'application/json, text/event-stream' };
    const bare = await fetch(url, { method: 'POST', headers, body: JSON.stringify(initialize) });
    expect(bare.status).toBe(401);
    expect(bare.headers.get('www-authenticate')).toMatch(/^Bearer/);
    const wrong = await fetch(url, { method: 'POST', headers: { ...headers, Authorization: `Bearer ${TOKEN}x` }, body: JSON.stringify(initialize) });
    expect(wrong.status).toBe(401);

    const client = new Client({ name: 'gateway-test', version: '1.0.0' });
    await client.connect(new StreamableHTTPClientTransport(new URL(url), { requestInit: { headers: { Authorization: `Bearer ${TOKEN}` } } }));
    const names = (await client.listTools()).tools.map((tool) => tool.name);
    expect(names).toEqual(expect.arrayContaining(['get_temperature', 'fixture__echo', 'other__echo']));
    expect(names).not.toContain('add');
    const result = await client.callTool({ name: 'get_temperature', arguments: { city: 'Tokyo' } });
    expect(textOf(result)).toMatch(/Tokyo/);
    await client.close();
    cli.child.kill('SIGTERM');
    const done = await cli.done;
    expect(done.stdout).toBe('');
  });

  it('over HTTP too: progress comes back on the call\'s stream, list_changed on the session\'s', async () => {
    const config = gatewayConfig(join(h.dir(), 'calls.log'));
    const { cli, url } = await startHttp(['--config', config, '--token-env', 'GATEWAY_TOKEN', '--yes'], { GATEWAY_TOKEN: TOKEN });
    const client = new Client({ name: 'gateway-test', version: '1.0.0' });
    await client.connect(new StreamableHTTPClientTransport(new URL(url), { requestInit: { headers: { Authorization: `Bearer ${TOKEN}` } } }));
    const updates: unknown[] = [];
    const slept = await client.callTool({ name: 'sleep', arguments: { ms: 500, progress: true } }, CallToolResultSchema, { onprogress: (update) => updates.push(update) });
    expect(textOf(slept)).toBe('slept 500 ms');
    expect(updates.length).toBeGreaterThan(0);
    let announced!: () => void;
    const changed = new Promise<void>((resolve) => (announced = resolve));
    client.setNotificationHandler(ToolListChangedNotificationSchema, () => announced());
    await client.callTool({ name: 'add_tool', arguments: { name: 'http_tool' } });
    await changed;
    expect((await client.listTools()).tools.map((tool) => tool.name)).toContain('http_tool');
    await client.close();
    cli.child.kill('SIGTERM');
    expect((await cli.done).code).toBe(0);
  });

  it('without --token-env, generates a token (0600 in the config folder), prints it once, and accepts only it', async () => {
    const configHome = h.dir();
    const config = h.file('temperature.json', { mcpServers: { temperature: temperatureServer() } });
    const { cli, url } = await startHttp(['--config', config], { XDG_CONFIG_HOME: configHome });
    const tokenFile = join(configHome, 'switchboard', 'serve-token');
    const token = readFileSync(tokenFile, 'utf8').trim();
    expect(statSync(tokenFile).mode & 0o777).toBe(0o600);
    expect(cli.stderr).toContain(token);
    const client = new Client({ name: 'gateway-test', version: '1.0.0' });
    await client.connect(new StreamableHTTPClientTransport(new URL(url), { requestInit: { headers: { Authorization: `Bearer ${token}` } } }));
    expect((await client.listTools()).tools.map((tool) => tool.name)).toEqual(['get_temperature']);
    await client.close();
    cli.child.kill('SIGTERM');
    await cli.done;
    // A second start reuses the token and does not print it again.
    const again = await startHttp(['--config', config], { XDG_CONFIG_HOME: configHome });
    expect(again.cli.stderr).not.toContain(token);
    expect(again.cli.stderr).toContain(tokenFile);
    again.cli.child.kill('SIGTERM');
    await again.cli.done;
  });

  it('a port in use is a usage error naming it (no stack trace), and the upstream servers are closed', async () => {
    const config = h.file('port.json', { mcpServers: { temperature: temperatureServer() } });
    const first = await startHttp(['--config', config, '--token-env', 'GATEWAY_TOKEN'], { GATEWAY_TOKEN: TOKEN });
    const port = new URL(first.url).port;
    const second = await h.run(['serve', '--mcp', '--http', '--port', port, '--config', config, '--token-env', 'GATEWAY_TOKEN'], { env: { GATEWAY_TOKEN: TOKEN } });
    expect(second.code).toBe(2);
    expect(second.stderr).toContain(`127.0.0.1:${port} is in use`);
    expect(second.stderr).not.toMatch(/\n\s+at /);
    first.cli.child.kill('SIGTERM');
    await first.cli.done;
  });

  it('refuses a non-loopback --host without --token-env, before starting any server', async () => {
    const pidfile = h.pidfile('never.pid');
    const config = h.file('host.json', { mcpServers: { fixture: fixtureServer('--pidfile', pidfile) } });
    const result = await h.run(['serve', '--mcp', '--http', '--host', '0.0.0.0', '--config', config]);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/not a loopback address.*--token-env/);
    expect(() => readFileSync(pidfile)).toThrow();
  });
});

describe('Switchboard as the client of its own gateway', () => {
  /** A config whose only server is `switchboard serve --mcp` on the gateway config. */
  function throughGateway(inner: string, ...flags: string[]): string {
    // A server gets only a few inherited variables (HOME, PATH, ...): the gateway's own XDG
    // homes are given here, or it would write its tool cache into the user's real home.
    const { XDG_CONFIG_HOME, XDG_STATE_HOME, XDG_CACHE_HOME } = cliEnv() as Record<string, string>;
    return h.file('outer.json', { mcpServers: { gateway: { command: 'node', args: [CLI_PATH, 'serve', '--mcp', '--config', inner, ...flags], env: { XDG_CONFIG_HOME, XDG_STATE_HOME, XDG_CACHE_HOME } } } });
  }

  it('tools and call go through the gateway under the same names', async () => {
    const inner = gatewayConfig(join(h.dir(), 'calls.log'));
    const outer = throughGateway(inner, '--yes');
    const direct = await h.run(['tools', '--json', '--config', inner]);
    const via = await h.run(['tools', '--json', '--config', outer]);
    expect(via.code, via.stderr).toBe(0);
    const names = (run: { stdout: string }) => (JSON.parse(run.stdout) as Array<{ function: { name: string } }>).map((tool) => tool.function.name);
    expect(names(via)).toEqual(names(direct).filter((name) => name !== 'add'));

    const call = await h.run(['call', 'get_temperature', '{"city":"Paris"}', '--config', outer]);
    expect(call.code, call.stderr).toBe(0);
    expect(call.stdout).toMatch(/Paris/);
    const echo = await h.run(['call', 'gateway/fixture__echo', '{"text":"through two hosts"}', '--config', outer]);
    expect(echo.code, echo.stderr).toBe(0);
    expect(echo.stdout).toBe('through two hosts\n');
  });

  it('a chat --yes with the loopback model calls a tool through the gateway', async () => {
    const callLog = join(h.dir(), 'calls.log');
    const outer = throughGateway(gatewayConfig(callLog), '--yes');
    const mock = await startMockLlm({ script: [{ toolCalls: [{ name: 'fixture__echo', arguments: { text: 'relayed' } }] }, { text: 'done' }] });
    try {
      const chat = await h.run(['chat', '--yes', '--endpoint-url', mock.url, '--model', 'test-model', '--config', outer, 'echo something']);
      expect(chat.code, chat.stderr).toBe(0);
      expect(chat.stdout).toBe('done\n');
      const toolMessage = (mock.requests[1]!.body as { messages: Array<{ role: string; content: string }> }).messages.find((m) => m.role === 'tool');
      expect(toolMessage?.content).toBe('relayed');
      expect(readFileSync(callLog, 'utf8')).toMatch(/^echo \{"text":"relayed"\}$/m);
    } finally {
      await mock.close();
    }
  });

  it('without --yes on the gateway, an asking tool is refused there even when the outer chat says --yes', async () => {
    const callLog = join(h.dir(), 'calls.log');
    const outer = throughGateway(gatewayConfig(callLog));
    const mock = await startMockLlm({ script: [{ toolCalls: [{ name: 'fixture__echo', arguments: { text: 'relayed' } }] }, { text: 'done' }] });
    try {
      const chat = await h.run(['chat', '--yes', '--endpoint-url', mock.url, '--model', 'test-model', '--config', outer, 'echo something']);
      expect(chat.code, chat.stderr).toBe(0);
      const toolMessage = (mock.requests[1]!.body as { messages: Array<{ role: string; content: string }> }).messages.find((m) => m.role === 'tool');
      expect(toolMessage?.content).toMatch(/nobody to ask/);
      expect(readFileSyncOrEmpty(callLog)).toBe('');
    } finally {
      await mock.close();
    }
  });
});
