/**
 * `switchboard serve`, the OpenAI-compatible endpoint, through the built CLI with the official
 * `openai` package as the client: the loopback model (mock-llm), the bundled temperature
 * server and the fixture server.
 */
import { existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { join } from 'node:path';
import OpenAI from 'openai';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { CliProcess } from '../support/cli.js';
import { startMockLlm, type MockLlm, type RecordedRequest } from '../support/mock-llm.js';
import { describeProcesses, waitForGone, waitUntil } from '../support/processes.js';
import { expectNoStackTrace, fixtureServer, temperatureServer, useE2eHarness } from './harness.js';

const h = useE2eHarness();
const TOKEN = 'serve-test-token-0123456789abcdef';

let mock: MockLlm;
beforeEach(async () => {
  mock = await startMockLlm();
});
afterEach(async () => {
  await mock.close();
});

interface Served {
  cli: CliProcess;
  /** Base URL ending in /v1. */
  url: string;
  client: OpenAI;
}

/** Starts `serve` on a free loopback port with `--token-env` (unless `env` says otherwise); resolves once it listens. */
async function serve(config: string, args: string[] = [], env: Record<string, string> = { SERVE_TOKEN: TOKEN }): Promise<Served> {
  const cli = h.start(['serve', '--config', config, '--endpoint-url', mock.url, '--model', 'test-model', '--port', '0', ...(env.SERVE_TOKEN ? ['--token-env', 'SERVE_TOKEN'] : []), ...args], { env, timeoutMs: 60_000 });
  await cli.waitForStderr(/listening on http:\/\/127\.0\.0\.1:\d+\/v1/);
  const url = /listening on (http:\/\/127\.0\.0\.1:\d+\/v1)/.exec(cli.stderr)![1]!;
  return { cli, url, client: new OpenAI({ baseURL: url, apiKey: env.SERVE_TOKEN ?? 'unset', maxRetries: 0 }) };
}

async function stop(served: Served): Promise<void> {
  served.cli.child.kill('SIGTERM');
  const r = await served.cli.done;
  expect(r.code, r.stderr).toBe(0);
  expectNoStackTrace(r.stderr);
}

const temperatureConfig = () => h.file('temperature.json', { mcpServers: { temperature: temperatureServer() } });
const lastUserText = (request: RecordedRequest): string => {
  const users = (request.body.messages as Array<{ role: string; content: unknown }>).filter((m) => m.role === 'user');
  return String(users.at(-1)?.content);
};

describe('serve: the OpenAI-compatible endpoint', () => {
  it('a generated token (0600, printed once), GET /v1/models, a non-streamed answer after a tool call, 401 without the token', async () => {
    const configHome = h.dir();
    mock.enqueue({ toolCalls: [{ name: 'get_temperature', arguments: { city: 'Paris' } }] }, { text: 'It is mild in Paris.' });
    const served = await serve(temperatureConfig(), [], { XDG_CONFIG_HOME: configHome });
    const tokenPath = join(configHome, 'switchboard', 'serve-token');
    expect(statSync(tokenPath).mode & 0o777).toBe(0o600);
    const token = readFileSync(tokenPath, 'utf8').trim();
    expect(served.cli.stderr.split(token).length - 1, 'printed once').toBe(1);
    const client = new OpenAI({ baseURL: served.url, apiKey: token, maxRetries: 0 });

    const models = await client.models.list();
    expect(models.data.map((m) => m.id)).toEqual(['test-model']);

    const answer = await client.chat.completions.create({ model: 'test-model', messages: [{ role: 'system', content: 'Be brief.' }, { role: 'user', content: 'Weather in Paris?' }] });
    expect(answer.object).toBe('chat.completion');
    expect(answer.choices[0]!.message.content).toBe('It is mild in Paris.');
    expect(answer.choices[0]!.finish_reason).toBe('stop');
    expect(answer.usage!.total_tokens).toBeGreaterThan(0);
    // The tool ran on the server: its result went back to the model.
    expect(mock.requests).toHaveLength(2);
    const toolMessage = (mock.requests[1]!.body.messages as Array<{ role: string; content: string }>).find((m) => m.role === 'tool');
    expect(toolMessage?.content).toMatch(/Paris/);
    // The client's system message is the conversation's.
    expect(mock.requests[0]!.body.messages[0]).toMatchObject({ role: 'system', content: 'Be brief.' });

    // Wrong token, and none: 401 in OpenAI's error shape.
    const wrong = new OpenAI({ baseURL: served.url, apiKey: 'wrong-token', maxRetries: 0 });
    await expect(wrong.models.list()).rejects.toMatchObject({ status: 401, code: 'invalid_api_key' });
    const bare = await fetch(`${served.url}/models`);
    expect(bare.status).toBe(401);
    expect(await bare.json()).toMatchObject({ error: { type: 'authentication_error' } });
    // Unknown route (authenticated): 404; wrong method: 405.
    expect((await fetch(`${served.url}/nope`, { headers: { authorization: `Bearer ${token}` } })).status).toBe(404);
    expect((await fetch(`${served.url}/chat/completions`, { headers: { authorization: `Bearer ${token}` } })).status).toBe(405);
    // No CORS by default: a request from a web page is refused, and so is a preflight.
    expect((await fetch(`${served.url}/models`, { headers: { authorization: `Bearer ${token}`, origin: 'http://evil.invalid' } })).status).toBe(403);
    expect((await fetch(`${served.url}/models`, { method: 'OPTIONS' })).headers.get('access-control-allow-origin')).toBeNull();
    // A model the server does not run, and a body that is not a chat request: 4xx with a message.
    await expect(client.chat.completions.create({ model: 'other', messages: [{ role: 'user', content: 'x' }] })).rejects.toMatchObject({ status: 404, code: 'model_not_found' });
    await expect(client.chat.completions.create({ model: 'test-model', messages: [] })).rejects.toMatchObject({ status: 400, param: 'messages' });
    await stop(served);
    expect(served.cli.stderr).toMatch(/serve: POST \/v1\/chat\/completions 200 \d+ ms, 1 tool call/);
    expect(served.cli.stderr).not.toContain('Weather in Paris'); // no prompt text in the log by default

    // The second start reads the token and does not print it.
    const again = await serve(temperatureConfig(), [], { XDG_CONFIG_HOME: configHome });
    expect(again.cli.stderr).not.toContain(token);
    expect(again.cli.stderr).toContain(tokenPath);
    await stop(again);
  });

  it('streaming: tool calls as content lines while they happen, then the answer, usage on the last chunk, [DONE]', async () => {
    mock.enqueue({ toolCalls: [{ name: 'get_temperature', arguments: { city: 'Oslo' } }], reasoning: 'Oslo is in Norway.' }, { text: 'Cold in Oslo.' });
    const served = await serve(temperatureConfig());
    const stream = await served.client.chat.completions.create({ model: 'test-model', stream: true, messages: [{ role: 'user', content: 'Oslo?' }] });
    const chunks: OpenAI.Chat.Completions.ChatCompletionChunk[] = [];
    for await (const chunk of stream) chunks.push(chunk);
    const content = chunks.map((c) => c.choices[0]?.delta.content ?? '').join('');
    expect(content).toMatch(/^→ temperature\/get_temperature \{"city":"Oslo"\}\n← get_temperature \d+ ms\nCold in Oslo\.$/);
    // A thinking model's reasoning: the delta field chat UIs show as thinking, never in content.
    expect(chunks.map((c) => (c.choices[0]?.delta as { reasoning_content?: string } | undefined)?.reasoning_content ?? '').join('')).toBe('Oslo is in Norway.');
    expect(chunks.at(-1)!.choices[0]!.finish_reason).toBe('stop');
    expect(chunks.at(-1)!.usage!.prompt_tokens).toBeGreaterThan(0);
    expect(new Set(chunks.map((c) => c.id)).size).toBe(1);
    await stop(served);
  });

  it('"x-switchboard-events": the v1 events as named SSE events, content only the answer; not streamed: switchboard_events', async () => {
    mock.enqueue({ toolCalls: [{ name: 'get_temperature', arguments: { city: 'Rome' } }] }, { text: 'Warm in Rome.' });
    mock.enqueue({ toolCalls: [{ name: 'get_temperature', arguments: { city: 'Rome' } }] }, { text: 'Still warm.' });
    const served = await serve(temperatureConfig());
    const stream = await served.client.chat.completions.create({ model: 'test-model', stream: true, messages: [{ role: 'user', content: 'Rome?' }], 'x-switchboard-events': true } as OpenAI.Chat.Completions.ChatCompletionCreateParamsStreaming);
    const items: Array<Record<string, any>> = [];
    for await (const item of stream) items.push(item as unknown as Record<string, any>);
    const events = items.filter((item) => item.v === 1);
    const types = events.map((e) => e.type);
    expect(types.indexOf('tool_call')).toBeGreaterThan(-1);
    expect(types.indexOf('tool_result')).toBeGreaterThan(types.indexOf('tool_call'));
    expect(types).toContain('final');
    expect(events.find((e) => e.type === 'tool_call')).toMatchObject({ server: 'temperature', name: 'get_temperature', arguments: { city: 'Rome' } });
    const content = items.filter((item) => item.object === 'chat.completion.chunk').map((c) => c.choices[0]?.delta.content ?? '').join('');
    expect(content).toBe('Warm in Rome.');

    const answer = (await served.client.chat.completions.create({ model: 'test-model', messages: [{ role: 'user', content: 'Rome?' }], 'x-switchboard-events': true } as OpenAI.Chat.Completions.ChatCompletionCreateParamsNonStreaming)) as unknown as { choices: Array<{ message: { content: string } }>; switchboard_events: Array<{ v: number; type: string }> };
    expect(answer.choices[0]!.message.content).toBe('Still warm.');
    expect(answer.switchboard_events.map((e) => e.type)).toEqual(expect.arrayContaining(['tool_call', 'tool_result', 'final']));
    expect(answer.switchboard_events.every((e) => e.v === 1)).toBe(true);
    await stop(served);
  });

  it('approvals: a call the policy would ask about is denied (nobody to ask), the model is told, the stream shows it', async () => {
    const callLog = join(h.dir(), 'calls.log');
    const config = h.file('fixture.json', { mcpServers: { fixture: fixtureServer('--tools', 'echo', '--call-log', callLog) } });
    mock.enqueue({ toolCalls: [{ name: 'echo', arguments: { text: 'hi' } }] }, { text: 'It was denied.' });
    const served = await serve(config);
    const stream = await served.client.chat.completions.create({ model: 'test-model', stream: true, messages: [{ role: 'user', content: 'Echo hi.' }] });
    let content = '';
    for await (const chunk of stream) content += chunk.choices[0]?.delta.content ?? '';
    expect(content).toMatch(/→ fixture\/echo \{"text":"hi"\}\n✗ fixture\/echo denied: .*\n← echo failed \d+ ms: .*\nIt was denied\.$/);
    expect(existsSync(callLog), 'the call did not run').toBe(false);
    const tool = (mock.requests[1]!.body.messages as Array<{ role: string; content: string }>).find((m) => m.role === 'tool');
    expect(tool?.content).toMatch(/^Not run: calling fixture\/echo/);
    await stop(served);
  });

  it('config secrets are masked in the activity lines sent to the client', async () => {
    const secret = 'sb-serve-secret-4242';
    const config = h.file('secret.json', { mcpServers: { fixture: { ...fixtureServer('--tools', 'echo'), env: { API_KEY: '${env:SB_SERVE_SECRET}' } } } });
    mock.enqueue({ toolCalls: [{ name: 'echo', arguments: { text: secret } }] }, { text: 'ok' });
    const served = await serve(config, ['--yes'], { SERVE_TOKEN: TOKEN, SB_SERVE_SECRET: secret });
    const stream = await served.client.chat.completions.create({ model: 'test-model', stream: true, messages: [{ role: 'user', content: 'Echo it.' }] });
    let content = '';
    for await (const chunk of stream) content += chunk.choices[0]?.delta.content ?? '';
    expect(content).toContain('→ fixture/echo {"text":"***"}');
    expect(content).not.toContain(secret);
    await stop(served);
  });

  it('parallel requests are independent conversations', async () => {
    const cities = ['Lima', 'Quito', 'Bogota'];
    // Each request's model calls see only that request's messages.
    const llm = await startMockLlm({
      script: (request) => {
        const messages = request.body.messages as Array<{ role: string; content: string }>;
        const city = lastUserText(request).replace('Weather in ', '');
        return messages.at(-1)!.role === 'tool' ? { text: `Answer for ${city}.` } : { toolCalls: [{ name: 'get_temperature', arguments: { city } }] };
      },
    });
    try {
      const cli = h.start(['serve', '--config', temperatureConfig(), '--endpoint-url', llm.url, '--model', 'test-model', '--port', '0', '--token-env', 'SERVE_TOKEN'], { env: { SERVE_TOKEN: TOKEN }, timeoutMs: 60_000 });
      await cli.waitForStderr(/listening on http/);
      const url = /listening on (http:\/\/127\.0\.0\.1:\d+\/v1)/.exec(cli.stderr)![1]!;
      const client = new OpenAI({ baseURL: url, apiKey: TOKEN, maxRetries: 0 });
      const answers = await Promise.all(cities.map((city) => client.chat.completions.create({ model: 'test-model', messages: [{ role: 'user', content: `Weather in ${city}` }] })));
      expect(answers.map((a) => a.choices[0]!.message.content)).toEqual(cities.map((city) => `Answer for ${city}.`));
      expect(llm.requests).toHaveLength(6);
      for (const request of llm.requests) {
        const messages = request.body.messages as Array<{ role: string; content: string }>;
        expect(messages.filter((m) => m.role === 'user')).toHaveLength(1);
        const city = lastUserText(request).replace('Weather in ', '');
        for (const m of messages.filter((m) => m.role === 'tool')) expect(m.content).toContain(city);
      }
      await stop({ cli, url, client });
    } finally {
      await llm.close();
    }
  });

  it('a client that disconnects mid-turn cancels its tool call (notifications/cancelled); the server keeps serving', async () => {
    const callLog = join(h.dir(), 'calls.log');
    const config = h.file('fixture.json', { mcpServers: { fixture: fixtureServer('--tools', 'hang,cancelled_count', '--call-log', callLog) } });
    mock.enqueue({ toolCalls: [{ name: 'hang', arguments: {} }] });
    const served = await serve(config, ['--yes']);
    const gone = new AbortController();
    const first = served.client.chat.completions.create({ model: 'test-model', stream: true, messages: [{ role: 'user', content: 'Hang.' }] }, { signal: gone.signal }).then(async (stream) => {
      for await (const _ of stream) void _;
    });
    // Aborted before or while the stream is read: the openai client rejects or ends the stream.
    const settled = first.catch(() => undefined);
    await waitUntil(() => existsSync(callLog) && readFileSync(callLog, 'utf8').includes('hang'), 20_000);
    gone.abort();
    await settled;
    await served.cli.waitForStderr(/POST \/v1\/chat\/completions .*client gone/);
    // The next request asks the fixture how many cancellations it received.
    mock.enqueue({ toolCalls: [{ name: 'cancelled_count', arguments: {} }] }, { text: 'done' });
    const answer = await served.client.chat.completions.create({ model: 'test-model', messages: [{ role: 'user', content: 'Count.' }] });
    expect(answer.choices[0]!.message.content).toBe('done');
    const tool = (mock.requests.at(-1)!.body.messages as Array<{ role: string; content: string }>).find((m) => m.role === 'tool');
    expect(tool?.content).toBe('1');
    // The abandoned turn made no further model request: hang, count, answer.
    expect(mock.requests).toHaveLength(3);
    await stop(served);
  });

  it('over --max-concurrent: 429 with Retry-After; the slot frees when its request ends', async () => {
    mock.enqueue({ fault: 'hang' });
    const served = await serve(temperatureConfig(), ['--max-concurrent', '1']);
    const gone = new AbortController();
    const first = fetch(`${served.url}/chat/completions`, { method: 'POST', signal: gone.signal, headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' }, body: JSON.stringify({ model: 'test-model', messages: [{ role: 'user', content: 'hi' }] }) }).catch(() => undefined);
    await waitUntil(() => mock.requests.length === 1, 20_000);
    const refused = await fetch(`${served.url}/chat/completions`, { method: 'POST', headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' }, body: JSON.stringify({ model: 'test-model', messages: [{ role: 'user', content: 'hi' }] }) });
    expect(refused.status).toBe(429);
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(await refused.json()).toMatchObject({ error: { type: 'rate_limit_error' } });
    gone.abort();
    await first;
    await served.cli.waitForStderr(/client gone/);
    mock.enqueue({ text: 'free again' });
    const answer = await served.client.chat.completions.create({ model: 'test-model', messages: [{ role: 'user', content: 'hi' }] });
    expect(answer.choices[0]!.message.content).toBe('free again');
    await stop(served);
  });

  it('SIGTERM lets a running request finish, then closes every server and exits 0', async () => {
    const callLog = join(h.dir(), 'calls.log');
    const gate = join(h.dir(), 'gate');
    const config = h.file('fixture.json', { mcpServers: { fixture: fixtureServer('--tools', 'echo', '--gate-tool', gate, '--call-log', callLog) } });
    mock.enqueue({ toolCalls: [{ name: 'gate', arguments: {} }] }, { text: 'through the gate' });
    const served = await serve(config, ['--yes']);
    const answer = served.client.chat.completions.create({ model: 'test-model', messages: [{ role: 'user', content: 'Wait at the gate.' }] });
    await waitUntil(() => existsSync(callLog) && readFileSync(callLog, 'utf8').includes('gate'), 20_000);
    served.cli.child.kill('SIGTERM');
    await served.cli.waitForStderr('stopping');
    // No new turn starts while draining: the connection is refused, or (an open connection) 503.
    const late = await fetch(`${served.url}/chat/completions`, { method: 'POST', headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' }, body: JSON.stringify({ model: 'test-model', messages: [{ role: 'user', content: 'late' }] }) }).then(
      (response) => response.status,
      () => 'refused',
    );
    expect([503, 'refused']).toContain(late);
    // Draining: the running turn goes on; its tool call ends when the test opens the gate.
    writeFileSync(gate, '');
    expect((await answer).choices[0]!.message.content).toBe('through the gate');
    const r = await served.cli.done;
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr.indexOf('POST /v1/chat/completions 200')).toBeGreaterThan(r.stderr.indexOf('stopping'));
    expect(r.stderr).toMatch(/stopped\n?$/);
    // The harness checks that no server process outlives the test.
  });

  it('SIGTERM with a turn that does not finish within --drain-timeout: the stream ends with a shutting_down error, exit 0', async () => {
    const config = h.file('fixture.json', { mcpServers: { fixture: fixtureServer('--tools', 'hang') } });
    mock.enqueue({ toolCalls: [{ name: 'hang', arguments: {} }] });
    const served = await serve(config, ['--yes', '--drain-timeout', '0.5']);
    const stream = await served.client.chat.completions.create({ model: 'test-model', stream: true, messages: [{ role: 'user', content: 'Hang.' }] });
    const content: string[] = [];
    const read = (async () => {
      for await (const chunk of stream) content.push(chunk.choices[0]?.delta.content ?? '');
    })();
    await waitUntil(() => content.join('').includes('→ fixture/hang'), 20_000);
    served.cli.child.kill('SIGTERM');
    await expect(read).rejects.toMatchObject({ error: { code: 'shutting_down' } });
    const r = await served.cli.done;
    expect(r.code, r.stderr).toBe(0);
    expect(r.processes.some((p) => p.cmdline.includes('fixture-server'))).toBe(true);
    const survivors = await waitForGone(r.processes, { timeoutMs: 4_000 });
    expect(survivors, describeProcesses(survivors)).toEqual([]);
  });

  it('--cors ORIGIN: that origin gets CORS headers and preflights, others are refused; 413 over the body limit; 502 when the model fails; --log-level debug logs the prompt', async () => {
    mock.enqueue({ fault: 'http', status: 500 });
    const served = await serve(temperatureConfig(), ['--cors', 'http://localhost:3000', '--retries', '0', '--log-level', 'debug', '--hide-reasoning']);
    const preflight = await fetch(`${served.url}/chat/completions`, { method: 'OPTIONS', headers: { origin: 'http://localhost:3000', 'access-control-request-method': 'POST', 'access-control-request-headers': 'authorization, content-type' } });
    expect(preflight.status).toBe(204);
    expect(preflight.headers.get('access-control-allow-origin')).toBe('http://localhost:3000');
    expect(preflight.headers.get('access-control-allow-headers')).toMatch(/authorization/);
    const allowed = await fetch(`${served.url}/models`, { headers: { authorization: `Bearer ${TOKEN}`, origin: 'http://localhost:3000' } });
    expect(allowed.status).toBe(200);
    expect(allowed.headers.get('access-control-allow-origin')).toBe('http://localhost:3000');
    const other = await fetch(`${served.url}/models`, { headers: { authorization: `Bearer ${TOKEN}`, origin: 'http://other.invalid' } });
    expect(other.status).toBe(403);
    expect(other.headers.get('access-control-allow-origin')).toBeNull();

    const huge = await fetch(`${served.url}/chat/completions`, { method: 'POST', headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' }, body: JSON.stringify({ model: 'test-model', messages: [{ role: 'user', content: 'x'.repeat(5 * 1024 * 1024) }] }) }).catch((error: unknown) => error);
    // The server answers 413 and closes the connection; the client may see the answer or the reset.
    if (huge instanceof Response) expect(huge.status).toBe(413);

    await expect(served.client.chat.completions.create({ model: 'test-model', messages: [{ role: 'user', content: 'Secret plan?' }] })).rejects.toMatchObject({ status: 502, type: 'api_error' });
    // --hide-reasoning: a thinking model's reasoning is not streamed.
    mock.enqueue({ text: 'Plain answer.', reasoning: 'private thoughts' });
    const stream = await served.client.chat.completions.create({ model: 'test-model', stream: true, messages: [{ role: 'user', content: 'Think.' }] });
    const raw: string[] = [];
    for await (const chunk of stream) raw.push(JSON.stringify(chunk));
    expect(raw.join('')).toContain('Plain answer.'.slice(0, 8));
    expect(raw.join('')).not.toContain('private');
    await stop(served);
    expect(served.cli.stderr).toMatch(/POST \/v1\/chat\/completions 502 .*prompt: Secret plan\?/);
    expect(served.cli.stderr).toMatch(/POST \/v1\/chat\/completions 413/);
  });

  it('refuses a non-loopback --host without --token-env before binding, and other bad flags', async () => {
    const refused = await h.run(['serve', '--config', temperatureConfig(), '--endpoint-url', mock.url, '--model', 'test-model', '--host', '0.0.0.0']);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(/--host 0\.0\.0\.0 is not a loopback address.*--token-env/s);
    expect(refused.stderr).not.toMatch(/listening|config:/);
    expect(refused.processes, 'no server was started').toEqual([]);
    const http = await h.run(['serve', '--http']);
    expect(http.code).toBe(2);
    expect(http.stderr).toMatch(/--http goes with --mcp/);
    const port = await h.run(['serve', '--port', '99999']);
    expect(port.code).toBe(2);
    expect(port.stderr).toMatch(/--port must be/);
    // A port in use: a usage error naming it, and the servers it started are closed.
    const taken = createServer();
    await new Promise<void>((resolve) => taken.listen(0, '127.0.0.1', resolve));
    try {
      const busy = (taken.address() as AddressInfo).port;
      const inUse = await h.run(['serve', '--config', temperatureConfig(), '--endpoint-url', mock.url, '--model', 'test-model', '--port', String(busy), '--token-env', 'SERVE_TOKEN'], { env: { SERVE_TOKEN: TOKEN } });
      expect(inUse.code, inUse.stderr).toBe(2);
      expect(inUse.stderr).toContain(`127.0.0.1:${busy} is in use`);
      expectNoStackTrace(inUse.stderr);
    } finally {
      await new Promise((resolve) => taken.close(resolve));
    }
  });
});
