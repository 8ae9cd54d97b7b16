/**
 * The model side at the ChatModel interface, over real parts: HfChatModel (the real
 * @huggingface/inference client against the loopback mock) and ScriptedChatModel (a script
 * file on disk). What the agent loop receives: the finish reason of a reply cut at the
 * token limit, and an interrupted wait before a retry.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { SwitchboardError, UserInputError } from '../../src/errors.js';
import { HfChatModel } from '../../src/llm/hf.js';
import type { ChatModel, ModelReply, ModelRequest, ModelStreamEvent } from '../../src/llm/model.js';
import { ScriptedChatModel } from '../../src/llm/scripted.js';
import { startMockLlm, type MockLlm, type ScriptedReply } from '../support/mock-llm.js';

let mocks: MockLlm[] = [];
let dirs: string[] = [];
afterEach(async () => {
  await Promise.allSettled(mocks.map((m) => m.close()));
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  mocks = [];
  dirs = [];
});

async function hfModel(...replies: ScriptedReply[]): Promise<HfChatModel> {
  const mock = await startMockLlm({ script: replies });
  mocks.push(mock);
  return new HfChatModel({ model: 'test-model', endpointUrl: mock.url, retries: 2, timeoutMs: 10_000, backoffBaseMs: 10 });
}

function scriptFile(turns: unknown): string {
  const dir = mkdtempSync(join(tmpdir(), 'switchboard-script-'));
  dirs.push(dir);
  const path = join(dir, 'script.json');
  writeFileSync(path, JSON.stringify(turns));
  return path;
}

const request = (signal?: AbortSignal): ModelRequest => ({ messages: [{ role: 'user', content: 'Tell me a long story.' }], tools: [], ...(signal ? { signal } : {}) });

async function collect(model: ChatModel, req = request()): Promise<{ events: ModelStreamEvent[]; reply: ModelReply }> {
  const events: ModelStreamEvent[] = [];
  for await (const event of model.stream(req)) events.push(event);
  const last = events.at(-1);
  expect(last?.type).toBe('reply');
  return { events, reply: (last as Extract<ModelStreamEvent, { type: 'reply' }>).reply };
}

describe('a reply cut at the output-token limit (finish_reason "length")', () => {
  it('HfChatModel: reaches the caller as finishReason "length" with the text streamed so far', async () => {
    const model = await hfModel({ text: 'Once upon a time there was a', finishReason: 'length' });
    const { events, reply } = await collect(model);
    expect(reply).toMatchObject({ text: 'Once upon a time there was a', finishReason: 'length', toolCalls: [] });
    expect(events.some((e) => e.type === 'retry'), 'a cut reply is an answer, not a broken stream').toBe(false);
  });

  it('HfChatModel: "max_tokens" (Anthropic-style servers) is read as "length" too', async () => {
    const model = await hfModel({ text: 'Once upon', finishReason: 'max_tokens' });
    expect((await collect(model)).reply.finishReason).toBe('length');
  });

  it('ScriptedChatModel: a turn with "finishReason": "length" plays a cut reply; others keep their defaults', async () => {
    const model = ScriptedChatModel.fromFile(
      scriptFile([{ toolCalls: [{ name: 'get_temperature', arguments: { city: 'Paris' } }] }, { text: 'Once upon a time', finishReason: 'length' }, { text: 'The end.' }]),
    );
    expect((await collect(model)).reply.finishReason).toBe('tool_calls');
    expect((await collect(model)).reply).toMatchObject({ text: 'Once upon a time', finishReason: 'length' });
    expect((await collect(model)).reply.finishReason).toBe('stop');
  });

  it('ScriptedChatModel: an unknown finishReason is a clear error naming the field', () => {
    const path = scriptFile([{ text: 'x', finishReason: 'tired' }]);
    expect(() => ScriptedChatModel.fromFile(path)).toThrow(UserInputError);
    expect(() => ScriptedChatModel.fromFile(path)).toThrow(/0\.finishReason/);
  });
});

describe('the wait before a retry', () => {
  it('is interrupted at once by the caller\'s signal: INTERRUPTED, and no further request', async () => {
    const mock = await startMockLlm({ script: [{ fault: 'http', status: 429, retryAfterSeconds: 30 }, { text: 'too late' }] });
    mocks.push(mock);
    const model = new HfChatModel({ model: 'test-model', endpointUrl: mock.url, retries: 2, timeoutMs: 10_000, backoffBaseMs: 10 });
    const controller = new AbortController();
    const seen: string[] = [];
    let thrown: unknown;
    try {
      for await (const event of model.stream(request(controller.signal))) {
        seen.push(event.type);
        // The retry is announced with the server's wait, then the user gives up during it.
        if (event.type === 'retry') {
          expect(event.delayMs).toBe(30_000);
          controller.abort();
        }
      }
    } catch (error) {
      thrown = error;
    }
    expect(seen).toEqual(['retry']);
    expect(thrown).toBeInstanceOf(SwitchboardError);
    expect((thrown as SwitchboardError).code).toBe('INTERRUPTED');
    expect(mock.requests).toHaveLength(1);
  });
});
