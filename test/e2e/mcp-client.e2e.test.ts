/**
 * The whole MCP client (issue 11) through the built CLI with real servers:
 * - resources and templates (`resources`, `read`, the host's `read_resource` tool), prompts
 *   (`prompts`, `chat --prompt NAME --arg k=v`), sampling (served with the loopback model, the
 *   request it receives checked; refused without a terminal unless the config allows it), and
 *   elicitation declined or cancelled without a terminal, against server-everything over stdio;
 * - roots (`"roots": []` leaves server-filesystem its folder arguments; the roots themselves are
 *   checked in test/integration/roots.test.ts), `logging/setLevel` from --log-level, and
 *   structuredContent checked against outputSchema.
 * The terminal side (forms, approvals, chat commands) is in mcp-client-terminal.e2e.test.ts.
 */
import { readFileSync, realpathSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { EVERYTHING_SERVER, FILESYSTEM_SERVER } from '../integration/servers.js';
import { startMockLlm, type MockLlm, type RecordedRequest, type ScriptedReply } from '../support/mock-llm.js';
import { expectSamplingServed, samplingTurn } from './everything-sampling.js';
import { expectNoStackTrace, fixtureServer, useE2eHarness } from './harness.js';

const h = useE2eHarness();

/** A config with server-everything (and extra top-level settings / entry fields). */
function everythingConfig(settings: Record<string, unknown> = {}, entry: Record<string, unknown> = {}): string {
  return h.file('switchboard.json', { mcpServers: { everything: { command: process.execPath, args: [EVERYTHING_SERVER, 'stdio'], ...entry } }, ...settings });
}

const toolMessage = (mock: { requests: Array<{ body: any }> }, request: number) =>
  (mock.requests[request]!.body.messages as Array<{ role: string; content: string }>).find((m) => m.role === 'tool')!.content;

describe('resources', () => {
  it('lists resources and templates with uri, name and mime type', async () => {
    const r = await h.run(['resources', '--config', everythingConfig()]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^SERVER\s+URI\s+NAME\s+MIME TYPE\s+SIZE$/m);
    expect(r.stdout).toMatch(/^everything\s+demo:\/\/resource\/static\/document\/features\.md\s+features\.md\s+text\/markdown/m);
    expect(r.stdout).toMatch(/^everything\s+demo:\/\/resource\/dynamic\/text\/\{resourceId\}\s+Dynamic Text Resource\s+text\/plain$/m);
    const json = await h.run(['resources', '--json', '--config', everythingConfig()]);
    const lists = JSON.parse(json.stdout) as Array<{ server: string; resources: Array<{ uri: string }>; templates: Array<{ uriTemplate: string }> }>;
    expect(lists[0]!.server).toBe('everything');
    expect(lists[0]!.resources.map((x) => x.uri)).toContain('demo://resource/static/document/features.md');
    expect(lists[0]!.templates.map((x) => x.uriTemplate)).toContain('demo://resource/dynamic/blob/{resourceId}');
  });

  it('pages through resources/list, and asks each server in turn to read a URI', async () => {
    const config = h.file('paged.json', {
      mcpServers: { first: fixtureServer('--name', 'first', '--resources', '2'), second: fixtureServer('--name', 'second', '--resources', '7', '--page-size', '3') },
    });
    const r = await h.run(['resources', '--json', '--config', config]);
    expect(r.code, r.stderr).toBe(0);
    const lists = JSON.parse(r.stdout) as Array<{ server: string; resources: Array<{ uri: string }> }>;
    expect(lists.map((l) => [l.server, l.resources.map((x) => x.uri)])).toEqual([
      ['first', ['fixture://r/1', 'fixture://r/2']],
      ['second', Array.from({ length: 7 }, (_, i) => `fixture://r/${i + 1}`)],
    ]);
    // fixture://r/6 exists on the second server only.
    const read = await h.run(['read', 'fixture://r/6', '--config', config]);
    expect(read.code, read.stderr).toBe(0);
    expect(read.stdout).toBe('resource 6');
  });

  it('--server names a server that is not configured: a usage error listing the servers', async () => {
    const r = await h.run(['resources', '--server', 'nope', '--config', everythingConfig()]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--server: no server named "nope" in the config\. Servers: everything\./);
    expectNoStackTrace(r.stderr);
  });

  it('read prints a text resource as it is, and writes a binary one to --out, never base64', async () => {
    const config = everythingConfig();
    const text = await h.run(['read', 'demo://resource/dynamic/text/2', '--config', config]);
    expect(text.code, text.stderr).toBe(0);
    expect(text.stdout).toMatch(/^Resource 2: This is a plaintext resource/);
    const out = join(h.dir(), 'blob.bin');
    const blob = await h.run(['read', 'demo://resource/dynamic/blob/2', '--out', out, '--config', config]);
    expect(blob.code, blob.stderr).toBe(0);
    expect(blob.stdout).toBe('');
    expect(blob.stderr).toMatch(/saved: .*blob\.bin \(\d+ bytes\)/);
    expect(readFileSync(out, 'utf8')).toMatch(/^Resource 2: This is a base64 blob/);
  });

  it('read of a URI no server has: exit 2 with what the server said and where to look', async () => {
    const r = await h.run(['read', 'demo://nothing/here', '--config', everythingConfig()]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/No server could read "demo:\/\/nothing\/here": everything: .*not found.*See: switchboard resources/);
    expectNoStackTrace(r.stderr);
  });

  it('the model reads a resource with the host tool read_resource, following a resource link', async () => {
    const mock = await startMockLlm({
      script: [
        { toolCalls: [{ id: 'c1', name: 'get-resource-links', arguments: { count: 1 } }] },
        { toolCalls: [{ id: 'c2', name: 'read_resource', arguments: { uri: 'demo://resource/dynamic/blob/1' } }] },
        { text: 'done' },
      ],
    });
    try {
      const r = await h.run(['chat', '--endpoint-url', mock.url, '--model', 'm', '--yes', '--config', everythingConfig(), 'follow the link']);
      expect(r.code, r.stderr).toBe(0);
      expect(r.stdout).toBe('done\n');
      const offered = (mock.requests[0]!.body.tools as Array<{ function: { name: string; parameters: { required: string[] } } }>).find((t) => t.function.name === 'read_resource');
      expect(offered?.function.parameters.required).toEqual(['uri']);
      const toolMessages = (mock.requests[2]!.body.messages as Array<{ role: string; content: string; tool_call_id?: string }>).filter((m) => m.role === 'tool');
      expect(toolMessages[0]!.content).toMatch(/resource link: demo:\/\/resource\/dynamic\/blob\/1/); // the link
      // What it points at: binary, so described (never base64 to the model).
      expect(toolMessages[1]!.content).toMatch(/^\[binary resource demo:\/\/resource\/dynamic\/blob\/1, text\/plain, \d+ bytes\]$/);
    } finally {
      await mock.close();
    }
  });
});

describe('read_resource and the approval policy', () => {
  const readCall: ScriptedReply = { toolCalls: [{ id: 'r1', name: 'read_resource', arguments: { uri: 'demo://resource/dynamic/text/1' } }] };
  const toolMessage = (mock: MockLlm) => (mock.requests[1]!.body.messages as Array<{ role: string; content: string }>).find((m) => m.role === 'tool')!.content;

  it('runs without asking in mode auto (a read by the protocol\'s definition), with no --yes', async () => {
    const mock = await startMockLlm({ script: [readCall, { text: 'read it' }] });
    try {
      const r = await h.run(['chat', '--endpoint-url', mock.url, '--model', 'm', '--json', '--config', everythingConfig(), 'read it']);
      expect(r.code, r.stderr).toBe(0);
      expect(toolMessage(mock)).toMatch(/^Resource 1: This is a plaintext resource/);
      const approval = r.stdout.split('\n').filter(Boolean).map((line) => JSON.parse(line)).find((e) => e.type === 'approval');
      expect(approval).toMatchObject({ decision: 'allow', why: "the host's own read-only tool" });
    } finally {
      await mock.close();
    }
  });

  it('a deny rule (switchboard/read_resource) stops it: the model is told, nothing is read', async () => {
    const mock = await startMockLlm({ script: [readCall, { text: 'could not' }] });
    try {
      const r = await h.run(['chat', '--endpoint-url', mock.url, '--model', 'm', '--yes', '--deny', 'switchboard/read_resource', '--config', everythingConfig(), 'read it']);
      expect(r.code, r.stderr).toBe(0);
      expect(toolMessage(mock)).toMatch(/^Not run: the user's policy denies switchboard\/read_resource \(deny rule "switchboard\/read_resource"\)/);
    } finally {
      await mock.close();
    }
  });

  it('--approval ask without a terminal: denied with the flag that would allow it', async () => {
    const mock = await startMockLlm({ script: [readCall, { text: 'could not' }] });
    try {
      const r = await h.run(['chat', '--endpoint-url', mock.url, '--model', 'm', '--approval', 'ask', '--config', everythingConfig(), 'read it']);
      expect(r.code, r.stderr).toBe(0);
      expect(r.stderr).toContain('switchboard/read_resource was not run: it needs your approval');
      expect(toolMessage(mock)).toMatch(/^Not run: calling switchboard\/read_resource needs the user's approval/);
    } finally {
      await mock.close();
    }
  });
});

describe('prompts', () => {
  it('lists prompts with their arguments (optional ones marked)', async () => {
    const r = await h.run(['prompts', '--config', everythingConfig()]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^args-prompt\s+everything\s+city state\?\s+A prompt with two arguments/m);
    expect(r.stdout).toMatch(/^simple-prompt\s+everything\s+-\s/m);
  });

  it('chat --prompt NAME --arg k=v sends the prompt\'s messages as the user turn', async () => {
    const mock = await startMockLlm({ script: [{ text: 'sunny' }] });
    try {
      const r = await h.run(['chat', '--endpoint-url', mock.url, '--model', 'm', '--config', everythingConfig(), '--prompt', 'args-prompt', '--arg', 'city=Paris', '--arg', 'state=Texas']);
      expect(r.code, r.stderr).toBe(0);
      expect(r.stdout).toBe('sunny\n');
      const messages = mock.requests[0]!.body.messages as Array<{ role: string; content: string }>;
      expect(messages.at(-1)).toEqual({ role: 'user', content: "What's weather in Paris, Texas?" });
    } finally {
      await mock.close();
    }
  });

  it('an embedded resource in a prompt is sent as its text', async () => {
    const mock = await startMockLlm({ script: [{ text: 'ok' }] });
    try {
      const r = await h.run(['chat', '--endpoint-url', mock.url, '--model', 'm', '--config', everythingConfig(), '--prompt', 'resource-prompt', '--arg', 'resourceType=Text', '--arg', 'resourceId=4']);
      expect(r.code, r.stderr).toBe(0);
      const user = (mock.requests[0]!.body.messages as Array<{ role: string; content: string }>).at(-1)!;
      expect(user.role).toBe('user');
      expect(user.content).toMatch(/Resource 4: This is a plaintext resource/);
    } finally {
      await mock.close();
    }
  });

  it('a missing required argument or an unknown prompt is a usage error that says what to give', async () => {
    const config = everythingConfig();
    const missing = await h.run(['chat', '--endpoint-url', 'http://127.0.0.1:9/v1', '--model', 'm', '--config', config, '--prompt', 'args-prompt', '--arg', 'state=Texas']);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/Prompt "args-prompt" needs "city"\. Its arguments: city=\.\.\. state=\.\.\. \(optional\)\./);
    const unknown = await h.run(['chat', '--endpoint-url', 'http://127.0.0.1:9/v1', '--model', 'm', '--config', config, '--prompt', 'nope']);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(/No prompt named "nope"\. Prompts: .*args-prompt.*See: switchboard prompts/);
    const bad = await h.run(['chat', '--endpoint-url', 'http://127.0.0.1:9/v1', '--model', 'm', '--config', config, '--prompt', 'args-prompt', '--arg', 'Paris']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/Prompt arguments are key=value, not "Paris"/);
    for (const r of [missing, unknown, bad]) expectNoStackTrace(r.stderr);
  });
});

describe('sampling', () => {
  it('without a terminal a request is refused, and the user is told which server asked for what', async () => {
    const mock = await startMockLlm({
      script: [{ toolCalls: [{ id: 'c1', name: 'trigger-sampling-request', arguments: { prompt: 'a haiku', maxTokens: 42 } }] }, { text: 'refused' }],
    });
    try {
      const r = await h.run(['chat', '--endpoint-url', mock.url, '--model', 'm', '--yes', '--config', everythingConfig(), 'sample']);
      expect(r.code, r.stderr).toBe(0);
      expect(r.stderr).toMatch(/server "everything" asked the model for a completion \(1 message, at most 42 tokens\); refused: there is no terminal to ask for approval; .*"sampling": "allow"/);
      expect(mock.requests).toHaveLength(2); // the sampling request never reached the model
      const tool = (mock.requests[1]!.body.messages as Array<{ role: string; content: string }>).find((m) => m.role === 'tool')!;
      expect(tool.content).toMatch(/sampling refused by the user's host/);
    } finally {
      await mock.close();
    }
  });

  it('"sampling": "allow" serves it with the model, maxTokens and system prompt passed on, during the tool call', async () => {
    await expectSamplingServed(h, everythingConfig({}, { sampling: 'allow' }));
  });

  it("its tokens count in the turn's usage: the turn's total is its calls' usage plus the sampling call's", async () => {
    const mock = await startMockLlm({
      script: samplingTurn(),
    });
    try {
      const r = await h.run(['chat', '--json', '--endpoint-url', mock.url, '--model', 'm', '--yes', '--config', everythingConfig({}, { sampling: 'allow' }), 'sample']);
      expect(r.code, r.stderr).toBe(0);
      expect(mock.requests).toHaveLength(3);
      // What the mock reported for the sampling call (request 1): prompt = request bytes / 4, completion = reply chars / 4.
      expect(mock.requests[1]!.body.stream_options).toEqual({ include_usage: true });
      const sampled = { promptTokens: Math.ceil(mock.requests[1]!.bytes / 4), completionTokens: Math.ceil('an old silent pond'.length / 4) };
      const events = r.stdout.split('\n').filter(Boolean).map((line) => JSON.parse(line));
      const calls = events.filter((e) => e.type === 'usage' && e.scope === 'call');
      expect(calls).toHaveLength(2); // the agent's own calls: requests 0 and 2
      expect(calls.map((c) => [c.promptTokens, c.estimated])).toEqual([
        [Math.ceil(mock.requests[0]!.bytes / 4), false],
        [Math.ceil(mock.requests[2]!.bytes / 4), false],
      ]);
      const turn = events.find((e) => e.type === 'usage' && e.scope === 'turn');
      const sum = (key: 'promptTokens' | 'completionTokens') => calls.reduce((n, c) => n + c[key], 0) + sampled[key];
      expect(turn).toMatchObject({ modelCalls: 3, samplingCalls: 1, toolCalls: 1, estimated: false, promptTokens: sum('promptTokens'), completionTokens: sum('completionTokens') });
    } finally {
      await mock.close();
    }
  });

  it("a request with the server's own tools: offered to the model as functions, the model's tool call returned as tool_use", async () => {
    const mock = await startMockLlm({
      script: [
        { toolCalls: [{ id: 'c1', name: 'sample_with_tools', arguments: { prompt: 'define serendipity' } }] },
        { toolCalls: [{ id: 't1', name: 'lookup', arguments: { q: 'serendipity' } }] },
        { text: 'done' },
      ],
    });
    try {
      const config = h.file('tools.json', { mcpServers: { fixture: { ...fixtureServer('--sampling-tool'), sampling: 'allow' } } });
      const r = await h.run(['chat', '--endpoint-url', mock.url, '--model', 'm', '--yes', '--config', config, 'go']);
      expect(r.code, r.stderr).toBe(0);
      const sampling = mock.requests[1]!.body;
      expect(sampling.max_tokens).toBe(50);
      expect(sampling.messages).toEqual([{ role: 'user', content: 'define serendipity' }]);
      expect(sampling.tools).toEqual([
        { type: 'function', function: { name: 'lookup', description: 'Look a word up.', parameters: { type: 'object', properties: { q: { type: 'string' } }, required: ['q'] } } },
      ]);
      const result = JSON.parse(toolMessage(mock, 2)) as Record<string, unknown>;
      expect(result).toMatchObject({ role: 'assistant', stopReason: 'toolUse', content: [{ type: 'tool_use', id: 't1', name: 'lookup', input: { q: 'serendipity' } }] });
    } finally {
      await mock.close();
    }
  });

  it('"sampling": "deny" refuses even where it could ask', async () => {
    const mock = await startMockLlm({ script: [{ toolCalls: [{ id: 'c1', name: 'trigger-sampling-request', arguments: { prompt: 'x' } }] }, { text: 'ok' }] });
    try {
      const r = await h.run(['chat', '--endpoint-url', mock.url, '--model', 'm', '--yes', '--config', everythingConfig({}, { sampling: 'deny' }), 'sample']);
      expect(r.code, r.stderr).toBe(0);
      expect(r.stderr).toMatch(/refused: the config says "sampling": "deny" for this server/);
      expect(mock.requests).toHaveLength(2);
    } finally {
      await mock.close();
    }
  });
});

describe('elicitation without a terminal', () => {
  it('declines by default, naming the server and the fields it asked for', async () => {
    const r = await h.run(['call', 'trigger-elicitation-request', '--config', everythingConfig()]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/"action": "decline"/);
    expect(r.stderr).toMatch(/server "everything" asked for input: "Please provide inputs for the following fields:" \(fields: name, check, firstLine, email, .*\); declined: there is no terminal/);
  });

  it('URL mode: declined, and the user is shown the full URL the server wanted opened', async () => {
    const r = await h.run(['call', 'trigger-url-elicitation', '{"url": "https://example.com/auth?state=42", "message": "Sign in to continue"}', '--config', everythingConfig()]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/User declined to open the URL/);
    expect(r.stderr).toMatch(/server "everything" asked for you to open https:\/\/example\.com\/auth\?state=42 \("Sign in to continue"\); declined: there is no terminal/);
  });

  it('"elicitation": "defaults" accepts a form with its schema\'s defaults, and declines one whose required field has none', async () => {
    const config = h.file('defaults.json', { mcpServers: { fixture: fixtureServer('--form-elicit-tool') }, elicitation: 'defaults' });
    const accepted = await h.run(['call', 'fixture/ask_form', '{"required": "name"}', '--config', config]);
    expect(accepted.code, accepted.stderr).toBe(0);
    expect(JSON.parse(accepted.stdout)).toEqual({ action: 'accept', content: { name: 'Ada', count: 3, ok: true, color: 'red' } });
    expect(accepted.stderr).toMatch(/server "fixture" asked for input: "Your details" \(fields: name, count, ok, color, note\); accepted with the schema's defaults/);

    const declined = await h.run(['call', 'fixture/ask_form', '{"required": "note"}', '--config', config]);
    expect(declined.code, declined.stderr).toBe(0);
    expect(JSON.parse(declined.stdout)).toEqual({ action: 'decline' });
    expect(declined.stderr).toMatch(/; declined: a required field has no default/);
  });

  it('"elicitation": "cancel" answers cancel instead', async () => {
    const r = await h.run(['call', 'trigger-elicitation-request', '--config', everythingConfig({ elicitation: 'cancel' })]);
    expect(r.stdout).toMatch(/"action": "cancel"/);
    expect(r.stderr).toMatch(/; cancelled: there is no terminal/);
  });
});

describe('roots', () => {
  // Roots offered by the client replace server-filesystem's folder arguments (test/integration/roots.test.ts
  // checks the roots it is given); an empty list leaves it with its own.
  it('"roots": [] offers none, so server-filesystem keeps the folder given as its argument', async () => {
    const folder = realpathSync(h.dir());
    const config = h.file('fs-args.json', { mcpServers: { fs: { command: 'node', args: [FILESYSTEM_SERVER, folder], roots: [] } } });
    const cwd = realpathSync(h.dir());
    const r = await h.run(['call', 'fs/list_allowed_directories', '{}', '--config', config], { cwd });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain(folder);
    expect(r.stdout).not.toContain(cwd);
  });
});

describe('logging/setLevel', () => {
  const log = (level: string, message: string) => JSON.stringify({ level, message });

  it('tells a server that logs the run\'s --log-level, and only messages at that level or above are shown', async () => {
    const config = h.file('log.json', { mcpServers: { fixture: fixtureServer('--tools', 'echo', '--log-tool') } });
    const warn = await h.run(['call', 'fixture/log', log('info', 'info-note'), '--config', config, '--verbose', '--log-level', 'warn'], { cwd: h.dir() });
    expect(warn.code, warn.stderr).toBe(0);
    expect(warn.stderr).toContain('fixture: log level set to warning');
    expect(warn.stderr).not.toContain('info-note');

    const debug = await h.run(['call', 'fixture/log', log('debug', 'debug-note'), '--config', config, '--verbose', '--log-level', 'debug'], { cwd: h.dir() });
    expect(debug.code, debug.stderr).toBe(0);
    expect(debug.stderr).toContain('fixture: log level set to debug');
    expect(debug.stderr).toMatch(/^\[fixture\] debug: debug-note$/m);
  });

  it('is not sent to a server that does not declare logging', async () => {
    const config = h.file('nolog.json', { mcpServers: { fixture: fixtureServer('--tools', 'echo') } });
    const r = await h.run(['call', 'fixture/echo', '{"text":"hi"}', '--config', config, '--verbose', '--log-level', 'debug'], { cwd: h.dir() });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).not.toMatch(/setLevel|log level set/);
  });
});

describe('structured output', () => {
  it('a structuredContent that does not match the outputSchema is an error result that says so', async () => {
    const config = h.file('out.json', { mcpServers: { fixture: fixtureServer('--tools', 'add', '--wrong-output') } });
    const wrong = await h.run(['call', 'fixture/wrong_output', '{}', '--config', config], { cwd: h.dir() });
    expect(wrong.code).toBe(1);
    expect(wrong.stdout).toMatch(/not what the tool promised: its structuredContent does not match the tool's declared outputSchema/);
    expect(wrong.stdout).toMatch(/sum/);
    expectNoStackTrace(wrong.stderr);

    const good = await h.run(['call', 'fixture/add', '{"a":1,"b":2}', '--config', config], { cwd: h.dir() });
    expect(good.code, good.stderr).toBe(0);
    expect(good.stdout).toMatch(/\b3\b/);
    expect(good.stdout).not.toMatch(/promised/);
  });

  it('the model reads the mismatch in its tool message', async () => {
    const config = h.file('out.json', { mcpServers: { fixture: fixtureServer('--tools', 'add', '--wrong-output') } });
    const mock = await startMockLlm({
      script: (request: RecordedRequest) =>
        (request.body?.messages ?? []).some((m: { role: string }) => m.role === 'tool') ? { text: 'done' } : { toolCalls: [{ name: 'wrong_output', arguments: {} }] },
    });
    try {
      const r = await h.run(['chat', '--config', config, '--endpoint-url', mock.url, '--model', 'm', '--yes', 'go'], { cwd: h.dir() });
      expect(r.code, r.stderr).toBe(0);
      const tool = mock.requests[1]!.body.messages.find((m: { role: string }) => m.role === 'tool');
      expect(tool.content).toMatch(/does not match the tool's declared outputSchema/);
    } finally {
      await mock.close();
    }
  });
});
