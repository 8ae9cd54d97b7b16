/**
 * Sanity checks for the shared test infrastructure:
 * - test/support/mock-llm.ts through the real @huggingface/inference client;
 * - test/support/fixture-server.ts (from dist/) through the real MCP SDK client over stdio.
 */
import { chatCompletionStream, InferenceClientProviderApiError } from '@huggingface/inference';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import type { Tool } from '@modelcontextprotocol/sdk/types.js';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startMockLlm, type MockLlm } from '../support/mock-llm.js';
import { FIXTURE_SERVER_PATH } from '../support/paths.js';

const tools = [
  {
    type: 'function' as const,
    function: { name: 'get_weather', description: 'Weather', parameters: { type: 'object', properties: {} } },
  },
];

async function collect(mock: MockLlm) {
  const stream = chatCompletionStream(
    {
      endpointUrl: mock.url,
      model: 'test-model',
      messages: [{ role: 'user', content: 'hello' }],
      tools,
    },
    { retry_on_error: false },
  );
  let content = '';
  let reasoning = '';
  let finish: string | null | undefined;
  const calls = new Map<number, { id?: string; name?: string; arguments: string }>();
  for await (const chunk of stream) {
    const choice = chunk.choices[0];
    if (!choice) continue;
    const delta = choice.delta as typeof choice.delta & { reasoning_content?: string };
    content += delta.content ?? '';
    reasoning += delta.reasoning_content ?? '';
    for (const tc of delta.tool_calls ?? []) {
      const entry = calls.get(tc.index) ?? { arguments: '' };
      if (tc.id) entry.id = tc.id;
      if (tc.function?.name) entry.name = tc.function.name;
      entry.arguments += tc.function?.arguments ?? '';
      calls.set(tc.index, entry);
    }
    if (choice.finish_reason) finish = choice.finish_reason;
  }
  return { content, reasoning, finish, calls };
}

describe('mock-llm via @huggingface/inference', () => {
  let mock: MockLlm;
  beforeAll(async () => {
    mock = await startMockLlm();
  });
  afterAll(async () => {
    await mock.close();
  });

  it('streams interleaved tool call deltas that reassemble by index', async () => {
    mock.enqueue({
      reasoning: 'I should call two tools.',
      toolCalls: [
        { name: 'get_weather', arguments: { city: 'San Francisco', unit: 'celsius' } },
        { id: 'explicit-id', name: 'get_time', arguments: '{"zone":"America/Los_Angeles"}' },
      ],
      interleave: true,
      chunkSize: 5,
    });
    const { reasoning, finish, calls } = await collect(mock);
    expect(reasoning).toBe('I should call two tools.');
    expect(finish).toBe('tool_calls');
    expect(calls.size).toBe(2);
    expect(calls.get(0)?.name).toBe('get_weather');
    expect(calls.get(0)?.id).toMatch(/^call_\d+$/);
    expect(JSON.parse(calls.get(0)?.arguments ?? '')).toEqual({ city: 'San Francisco', unit: 'celsius' });
    expect(calls.get(1)).toEqual({ id: 'explicit-id', name: 'get_time', arguments: '{"zone":"America/Los_Angeles"}' });
    const request = mock.requests.at(-1);
    expect(request?.path).toBe('/v1/chat/completions');
    expect(request?.body.model).toBe('test-model');
    expect(request?.body.stream).toBe(true);
    expect(request?.body.tools[0].function.name).toBe('get_weather');
  });

  it('streams a text reply', async () => {
    mock.enqueue({ text: 'The temperature is 18 degrees.', chunkSize: 4 });
    const { content, finish, calls } = await collect(mock);
    expect(content).toBe('The temperature is 18 degrees.');
    expect(finish).toBe('stop');
    expect(calls.size).toBe(0);
  });

  it('surfaces an HTTP 429 fault', async () => {
    mock.enqueue({ fault: 'http', status: 429, retryAfterSeconds: 2 });
    const error = await collect(mock).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(InferenceClientProviderApiError);
    const apiError = error as InferenceClientProviderApiError;
    expect(apiError.httpResponse.status).toBe(429);
    expect(apiError.message).toContain('429');
  });

  it('fails visibly when the script is exhausted', async () => {
    const error = await collect(mock).then(
      () => undefined,
      (e: unknown) => e as Error,
    );
    expect(error?.message).toContain('mock-llm: script exhausted');
  });
});

describe('fixture-server via the MCP SDK client', () => {
  let client: Client | undefined;
  afterEach(async () => {
    await client?.close();
    client = undefined;
  });

  it('pages tools/list, echoes, and reports isError from fail', async () => {
    client = new Client({ name: 'fixtures-test', version: '0.0.0' });
    await client.connect(
      new StdioClientTransport({ command: process.execPath, args: [FIXTURE_SERVER_PATH, '--page-size', '2'], stderr: 'pipe' }),
    );
    const listed: Tool[] = [];
    let cursor: string | undefined;
    let pages = 0;
    do {
      const page = await client.listTools(cursor === undefined ? {} : { cursor });
      expect(page.tools.length).toBeLessThanOrEqual(2);
      listed.push(...page.tools);
      cursor = page.nextCursor;
      pages++;
    } while (cursor !== undefined);
    const names = listed.map((t) => t.name);
    expect(names).toEqual([
      'echo',
      'add',
      'sleep',
      'crash',
      'hang',
      'big',
      'fail',
      'image',
      'no_params',
      'add_tool',
      'cancelled_count',
      'raw',
    ]);
    expect(pages).toBe(6);
    expect(listed.find((t) => t.name === 'no_params')).toMatchObject({ title: 'No Params Title', inputSchema: { type: 'object' } });

    const echo = await client.callTool({ name: 'echo', arguments: { text: 'hi there' } });
    expect(echo.content).toEqual([{ type: 'text', text: 'hi there' }]);
    expect(echo.isError).toBeFalsy();

    const fail = await client.callTool({ name: 'fail', arguments: {} });
    expect(fail.isError).toBe(true);
    expect(fail.content).toEqual([{ type: 'text', text: 'fixture failure: this tool always fails' }]);
  });
});
