/**
 * The model endpoint as the user meets it, end to end: the built CLI against the loopback
 * OpenAI-compatible mock (test/support/mock-llm.ts) through the real @huggingface/inference path.
 * Which key is sent where, what a refused key / a refused connection / a long Retry-After /
 * a garbage chunk look like. No timing assertions: a wait that should not happen shows up as
 * the run being killed by the harness's 20 s timeout, or as extra requests.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { freePort } from '../support/server-processes.js';
import { startMockLlm, type MockLlm, type ScriptedReply } from '../support/mock-llm.js';
import { expectNoStackTrace, lines, temperatureServer, useE2eHarness } from './harness.js';

const h = useE2eHarness();

let mocks: MockLlm[] = [];
afterEach(async () => {
  await Promise.allSettled(mocks.map((m) => m.close()));
  mocks = [];
});

async function mockWith(...replies: ScriptedReply[]): Promise<MockLlm> {
  const mock = await startMockLlm({ script: replies });
  mocks.push(mock);
  return mock;
}

/** A config with no servers: these tests are about the model side only. */
function noServers(settings: Record<string, unknown> = {}): string {
  return h.file('switchboard.json', { mcpServers: {}, ...settings });
}

/** What a retry notice on stderr looks like, whatever its exact wording. */
const RETRY_NOTICE = /↻|retry \d/i;


describe('which key goes to the model server', () => {
  it('--api-key-env NAME sends that variable, and neither HF_TOKEN nor SWITCHBOARD_API_KEY', async () => {
    const mock = await mockWith({ text: 'Hello.' });
    const env = { HF_TOKEN: 'hf_secret', SWITCHBOARD_API_KEY: 'local-key', MY_ENDPOINT_KEY: 'endpoint-key' };
    const r = await h.run(['chat', '--config', noServers(), '--endpoint-url', mock.url, '--model', 'test-model', '--api-key-env', 'MY_ENDPOINT_KEY', 'Hi'], { env });
    expect(r.code, r.stderr).toBe(0);
    expect(mock.requests.map((req) => req.headers.authorization)).toEqual(['Bearer endpoint-key']);
  });

  it('"apiKeyEnv" in the config does the same', async () => {
    const mock = await mockWith({ text: 'Hello.' });
    const r = await h.run(['chat', '--config', noServers({ apiKeyEnv: 'MY_ENDPOINT_KEY' }), '--endpoint-url', mock.url, '--model', 'test-model', 'Hi'], {
      env: { HF_TOKEN: 'hf_secret', MY_ENDPOINT_KEY: 'endpoint-key' },
    });
    expect(r.code, r.stderr).toBe(0);
    expect(mock.requests[0]?.headers.authorization).toBe('Bearer endpoint-key');
  });

  it('a local endpoint gets SWITCHBOARD_API_KEY, never HF_TOKEN, when both are set', async () => {
    const mock = await mockWith({ text: 'Hello.' });
    const r = await h.run(['chat', '--config', noServers(), '--endpoint-url', mock.url, '--model', 'test-model', 'Hi'], {
      env: { HF_TOKEN: 'hf_secret', SWITCHBOARD_API_KEY: 'local-key' },
    });
    expect(r.code, r.stderr).toBe(0);
    expect(mock.requests[0]?.headers.authorization).toBe('Bearer local-key');
  });

  it('--api-key-env naming a variable that is not set: exit 2 naming it, no request sent', async () => {
    const mock = await mockWith({ text: 'Hello.' });
    const r = await h.run(['chat', '--config', noServers(), '--endpoint-url', mock.url, '--model', 'test-model', '--api-key-env', 'SWITCHBOARD_E2E_NO_SUCH_KEY', 'Hi'], {
      env: { SWITCHBOARD_E2E_NO_SUCH_KEY: undefined, SWITCHBOARD_API_KEY: 'local-key' },
    });
    expect(r.code, r.stderr).toBe(2);
    expect(r.stderr).toMatch(/SWITCHBOARD_E2E_NO_SUCH_KEY.*not set/);
    expect(r.stderr).toMatch(/export SWITCHBOARD_E2E_NO_SUCH_KEY=/);
    expectNoStackTrace(r.stderr);
    expect(mock.requests).toEqual([]);
  });

  it('--api-key-env given a value instead of a name: exit 2 saying it takes a name', async () => {
    const r = await h.run(['chat', '--config', noServers(), '--endpoint-url', 'http://127.0.0.1:9/v1', '--model', 'm', '--api-key-env', 'sk-abc123/xyz', 'Hi']);
    expect(r.code, r.stderr).toBe(2);
    expect(r.stderr).toMatch(/--api-key-env takes the NAME of an environment variable/);
    expect(r.stderr, 'the secret is not echoed whole').not.toContain('sk-abc123/xyz');
    expectNoStackTrace(r.stderr);
  });
});

describe('a refused key', () => {
  it('401 from a custom endpoint with no key: says no token was sent and how to send one, not HF_TOKEN', async () => {
    const mock = await mockWith({ fault: 'http', status: 401, body: { error: { message: 'missing API key' } } });
    const r = await h.run(['chat', '--config', noServers(), '--endpoint-url', mock.url, '--model', 'test-model', 'Hi'], { env: { HF_TOKEN: 'hf_secret' } });
    expect(r.code, r.stderr).toBe(1);
    expect(r.stderr).toMatch(/no token was sent/);
    expect(r.stderr).toMatch(/SWITCHBOARD_API_KEY/);
    expect(r.stderr).toMatch(/--api-key-env/);
    expect(r.stderr, "the server's own words").toMatch(/missing API key/);
    expect(r.stderr).not.toMatch(/HF_TOKEN/);
    expect(mock.requests).toHaveLength(1);
    expect(mock.requests[0]?.headers.authorization).toBeUndefined();
    expectNoStackTrace(r.stderr);
  });

  it('401 with a key: names the variable the key came from', async () => {
    const mock = await mockWith({ fault: 'http', status: 401 }, { fault: 'http', status: 403 });
    const viaDefault = await h.run(['chat', '--config', noServers(), '--endpoint-url', mock.url, '--model', 'test-model', 'Hi'], {
      env: { HF_TOKEN: 'hf_secret', SWITCHBOARD_API_KEY: 'local-key' },
    });
    expect(viaDefault.code, viaDefault.stderr).toBe(1);
    expect(viaDefault.stderr).toMatch(/refused the token from SWITCHBOARD_API_KEY \(HTTP 401/);
    expect(viaDefault.stderr).not.toMatch(/HF_TOKEN/);

    const viaNamed = await h.run(['chat', '--config', noServers(), '--endpoint-url', mock.url, '--model', 'test-model', '--api-key-env', 'MY_ENDPOINT_KEY', 'Hi'], {
      env: { HF_TOKEN: 'hf_secret', MY_ENDPOINT_KEY: 'endpoint-key' },
    });
    expect(viaNamed.code, viaNamed.stderr).toBe(1);
    expect(viaNamed.stderr).toMatch(/refused the token from MY_ENDPOINT_KEY \(HTTP 403/);
    expect(viaNamed.stderr).toMatch(/Check MY_ENDPOINT_KEY/);
    expect(viaNamed.stderr).not.toMatch(/HF_TOKEN/);
  });
});

describe('a model server that is not there', () => {
  it('a refused connection on loopback: fails at once (no retries) with the URL and the cause', async () => {
    const port = await freePort() // nobody listens on it;
    const url = `http://127.0.0.1:${port}/v1`;
    const r = await h.run(['chat', '--config', noServers(), '--endpoint-url', url, '--model', 'local', '--retries', '3', 'Hi']);
    expect(r.code, r.stderr).toBe(1);
    expect(r.stderr).toContain(`${url}/chat/completions`);
    expect(r.stderr).toContain(`ECONNREFUSED 127.0.0.1:${port}`);
    expect(r.stderr).toMatch(/is the model server running/);
    expect(r.stderr).not.toMatch(/after \d+ attempts/);
    expect(r.stderr).not.toMatch(RETRY_NOTICE);
    expectNoStackTrace(r.stderr);
  });

  it('a web server that answers with an HTML page: not retried, asks whether the endpoint is OpenAI-compatible', async () => {
    const mock = await mockWith({ fault: 'html' }, { fault: 'html' });
    const r = await h.run(['chat', '--config', noServers(), '--endpoint-url', mock.url, '--model', 'test-model', '--retries', '1', 'Hi']);
    expect(r.code, r.stderr).toBe(1);
    expect(r.stderr).toMatch(/text\/html/);
    expect(r.stderr).toMatch(/OpenAI-compatible/);
    expect(r.stderr).not.toMatch(RETRY_NOTICE);
    expect(mock.requests).toHaveLength(1);
  });
});

describe('Retry-After', () => {
  it('a Retry-After longer than maxRetryWait fails at once with the server\'s message, no silent wait', async () => {
    const mock = await mockWith({ fault: 'http', status: 429, retryAfterSeconds: 200, body: { error: { message: 'Rate limit reached for requests per day' } } });
    const r = await h.run(['chat', '--config', noServers({ maxRetryWait: 2 }), '--endpoint-url', mock.url, '--model', 'test-model', 'Hi']);
    expect(r.code, r.stderr).toBe(1);
    expect(r.stderr).toMatch(/HTTP 429/);
    expect(r.stderr).toMatch(/Rate limit reached for requests per day/);
    expect(r.stderr).toMatch(/wait 200 s .*more than maxRetryWait \(2 s\)/);
    expect(r.stderr).not.toMatch(RETRY_NOTICE);
    expect(mock.requests).toHaveLength(1);
    expectNoStackTrace(r.stderr);
  });

  it('a Retry-After within maxRetryWait is waited for and retried (the notice carries the wait)', async () => {
    const mock = await mockWith({ fault: 'http', status: 429, retryAfterSeconds: 1 }, { text: 'Hello after the wait.' });
    const r = await h.run(['chat', '--json', '--config', noServers({ maxRetryWait: 5 }), '--endpoint-url', mock.url, '--model', 'test-model', 'Hi']);
    expect(r.code, r.stderr).toBe(0);
    const events = lines(r.stdout).map((line) => JSON.parse(line) as { type: string; delayMs?: number; text?: string });
    const retry = events.find((e) => e.type === 'model_retry');
    expect(retry?.delayMs).toBeGreaterThanOrEqual(1000);
    expect(retry?.delayMs).toBeLessThanOrEqual(5000);
    expect(events.at(-1)).toMatchObject({ type: 'final', text: 'Hello after the wait.' });
    expect(mock.requests).toHaveLength(2);
  });
});

describe('a malformed chunk in the stream', () => {
  it('after good chunks, in a later step of the turn: retried like a broken stream, and the turn succeeds', async () => {
    const mock = await mockWith(
      { toolCalls: [{ name: 'get_temperature', arguments: { city: 'Paris' } }] },
      { fault: 'garbage-midstream' },
      { text: 'It is mild in Paris.' },
    );
    const config = h.file('switchboard.json', { mcpServers: { temperature: temperatureServer() } });
    const r = await h.run(['chat', '--config', config, '--endpoint-url', mock.url, '--model', 'test-model', 'Weather in Paris?']);
    expect(r.code, r.stderr).toBe(0);
    expect(lines(r.stdout)).toEqual(['It is mild in Paris.']);
    expect(r.stderr).toMatch(/→ get_temperature/);
    expect(r.stderr).toMatch(RETRY_NOTICE);
    expect(r.stderr).toMatch(/not valid JSON/);
    expect(r.stderr).not.toMatch(/OpenAI-compatible/);
    expect(mock.requests).toHaveLength(3);
    // The retried request carries the same history as the broken one: the tool call and its result.
    expect(mock.requests[2]?.body.messages).toEqual(mock.requests[1]?.body.messages);
    expect(mock.requests[2]?.body.messages.map((m: { role: string }) => m.role)).toEqual(['user', 'assistant', 'tool']);
  });

  it('as the first response: not retried, asks whether the endpoint is OpenAI-compatible', async () => {
    const mock = await mockWith({ fault: 'garbage' }, { fault: 'garbage' });
    const r = await h.run(['chat', '--config', noServers(), '--endpoint-url', mock.url, '--model', 'test-model', '--retries', '1', 'Hi']);
    expect(r.code, r.stderr).toBe(1);
    expect(r.stderr).toMatch(/OpenAI-compatible/);
    expect(r.stderr).not.toMatch(RETRY_NOTICE);
    expect(mock.requests).toHaveLength(1);
  });
});
