/**
 * The agent loop end to end over real parts: Agent + HfChatModel (the real
 * @huggingface/inference client, endpointUrl = the mock LLM on loopback HTTP) +
 * ToolHub (the bundled temperature server and a fixture server as child processes).
 * The mock scripts the model's replies; the tests read what the host sent back.
 */
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { Agent } from '../../src/agent/loop.js';
import type { AgentEvent } from '../../src/agent/events.js';
import { HfChatModel } from '../../src/llm/hf.js';
import type { ToolHub } from '../../src/mcp/hub.js';
import { startMockLlm, type MockLlm, type RecordedRequest } from '../support/mock-llm.js';
import { fixtureSpec, HubTracker, temperatureSpec } from './servers.js';

const SYSTEM = 'You are Switchboard under test.';
const PARIS = 'The temperature in Paris is 75 °F.';
const TOKYO = 'The temperature in Tokyo is 73 °F.';

const tracker = new HubTracker();
let hub: ToolHub;
let mock: MockLlm;

beforeAll(async () => {
  hub = tracker.create([temperatureSpec(), fixtureSpec('fixture', '--tools', 'echo,add,sleep')]);
  const report = await hub.start();
  tracker.notePids(hub);
  expect(report.failed.map((e) => e.message)).toEqual([]);
});

afterAll(async () => {
  expect(await tracker.closeAll(), 'hubs that did not close, or server processes still alive').toEqual([]);
});

beforeEach(async () => {
  mock = await startMockLlm();
});

afterEach(async () => {
  await mock.close();
});

function newAgent(): Agent {
  const model = new HfChatModel({ model: 'test-model', endpointUrl: mock.url, retries: 0, timeoutMs: 10_000, backoffBaseMs: 10 });
  return new Agent({ model, tools: hub, system: SYSTEM, maxSteps: 8 });
}

async function run(agent: Agent, text: string): Promise<AgentEvent[]> {
  const events: AgentEvent[] = [];
  for await (const event of agent.send(text)) events.push(event);
  return events;
}

function final(events: AgentEvent[]): Extract<AgentEvent, { type: 'final' }> {
  const last = events.at(-1);
  expect(last?.type, `the turn should end with a final answer; events: ${JSON.stringify(events.filter((e) => e.type !== 'text_delta'))}`).toBe('final');
  return last as Extract<AgentEvent, { type: 'final' }>;
}

/** The wire messages of one recorded request. */
function messages(request: RecordedRequest | undefined): any[] {
  expect(request, 'the model request was not received').toBeDefined();
  return request!.body.messages as any[];
}

describe('Agent + HfChatModel + ToolHub', () => {
  it('runs three parallel tool calls streamed interleaved, and sends their results back in call order', async () => {
    mock.enqueue(
      {
        toolCalls: [
          { id: 'call_paris', name: 'get_temperature', arguments: { city: 'Paris' } },
          { id: 'call_tokyo', name: 'get_temperature', arguments: { city: 'Tokyo' } },
          { id: 'call_echo', name: 'echo', arguments: { text: 'relayed by the fixture' } },
        ],
        interleave: true,
        chunkSize: 3,
      },
      { text: 'Paris is 75 °F and Tokyo is 73 °F.', chunkSize: 5 },
    );
    const events = await run(newAgent(), 'How warm is it in Paris and Tokyo?');

    expect(final(events)).toEqual({ type: 'final', text: 'Paris is 75 °F and Tokyo is 73 °F.', steps: 2 });
    expect(events.filter((e) => e.type === 'text_delta').map((e) => (e as { text: string }).text).join('')).toBe('Paris is 75 °F and Tokyo is 73 °F.');
    const calls = events.filter((e) => e.type === 'tool_call');
    expect(calls).toEqual([
      { type: 'tool_call', id: 'call_paris', name: 'get_temperature', server: 'temperature', originalName: 'get_temperature', arguments: { city: 'Paris' } },
      { type: 'tool_call', id: 'call_tokyo', name: 'get_temperature', server: 'temperature', originalName: 'get_temperature', arguments: { city: 'Tokyo' } },
      { type: 'tool_call', id: 'call_echo', name: 'echo', server: 'fixture', originalName: 'echo', arguments: { text: 'relayed by the fixture' } },
    ]);
    const results = events.filter((e) => e.type === 'tool_result') as Array<Extract<AgentEvent, { type: 'tool_result' }>>;
    expect(results.map((r) => r.id).sort()).toEqual(['call_echo', 'call_paris', 'call_tokyo']);
    expect(results.every((r) => !r.isError)).toBe(true);

    // Exactly N+1 model requests for N tool rounds.
    expect(mock.requests).toHaveLength(2);
    const [first, second] = mock.requests;

    // The first request: the real client's wire shape, with the tools as function schemas.
    expect(first!.path).toBe('/v1/chat/completions');
    expect(first!.body).toMatchObject({ model: 'test-model', stream: true });
    expect(first!.body).not.toHaveProperty('provider');
    expect(messages(first)).toEqual([
      { role: 'system', content: SYSTEM },
      { role: 'user', content: 'How warm is it in Paris and Tokyo?' },
    ]);
    const tools = first!.body.tools as Array<{ type: string; function: { name: string; description?: string; parameters: any } }>;
    expect(tools.map((t) => t.function.name).sort()).toEqual(['add', 'echo', 'get_temperature', 'sleep']);
    const getTemperature = tools.find((t) => t.function.name === 'get_temperature')!;
    expect(getTemperature.type).toBe('function');
    expect(getTemperature.function.description).toBeTruthy();
    expect(getTemperature.function.parameters.type).toBe('object');
    expect(getTemperature.function.parameters.properties.city).toMatchObject({ type: 'string' });
    expect(getTemperature.function.parameters.required).toEqual(['city']);
    expect(JSON.stringify(tools)).not.toContain('$schema');

    // The second request: the assistant's three calls as scripted, then one tool message per call, in call order.
    const wire = messages(second);
    expect(wire).toHaveLength(6);
    expect(wire.slice(0, 2)).toEqual(messages(first));
    const assistant = wire[2];
    expect(assistant.role).toBe('assistant');
    expect(assistant.tool_calls.map((c: any) => ({ id: c.id, type: c.type, name: c.function.name, args: JSON.parse(c.function.arguments) }))).toEqual([
      { id: 'call_paris', type: 'function', name: 'get_temperature', args: { city: 'Paris' } },
      { id: 'call_tokyo', type: 'function', name: 'get_temperature', args: { city: 'Tokyo' } },
      { id: 'call_echo', type: 'function', name: 'echo', args: { text: 'relayed by the fixture' } },
    ]);
    expect(assistant).not.toHaveProperty('reasoning_content');
    expect(wire.slice(3)).toEqual([
      { role: 'tool', tool_call_id: 'call_paris', content: PARIS },
      { role: 'tool', tool_call_id: 'call_tokyo', content: TOKYO },
      { role: 'tool', tool_call_id: 'call_echo', content: 'relayed by the fixture' },
    ]);
  });

  it('sends the reasoning of a thinking model back with its tool calls', async () => {
    const reasoning = 'The user asks about Paris in Celsius; I will call get_temperature.';
    mock.enqueue(
      { reasoning, toolCalls: [{ id: 'call_think', name: 'get_temperature', arguments: { city: 'Paris', unit: 'celsius' } }], chunkSize: 7 },
      { reasoning: 'The tool said 23.9.', text: 'It is 23.9 °C in Paris.' },
    );
    const agent = newAgent();
    const events = await run(agent, 'Paris in Celsius?');
    expect(final(events).text).toBe('It is 23.9 °C in Paris.');
    const streamedReasoning = events.filter((e) => e.type === 'reasoning_delta').map((e) => (e as { text: string }).text).join('');
    expect(streamedReasoning).toBe(reasoning + 'The tool said 23.9.');

    expect(mock.requests).toHaveLength(2);
    const wire = messages(mock.requests[1]);
    expect(wire[2]).toMatchObject({ role: 'assistant', reasoning_content: reasoning });
    expect(wire[2].tool_calls).toHaveLength(1);
    expect(wire[3]).toEqual({ role: 'tool', tool_call_id: 'call_think', content: 'The temperature in Paris is 23.9 °C.' });
  });

  it('explains an unknown tool, arguments that are not JSON, and arguments of the wrong type to the model, and the turn still ends with an answer', async () => {
    mock.enqueue(
      {
        toolCalls: [
          { id: 'call_unknown', name: 'get_weather', arguments: { city: 'Paris' } },
          { id: 'call_badjson', name: 'get_temperature', arguments: '{"city": "Paris"' },
          { id: 'call_wrongtype', name: 'add', arguments: { a: 'one', b: 2 } },
          { id: 'call_good', name: 'get_temperature', arguments: { city: 'Tokyo' } },
        ],
        interleave: true,
        chunkSize: 4,
      },
      { text: 'Tokyo is 73 °F; the other calls failed.' },
    );
    const events = await run(newAgent(), 'Try some tools.');
    expect(final(events)).toMatchObject({ text: 'Tokyo is 73 °F; the other calls failed.', steps: 2 });
    const results = new Map(
      (events.filter((e) => e.type === 'tool_result') as Array<Extract<AgentEvent, { type: 'tool_result' }>>).map((r) => [r.id, r]),
    );
    expect(results.get('call_unknown')?.isError).toBe(true);
    expect(results.get('call_badjson')?.isError).toBe(true);
    expect(results.get('call_wrongtype')?.isError).toBe(true);
    expect(results.get('call_good')?.isError).toBe(false);

    expect(mock.requests).toHaveLength(2);
    const wire = messages(mock.requests[1]);
    const assistant = wire[2];
    expect(assistant.tool_calls.map((c: any) => c.id)).toEqual(['call_unknown', 'call_badjson', 'call_wrongtype', 'call_good']);
    // Providers reject a history with non-JSON arguments: the host sends "{}" in their place.
    expect(assistant.tool_calls[1].function.arguments).toBe('{}');
    const toolMessages = wire.slice(3);
    expect(toolMessages.map((m: any) => [m.role, m.tool_call_id])).toEqual([
      ['tool', 'call_unknown'],
      ['tool', 'call_badjson'],
      ['tool', 'call_wrongtype'],
      ['tool', 'call_good'],
    ]);
    expect(toolMessages[0].content).toContain('there is no tool named "get_weather"');
    for (const name of ['get_temperature', 'echo', 'add', 'sleep']) expect(toolMessages[0].content).toContain(name);
    expect(toolMessages[1].content).toMatch(/Error calling get_temperature: the arguments are not valid JSON/);
    expect(toolMessages[2].content).toMatch(/Error calling add: .*must be number/);
    expect(toolMessages[2].content).toContain('The tool was not run');
    expect(toolMessages[3].content).toBe(TOKYO);
  });

  it('makes exactly N+1 model requests for N tool rounds, keeping call order when a later call finishes first', async () => {
    mock.enqueue(
      {
        toolCalls: [
          // The slow call comes first, so completion order differs from call order.
          { id: 'r1_sleep', name: 'sleep', arguments: { ms: 300 } },
          { id: 'r1_paris', name: 'get_temperature', arguments: { city: 'Paris' } },
        ],
      },
      { toolCalls: [{ id: 'r2_echo', name: 'echo', arguments: { text: 'round two' } }] },
      { toolCalls: [{ id: 'r3_add', name: 'add', arguments: { a: 40, b: 2 } }] },
      { text: 'Done after three rounds.' },
    );
    const agent = newAgent();
    const events = await run(agent, 'Three rounds, please.');
    expect(final(events)).toEqual({ type: 'final', text: 'Done after three rounds.', steps: 4 });
    expect(events.filter((e) => e.type === 'model_request').map((e) => (e as { step: number }).step)).toEqual([1, 2, 3, 4]);
    expect(mock.requests).toHaveLength(4);

    const wire = messages(mock.requests[3]);
    expect(wire.map((m: any) => (m.role === 'tool' ? `tool:${m.tool_call_id}` : m.role))).toEqual([
      'system',
      'user',
      'assistant',
      'tool:r1_sleep',
      'tool:r1_paris',
      'assistant',
      'tool:r2_echo',
      'assistant',
      'tool:r3_add',
    ]);
    expect(wire[3].content).toBe('slept 300 ms');
    expect(wire[4].content).toBe(PARIS);
    expect(wire[6].content).toBe('round two');
    expect(wire[8].content).toBe('42');
    // Each request carries the whole history so far.
    expect(messages(mock.requests[1])).toEqual(wire.slice(0, 5));
    expect(messages(mock.requests[2])).toEqual(wire.slice(0, 7));

    // A plain answer needs one request (N = 0), and the history carries over to the next turn.
    mock.enqueue({ text: 'Nothing to look up.' });
    const second = await run(agent, 'And now?');
    expect(final(second)).toMatchObject({ text: 'Nothing to look up.', steps: 1 });
    expect(mock.requests).toHaveLength(5);
    const next = messages(mock.requests[4]);
    expect(next.slice(0, wire.length)).toEqual(wire);
    expect(next.slice(wire.length)).toEqual([
      { role: 'assistant', content: 'Done after three rounds.' },
      { role: 'user', content: 'And now?' },
    ]);
  });
});
