/**
 * Unit tests of the agent loop's contract (src/agent/loop.ts), with a scripted or
 * in-test model and an in-test ToolExecutor (real servers are covered elsewhere).
 */
import { describe, expect, it } from 'vitest';
import type { AgentEvent } from '../../src/agent/events.js';
import { Agent, type ToolExecutor } from '../../src/agent/loop.js';
import { SwitchboardError } from '../../src/errors.js';
import type { ChatMessage, ChatModel, FunctionTool, ModelReply, ModelRequest, ModelStreamEvent, ToolCall } from '../../src/llm/model.js';
import { ScriptedChatModel, type ScriptedTurn } from '../../src/llm/scripted.js';

type Outcome = { text: string; isError: boolean; server?: string; durationMs: number };
type Handler = (name: string, rawArguments: string, signal?: AbortSignal) => Promise<Outcome> | Outcome;

const fn = (name: string): FunctionTool => ({ type: 'function', function: { name, parameters: { type: 'object', properties: {} } } });

/** A ToolExecutor that records its calls and answers through `handler`. */
class FakeTools implements ToolExecutor {
  readonly functionTools: FunctionTool[];
  readonly routes = new Map<string, { server: string; originalName: string }>();
  readonly calls: Array<{ name: string; rawArguments: string }> = [];

  constructor(
    tools: Record<string, { server: string; originalName: string }>,
    private readonly handler: Handler = (name) => ({ text: `${name} ok`, isError: false, server: tools[name]?.server, durationMs: 1 }),
  ) {
    for (const [name, owner] of Object.entries(tools)) this.routes.set(name, owner);
    this.functionTools = Object.keys(tools).map(fn);
  }

  async call(exposedName: string, rawArguments: string, signal?: AbortSignal): Promise<Outcome> {
    this.calls.push({ name: exposedName, rawArguments });
    if (!this.routes.has(exposedName)) return { text: `Unknown tool "${exposedName}".`, isError: true, durationMs: 0 };
    return this.handler(exposedName, rawArguments, signal);
  }
}

/** A model that plays replies (or functions of the request) and records every request. */
class ListModel implements ChatModel {
  readonly description = 'list model (test)';
  readonly requests: ChatMessage[][] = [];
  constructor(private readonly next: (request: ModelRequest, index: number) => Partial<ModelReply>) {}

  async *stream(request: ModelRequest): AsyncIterable<ModelStreamEvent> {
    this.requests.push(structuredClone([...request.messages]));
    const partial = this.next(request, this.requests.length - 1);
    const reply: ModelReply = { text: '', toolCalls: [], finishReason: partial.toolCalls?.length ? 'tool_calls' : 'stop', ...partial };
    if (reply.text) yield { type: 'text_delta', text: reply.text };
    yield { type: 'reply', reply };
  }
}

const toolCall = (id: string, name: string, args: unknown = {}): ToolCall => ({ id, name, arguments: typeof args === 'string' ? args : JSON.stringify(args) });

async function collect(stream: AsyncIterable<AgentEvent>): Promise<AgentEvent[]> {
  const events: AgentEvent[] = [];
  for await (const event of stream) events.push(event);
  return events;
}

/** Every tool call in the history has exactly one tool message, after its assistant message. */
function expectEveryCallAnswered(history: readonly ChatMessage[]): void {
  history.forEach((message, i) => {
    if (message.role !== 'assistant') return;
    for (const c of message.toolCalls ?? []) {
      const answers = history.filter((m) => m.role === 'tool' && m.toolCallId === c.id);
      expect(answers, `tool messages for ${c.id}`).toHaveLength(1);
      expect(history.indexOf(answers[0]!)).toBeGreaterThan(i);
    }
  });
  for (const message of history) {
    if (message.role !== 'tool') continue;
    const asked = history.some((m) => m.role === 'assistant' && m.toolCalls?.some((c) => c.id === message.toolCallId));
    expect(asked, `tool message ${message.toolCallId} answers a call`).toBe(true);
  }
}

const temperatureTools = () => new FakeTools({ get_temperature: { server: 'temperature', originalName: 'get_temperature' } }, () => ({ text: '72 °F', isError: false, server: 'temperature', durationMs: 3 }));

describe('Agent: one tool round', () => {
  it('yields model_request, tool_call, tool_result, final in order and builds the history', async () => {
    const turns: ScriptedTurn[] = [
      { toolCalls: [{ id: 'call_1', name: 'get_temperature', arguments: { city: 'San Francisco' } }], text: '' },
      { text: 'It is {{last_tool_result}} in San Francisco.' },
    ];
    const tools = temperatureTools();
    const agent = new Agent({ model: new ScriptedChatModel(turns, 'test'), tools, system: 'You are terse.', maxSteps: 5 });
    const events = await collect(agent.send('What is the temperature in San Francisco?'));

    const main = events.filter((e) => ['model_request', 'tool_call', 'tool_result', 'final', 'stopped'].includes(e.type));
    expect(main.map((e) => e.type)).toEqual(['model_request', 'tool_call', 'tool_result', 'model_request', 'final']);
    expect(main[0]).toEqual({ type: 'model_request', step: 1, maxSteps: 5 });
    expect(main[1]).toEqual({ type: 'tool_call', id: 'call_1', name: 'get_temperature', server: 'temperature', originalName: 'get_temperature', arguments: { city: 'San Francisco' } });
    expect(main[2]).toMatchObject({ type: 'tool_result', id: 'call_1', name: 'get_temperature', server: 'temperature', text: '72 °F', isError: false });
    expect(main[3]).toEqual({ type: 'model_request', step: 2, maxSteps: 5 });
    expect(main[4]).toEqual({ type: 'final', text: 'It is 72 °F in San Francisco.', steps: 2 });

    expect(tools.calls).toEqual([{ name: 'get_temperature', rawArguments: '{"city":"San Francisco"}' }]);
    expect(agent.history).toEqual([
      { role: 'system', content: 'You are terse.' },
      { role: 'user', content: 'What is the temperature in San Francisco?' },
      { role: 'assistant', content: '', toolCalls: [{ id: 'call_1', name: 'get_temperature', arguments: '{"city":"San Francisco"}' }] },
      { role: 'tool', toolCallId: 'call_1', name: 'get_temperature', content: '72 °F' },
      { role: 'assistant', content: 'It is 72 °F in San Francisco.' },
    ]);
  });

  it('sends the tools and the growing history to the model', async () => {
    const tools = temperatureTools();
    const model = new ListModel((_, i) => (i === 0 ? { toolCalls: [toolCall('c1', 'get_temperature', { city: 'Paris' })] } : { text: 'done' }));
    const seenTools: Array<readonly FunctionTool[]> = [];
    const spy: ChatModel = { description: 'spy', stream: (request) => (seenTools.push(request.tools), model.stream(request)) };
    await collect(new Agent({ model: spy, tools, maxSteps: 3 }).send('hi'));
    expect(seenTools).toEqual([tools.functionTools, tools.functionTools]);
    expect(model.requests[0]!.map((m) => m.role)).toEqual(['user']);
    expect(model.requests[1]!.map((m) => m.role)).toEqual(['user', 'assistant', 'tool']);
  });

  it('passes a tool call\'s unparseable arguments through as raw text in the event', async () => {
    const tools = temperatureTools();
    const model = new ListModel((_, i) => (i === 0 ? { toolCalls: [toolCall('c1', 'get_temperature', '{"city": Paris')] } : { text: 'ok' }));
    const events = await collect(new Agent({ model, tools, maxSteps: 3 }).send('hi'));
    expect(events.find((e) => e.type === 'tool_call')).toMatchObject({ arguments: '{"city": Paris' });
    expect(tools.calls[0]!.rawArguments).toBe('{"city": Paris');
  });
});

describe('Agent: several calls in one reply', () => {
  it('runs them concurrently and appends tool messages in call order, even when they finish in reverse', async () => {
    const log: string[] = [];
    const waiting: Array<() => void> = [];
    const handler: Handler = (_name, raw) =>
      new Promise<Outcome>((resolve) => {
        const city = (JSON.parse(raw) as { city: string }).city;
        log.push(`start ${city}`);
        waiting.push(() => {
          log.push(`finish ${city}`);
          resolve({ text: `${city}: 70 °F`, isError: false, server: 'temperature', durationMs: 100 });
        });
        if (waiting.length === 3) {
          // Every call has started: finish them in reverse order, one per macrotask.
          const release = () => {
            const next = waiting.pop();
            if (next) {
              next();
              setTimeout(release, 5);
            }
          };
          setTimeout(release, 5);
        }
      });
    // A safety net so a loop that runs calls one by one fails an assertion instead of hanging.
    const safety = setTimeout(() => {
      while (waiting.length) waiting.shift()!();
    }, 2_000);

    const tools = new FakeTools({ get_temperature: { server: 'temperature', originalName: 'get_temperature' } }, handler);
    const model = new ListModel((_, i) =>
      i === 0
        ? { toolCalls: [toolCall('a', 'get_temperature', { city: 'Paris' }), toolCall('b', 'get_temperature', { city: 'Tokyo' }), toolCall('c', 'get_temperature', { city: 'Lima' })] }
        : { text: 'All three fetched.' },
    );
    const agent = new Agent({ model, tools, maxSteps: 5 });
    const events = await collect(agent.send('Temperatures in Paris, Tokyo and Lima?'));
    clearTimeout(safety);

    expect(log).toEqual(['start Paris', 'start Tokyo', 'start Lima', 'finish Lima', 'finish Tokyo', 'finish Paris']);
    // Calls announced in call order, results reported as they complete.
    expect(events.filter((e) => e.type === 'tool_call').map((e) => (e as { id: string }).id)).toEqual(['a', 'b', 'c']);
    expect(events.filter((e) => e.type === 'tool_result').map((e) => (e as { id: string }).id)).toEqual(['c', 'b', 'a']);
    // The history keeps call order.
    const toolMessages = agent.history.filter((m): m is Extract<ChatMessage, { role: 'tool' }> => m.role === 'tool');
    expect(toolMessages.map((m) => [m.toolCallId, m.content])).toEqual([
      ['a', 'Paris: 70 °F'],
      ['b', 'Tokyo: 70 °F'],
      ['c', 'Lima: 70 °F'],
    ]);
    expect(events.at(-1)).toMatchObject({ type: 'final', text: 'All three fetched.' });
  });

  it('gives an unknown tool and a failing tool exactly one tool message each', async () => {
    const tools = new FakeTools({ flaky: { server: 'misc', originalName: 'flaky' }, fine: { server: 'misc', originalName: 'fine' } }, (name) =>
      name === 'flaky' ? { text: 'Error: the disk is on fire', isError: true, server: 'misc', durationMs: 2 } : { text: 'fine result', isError: false, server: 'misc', durationMs: 2 },
    );
    const model = new ListModel((_, i) =>
      i === 0 ? { toolCalls: [toolCall('u1', 'no_such_tool'), toolCall('f1', 'flaky'), toolCall('g1', 'fine')] } : { text: 'Some tools failed.' },
    );
    const agent = new Agent({ model, tools, maxSteps: 5 });
    const events = await collect(agent.send('go'));

    expectEveryCallAnswered(agent.history);
    const toolMessages = agent.history.filter((m) => m.role === 'tool');
    expect(toolMessages).toEqual([
      { role: 'tool', toolCallId: 'u1', name: 'no_such_tool', content: 'Unknown tool "no_such_tool".' },
      { role: 'tool', toolCallId: 'f1', name: 'flaky', content: 'Error: the disk is on fire' },
      { role: 'tool', toolCallId: 'g1', name: 'fine', content: 'fine result' },
    ]);
    const unknownCall = events.find((e) => e.type === 'tool_call' && e.id === 'u1');
    expect(unknownCall).not.toHaveProperty('server');
    const results = events.filter((e) => e.type === 'tool_result');
    expect(results).toHaveLength(3);
    expect(results.find((e) => e.type === 'tool_result' && e.id === 'f1')).toMatchObject({ isError: true });
    expect(events.at(-1)).toMatchObject({ type: 'final' });
    // The model saw the failures.
    expect(model.requests[1]!.filter((m) => m.role === 'tool')).toHaveLength(3);
  });
});

describe('Agent: stopping', () => {
  it('stops with max_steps after exactly maxSteps model calls when the model always calls a tool', async () => {
    const tools = temperatureTools();
    const model = new ListModel((_, i) => ({ toolCalls: [toolCall(`c${i}`, 'get_temperature', { city: `City ${i}` })] }));
    const agent = new Agent({ model, tools, maxSteps: 4 });
    const events = await collect(agent.send('loop forever'));

    expect(model.requests).toHaveLength(4);
    expect(events.filter((e) => e.type === 'model_request')).toHaveLength(4);
    const last = events.at(-1);
    expect(last).toMatchObject({ type: 'stopped', reason: 'max_steps', steps: 4 });
    expect(events.some((e) => e.type === 'final')).toBe(false);
    expect((last as { message: string }).message).toMatch(/4/);
    expectEveryCallAnswered(agent.history);
  });

  it('stops with repeated_failure when the same call fails three times in a row', async () => {
    const tools = new FakeTools({ read_file: { server: 'fs', originalName: 'read_file' } }, () => ({ text: 'ENOENT: no such file\nstack...', isError: true, server: 'fs', durationMs: 1 }));
    // Same arguments, written with different key order and spacing.
    const variants = ['{"path":"/x","encoding":"utf8"}', '{"encoding": "utf8", "path": "/x"}', '{ "path": "/x", "encoding": "utf8" }'];
    const model = new ListModel((_, i) => ({ toolCalls: [toolCall(`r${i}`, 'read_file', variants[i % 3]!)] }));
    const agent = new Agent({ model, tools, maxSteps: 10 });
    const events = await collect(agent.send('read /x'));

    expect(model.requests).toHaveLength(3);
    const last = events.at(-1);
    expect(last).toMatchObject({ type: 'stopped', reason: 'repeated_failure', steps: 3 });
    expect((last as { message: string }).message).toContain('read_file');
    expect((last as { message: string }).message).toContain('ENOENT');
    expectEveryCallAnswered(agent.history);
  });

  it('does not stop when failures of the same call are broken by a success', async () => {
    let n = 0;
    const tools = new FakeTools({ t: { server: 's', originalName: 't' } }, () => {
      n++;
      return n === 3 ? { text: 'worked', isError: false, durationMs: 1 } : { text: 'failed', isError: true, durationMs: 1 };
    });
    const model = new ListModel((_, i) => (i < 5 ? { toolCalls: [toolCall(`t${i}`, 't', { same: true })] } : { text: 'finally' }));
    const events = await collect(new Agent({ model, tools, maxSteps: 10 }).send('go'));
    expect(events.at(-1)).toMatchObject({ type: 'final', text: 'finally', steps: 6 });
  });

  it('does not stop for failing calls with different arguments', async () => {
    const tools = new FakeTools({ t: { server: 's', originalName: 't' } }, () => ({ text: 'failed', isError: true, durationMs: 1 }));
    const model = new ListModel((_, i) => (i < 4 ? { toolCalls: [toolCall(`t${i}`, 't', { attempt: i })] } : { text: 'gave up' }));
    const events = await collect(new Agent({ model, tools, maxSteps: 10 }).send('go'));
    expect(events.at(-1)).toMatchObject({ type: 'final', text: 'gave up' });
  });

  it('asks again once after an empty reply', async () => {
    const model = new ListModel((_, i) => (i === 0 ? { text: '  ' } : { text: 'Here you go.' }));
    const agent = new Agent({ model, tools: temperatureTools(), maxSteps: 5 });
    const events = await collect(agent.send('hello'));
    expect(model.requests).toHaveLength(2);
    expect(events.some((e) => e.type === 'notice')).toBe(true);
    expect(events.at(-1)).toEqual({ type: 'final', text: 'Here you go.', steps: 2 });
    // The empty reply is not kept in the history.
    expect(agent.history).toEqual([
      { role: 'user', content: 'hello' },
      { role: 'assistant', content: 'Here you go.' },
    ]);
  });

  it('stops with empty_reply after two empty replies in a row', async () => {
    const model = new ListModel(() => ({ text: '' }));
    const events = await collect(new Agent({ model, tools: temperatureTools(), maxSteps: 5 }).send('hello'));
    expect(model.requests).toHaveLength(2);
    expect(events.at(-1)).toMatchObject({ type: 'stopped', reason: 'empty_reply', steps: 2 });
  });

  it('re-asks an empty reply that follows a tool round even if an earlier reply was empty (not twice in a row)', async () => {
    // empty -> re-ask -> tool call -> empty -> re-ask -> answer
    const replies: Array<Partial<ModelReply>> = [{ text: '' }, { toolCalls: [toolCall('c1', 'get_temperature', { city: 'Paris' })] }, { text: '' }, { text: 'It is 72 °F.' }];
    const model = new ListModel((_, i) => replies[i] ?? { text: 'extra' });
    const events = await collect(new Agent({ model, tools: temperatureTools(), maxSteps: 10 }).send('hello'));
    expect(events.at(-1)).toMatchObject({ type: 'final', text: 'It is 72 °F.' });
  });
});

describe('Agent: history', () => {
  it('keeps the history across two send() calls, and clear() keeps only the system prompt', async () => {
    const turns: ScriptedTurn[] = [
      { toolCalls: [{ id: 'c1', name: 'get_temperature', arguments: { city: 'Paris' } }], text: '' },
      { text: 'Paris: {{last_tool_result}}' },
      { text: 'You asked about Paris.' },
      { text: 'Fresh start.' },
    ];
    const model = new ScriptedChatModel(turns, 'test');
    const requests: Array<readonly ChatMessage[]> = [];
    const spy: ChatModel = { description: 'spy', stream: (request) => (requests.push([...request.messages]), model.stream(request)) };
    const agent = new Agent({ model: spy, tools: temperatureTools(), system: 'sys', maxSteps: 5 });

    await collect(agent.send('Temperature in Paris?'));
    const second = await collect(agent.send('What did I ask?'));
    expect(second.at(-1)).toEqual({ type: 'final', text: 'You asked about Paris.', steps: 1 });
    expect(requests[2]!.map((m) => m.role)).toEqual(['system', 'user', 'assistant', 'tool', 'assistant', 'user']);
    expect(agent.history.map((m) => m.role)).toEqual(['system', 'user', 'assistant', 'tool', 'assistant', 'user', 'assistant']);
    expect(agent.history[1]).toEqual({ role: 'user', content: 'Temperature in Paris?' });

    agent.clear();
    expect(agent.history).toEqual([{ role: 'system', content: 'sys' }]);
    await collect(agent.send('Hi again'));
    expect(requests[3]).toEqual([
      { role: 'system', content: 'sys' },
      { role: 'user', content: 'Hi again' },
    ]);
  });

  it('keeps the reasoning on the assistant message with tool calls and sends it back', async () => {
    const turns: ScriptedTurn[] = [
      { reasoning: 'I should call the temperature tool.', toolCalls: [{ id: 'c1', name: 'get_temperature', arguments: { city: 'Tokyo' } }], text: '' },
      { text: 'Tokyo is warm.' },
    ];
    const model = new ScriptedChatModel(turns, 'test');
    const requests: Array<readonly ChatMessage[]> = [];
    const spy: ChatModel = { description: 'spy', stream: (request) => (requests.push([...request.messages]), model.stream(request)) };
    const agent = new Agent({ model: spy, tools: temperatureTools(), maxSteps: 5 });
    const events = await collect(agent.send('Tokyo?'));

    expect(events).toContainEqual({ type: 'reasoning_delta', text: 'I should call the temperature tool.' });
    const withCalls = agent.history.find((m) => m.role === 'assistant' && m.toolCalls?.length);
    expect(withCalls).toMatchObject({ role: 'assistant', reasoning: 'I should call the temperature tool.' });
    expect(requests[1]!.find((m) => m.role === 'assistant')).toMatchObject({ reasoning: 'I should call the temperature tool.' });
  });

  it('trims old exchanges when a context budget is set, and says so', async () => {
    const big = 'x'.repeat(4000);
    const model = new ListModel((_, i) => ({ text: i === 0 ? big : 'short' }));
    const agent = new Agent({ model, tools: new FakeTools({}), system: 'sys', maxSteps: 3, maxContextTokens: 300 });
    await collect(agent.send('first'));
    const events = await collect(agent.send('second'));
    expect(events.find((e) => e.type === 'history_trimmed')).toMatchObject({ droppedMessages: 2, budgetTokens: 300 });
    expect(model.requests[1]).toEqual([
      { role: 'system', content: 'sys' },
      { role: 'user', content: 'second' },
    ]);
  });
});

describe('Agent: interrupts', () => {
  it('throws INTERRUPTED after a tool round aborted midway, with a tool message for every call made', async () => {
    const controller = new AbortController();
    const tools = new FakeTools(
      { fast: { server: 's', originalName: 'fast' }, slow: { server: 's', originalName: 'slow' } },
      (name, _raw, signal) =>
        name === 'fast'
          ? { text: 'fast done', isError: false, durationMs: 1 }
          : new Promise<Outcome>((resolve) => {
              // Like the hub: an aborted call resolves with an error outcome, it does not throw.
              const done = () => resolve({ text: 'The call was cancelled.', isError: true, durationMs: 5 });
              if (signal?.aborted) done();
              else signal?.addEventListener('abort', done, { once: true });
            }),
    );
    const model = new ListModel((_, i) => (i === 0 ? { toolCalls: [toolCall('s1', 'slow'), toolCall('f1', 'fast')] } : { text: 'should not be reached' }));
    const agent = new Agent({ model, tools, maxSteps: 5 });

    const events: AgentEvent[] = [];
    let thrown: unknown;
    try {
      for await (const event of agent.send('go', controller.signal)) {
        events.push(event);
        if (event.type === 'tool_result' && event.id === 'f1') controller.abort(); // Ctrl+C while `slow` runs
      }
    } catch (error) {
      thrown = error;
    }

    expect(thrown).toBeInstanceOf(SwitchboardError);
    expect((thrown as SwitchboardError).code).toBe('INTERRUPTED');
    expect(model.requests).toHaveLength(1);
    expect(events.some((e) => e.type === 'final' || e.type === 'stopped')).toBe(false);
    // Every call made got its result before the loop stopped (the aborted one, cancelled)...
    expect(events.filter((e) => e.type === 'tool_result').map((e) => (e as { id: string }).id)).toEqual(['f1', 's1']);
    // ...and the interrupted turn is rolled back whole: the user may simply send it again.
    expectEveryCallAnswered(agent.history);
    expect(agent.history).toEqual([]);
  });

  it('throws INTERRUPTED without calling the model when the signal is already aborted', async () => {
    const controller = new AbortController();
    controller.abort();
    const model = new ListModel(() => ({ text: 'never' }));
    const agent = new Agent({ model, tools: temperatureTools(), maxSteps: 5 });
    await expect(collect(agent.send('go', controller.signal))).rejects.toMatchObject({ name: 'SwitchboardError', code: 'INTERRUPTED' });
    expect(model.requests).toHaveLength(0);
  });

  it('throws when the model stream ends without a reply', async () => {
    const broken: ChatModel = {
      description: 'broken',
      async *stream() {
        yield { type: 'text_delta', text: 'partial' };
      },
    };
    const agent = new Agent({ model: broken, tools: temperatureTools(), maxSteps: 5 });
    await expect(collect(agent.send('go'))).rejects.toMatchObject({ code: 'MODEL_REQUEST' });
  });
});

describe('Agent: tool progress and the event queue', () => {
  it('turns progress callbacks into tool_progress events while calls run, interleaved across calls, each before its result', async () => {
    type Progress = { progress: number; total?: number; message?: string };
    const tools = new FakeTools({ a: { server: 'sa', originalName: 'a' }, b: { server: 'sb', originalName: 'b' } });
    // Progress reporters the test drives by hand: the order of events is the order of the test's steps.
    const reporters = new Map<string, { report: (p: Progress) => void; finish: () => void }>();
    tools.call = (name: string, _raw: string, _signal?: AbortSignal, onProgress?: (p: Progress) => void) =>
      new Promise<Outcome>((resolve) => {
        reporters.set(name, { report: (p) => onProgress?.(p), finish: () => resolve({ text: `${name} done`, isError: false, server: `s${name}`, durationMs: 1 }) });
      });
    const model = new ListModel((_, i) => (i === 0 ? { toolCalls: [toolCall('ca', 'a'), toolCall('cb', 'b')] } : { text: 'ok' }));
    const agent = new Agent({ model, tools, maxSteps: 3 });
    const seen: string[] = [];
    for await (const event of agent.send('go')) {
      if (event.type === 'tool_progress') seen.push(`progress ${event.id} ${event.progress}/${event.total ?? '-'} ${event.message ?? ''}`.trim());
      if (event.type === 'tool_result') seen.push(`result ${event.id}`);
      if (event.type === 'tool_call' && event.id === 'cb') {
        // A timer runs after every pending microtask: by then both calls have started.
        setTimeout(() => {
          reporters.get('a')!.report({ progress: 1, total: 2 });
          reporters.get('b')!.report({ progress: 5, message: 'halfway' });
          reporters.get('a')!.report({ progress: 2, total: 2 });
          reporters.get('a')!.finish();
          setTimeout(() => {
            reporters.get('a')!.report({ progress: 3, total: 2 }); // after its result: dropped
            reporters.get('b')!.finish();
          }, 0);
        }, 0);
      }
    }
    expect(seen).toEqual(['progress ca 1/2', 'progress cb 5/- halfway', 'progress ca 2/2', 'result ca', 'result cb']);
  });

  it('runs many concurrent calls to completion with every result exactly once', async () => {
    const n = 500;
    const tools = new FakeTools({ t: { server: 's', originalName: 't' } }, async (_name, raw) => {
      await new Promise((r) => setTimeout(r, Number(JSON.parse(raw).i) % 7));
      return { text: raw, isError: false, durationMs: 0 };
    });
    const calls = Array.from({ length: n }, (_, i) => toolCall(`c${i}`, 't', { i }));
    const model = new ListModel((_, i) => (i === 0 ? { toolCalls: calls } : { text: 'ok' }));
    const agent = new Agent({ model, tools, maxSteps: 3, maxToolCallsPerReply: n });
    const events = await collect(agent.send('go'));
    const results = events.filter((e) => e.type === 'tool_result').map((e) => (e as { id: string }).id);
    expect(new Set(results).size).toBe(n);
    expect(results).toHaveLength(n);
    // The history keeps call order.
    expect(agent.history.filter((m) => m.role === 'tool').map((m) => (m as { toolCallId: string }).toolCallId)).toEqual(calls.map((c) => c.id));
  });
});

describe('Agent: truncated answers', () => {
  it('marks the final event truncated when the model ran out of output tokens', async () => {
    const model = new ListModel(() => ({ text: 'cut he', finishReason: 'length' }));
    const agent = new Agent({ model, tools: temperatureTools(), maxSteps: 3 });
    const events = await collect(agent.send('go'));
    expect(events.at(-1)).toEqual({ type: 'final', text: 'cut he', steps: 1, truncated: true });
  });
});

describe('Agent: limits on the calls of one reply', () => {
  /** A ToolExecutor whose calls end only when the test says so, recording starts and ends in order. */
  function gatedTools() {
    const log: string[] = [];
    const pending = new Map<string, () => void>();
    let running = 0;
    let most = 0;
    const tools = new FakeTools({ t: { server: 's', originalName: 't' } }, (_name, raw) => {
      const id = String(JSON.parse(raw).i);
      running++;
      most = Math.max(most, running);
      log.push(`start ${id}`);
      return new Promise<Outcome>((resolve) =>
        pending.set(id, () => {
          running--;
          log.push(`end ${id}`);
          resolve({ text: `done ${id}`, isError: false, durationMs: 0 });
        }),
      );
    });
    return { tools, log, pending, most: () => most };
  }

  it('runs at most maxParallelToolCalls at once, starting the next waiting call (in call order) when one ends', async () => {
    const { tools, log, pending, most } = gatedTools();
    const calls = Array.from({ length: 5 }, (_, i) => toolCall(`c${i}`, 't', { i }));
    const model = new ListModel((_, i) => (i === 0 ? { toolCalls: calls } : { text: 'ok' }));
    const agent = new Agent({ model, tools, maxSteps: 3, maxParallelToolCalls: 2 });
    const run = collect(agent.send('go'));
    const settle = () => new Promise((r) => setImmediate(r));
    await settle();
    expect(log).toEqual(['start 0', 'start 1']);
    pending.get('1')!();
    await settle();
    expect(log).toEqual(['start 0', 'start 1', 'end 1', 'start 2']);
    pending.get('0')!();
    await settle();
    pending.get('2')!();
    await settle();
    expect(log.slice(4)).toEqual(['end 0', 'start 3', 'end 2', 'start 4']);
    for (const id of ['4', '3']) pending.get(id)!();
    const events = await run;
    expect(most()).toBe(2);
    expect(events.at(-1)).toMatchObject({ type: 'final', text: 'ok' });
    expect(agent.history.filter((m) => m.role === 'tool').map((m) => m.content)).toEqual(['done 0', 'done 1', 'done 2', 'done 3', 'done 4']);
  });

  it('answers calls past maxToolCallsPerReply with an error naming the limit, without running them, and says so once', async () => {
    const tools = new FakeTools({ t: { server: 's', originalName: 't' } });
    const calls = Array.from({ length: 10 }, (_, i) => toolCall(`c${i}`, 't', { i }));
    const model = new ListModel((_, i) => (i === 0 ? { toolCalls: calls } : { text: 'ok' }));
    const agent = new Agent({ model, tools, maxSteps: 3, maxToolCallsPerReply: 4 });
    const events = await collect(agent.send('go'));
    expect(tools.calls).toHaveLength(4);
    expect(events.filter((e) => e.type === 'tool_call').map((e) => (e as { id: string }).id)).toEqual(['c0', 'c1', 'c2', 'c3']);
    expect(events.filter((e) => e.type === 'notice')).toEqual([{ type: 'notice', message: expect.stringMatching(/10 tool calls in one reply; the first 4 run \(maxToolCallsPerReply\), the other 6/) }]);
    expectEveryCallAnswered(agent.history);
    const toolMessages = agent.history.filter((m) => m.role === 'tool');
    expect(toolMessages.map((m) => m.toolCallId)).toEqual(calls.map((c) => c.id));
    for (const m of toolMessages.slice(4)) expect(m.content).toMatch(/not run\. This reply asked for 10 tool calls; at most 4 run per reply/);
    // The model's next request carries them all, in call order.
    expect(model.requests[1]!.filter((m) => m.role === 'tool')).toHaveLength(10);
  });

  it('calls refused by the limit do not count as repeated failures of the same call', async () => {
    const tools = new FakeTools({ t: { server: 's', originalName: 't' } });
    const calls = [toolCall('a', 't', { i: 0 }), toolCall('b', 't', { same: true })];
    let step = 0;
    const model = new ListModel(() => (++step <= 3 ? { toolCalls: calls.map((c) => ({ ...c, id: `${c.id}${step}` })) } : { text: 'ok' }));
    const agent = new Agent({ model, tools, maxSteps: 5, maxToolCallsPerReply: 1 });
    const events = await collect(agent.send('go'));
    expect(events.at(-1)).toMatchObject({ type: 'final', text: 'ok' });
  });

  it('gives a tool_call event the raw text of arguments nested deeper than 256 levels, and survives a repeated failure check on them', async () => {
    const deep = `{"x":${'['.repeat(5000)}${']'.repeat(5000)}}`;
    const tools = new FakeTools({ t: { server: 's', originalName: 't' } }, () => ({ text: 'Error: too deep', isError: true, durationMs: 0 }));
    const model = new ListModel((_, i) => (i < 3 ? { toolCalls: [toolCall(`c${i}`, 't', deep)] } : { text: 'ok' }));
    const agent = new Agent({ model, tools, maxSteps: 5 });
    const events = await collect(agent.send('go'));
    expect(events.find((e) => e.type === 'tool_call')).toMatchObject({ arguments: deep });
    expect(events.at(-1)).toMatchObject({ type: 'stopped', reason: 'repeated_failure' });
  });
});

describe('Agent: usage events', () => {
  it('one per model call (the provider\'s counts, else estimated) and one for the turn, right before final', async () => {
    const model = new ListModel((_request, index) =>
      index === 0
        ? { toolCalls: [toolCall('c1', 'get_temperature'), toolCall('c2', 'get_temperature')], usage: { promptTokens: 100, completionTokens: 10 } }
        : { text: 'Done.' },
    );
    const events = await collect(new Agent({ model, tools: temperatureTools(), maxSteps: 5 }).send('Hi'));
    const usage = events.filter((e) => e.type === 'usage');
    expect(usage[0]).toEqual({ type: 'usage', scope: 'call', step: 1, promptTokens: 100, completionTokens: 10, estimated: false });
    expect(usage[1]).toMatchObject({ type: 'usage', scope: 'call', step: 2, estimated: true });
    const second = usage[1] as Extract<AgentEvent, { type: 'usage'; scope: 'call' }>;
    expect(second.promptTokens).toBeGreaterThan(0);
    expect(second.completionTokens).toBeGreaterThan(0);
    expect(usage[2]).toMatchObject({ type: 'usage', scope: 'turn', modelCalls: 2, toolCalls: 2, promptTokens: 100 + second.promptTokens, completionTokens: 10 + second.completionTokens, estimated: true });
    expect(events.at(-2)).toBe(usage[2]);
    expect(events.at(-1)?.type).toBe('final');
  });

  it('a turn that stops (max steps) also ends with its usage before the stop', async () => {
    const model = new ListModel(() => ({ toolCalls: [toolCall('c', 'get_temperature')], usage: { promptTokens: 5, completionTokens: 1 } }));
    const events = await collect(new Agent({ model, tools: temperatureTools(), maxSteps: 2 }).send('Hi'));
    expect(events.at(-2)).toMatchObject({ type: 'usage', scope: 'turn', modelCalls: 2, toolCalls: 2, promptTokens: 10, completionTokens: 2, estimated: false });
    expect(events.at(-1)).toMatchObject({ type: 'stopped', reason: 'max_steps' });
  });
});

describe('tools that change while a request is out (servers starting behind cached listings)', () => {
  /** Tools whose list the test swaps, telling watchers; `starting` servers are waited for via `release`. */
  class ChangingTools implements ToolExecutor {
    private readonly watchers = new Set<() => void>();
    functionTools: FunctionTool[];
    readonly routes = new Map<string, { server: string; originalName: string }>();
    readonly calls: Array<{ name: string }> = [];
    starting: string[] = [];
    release!: () => void;
    private readonly settledPromise = new Promise<void>((resolve) => (this.release = resolve));
    constructor(tools: Record<string, { server: string; originalName: string }>) {
      for (const [name, owner] of Object.entries(tools)) this.routes.set(name, owner);
      this.functionTools = Object.keys(tools).map(fn);
    }
    async call(name: string): Promise<Outcome> {
      this.calls.push({ name });
      return { text: `${name} ok`, isError: false, durationMs: 1 };
    }
    change(tools: FunctionTool[], routes: Record<string, { server: string; originalName: string }>): void {
      this.functionTools = tools;
      for (const [name, owner] of Object.entries(routes)) this.routes.set(name, owner);
      for (const watcher of this.watchers) watcher();
    }
    watchTools(listener: () => void): () => void {
      this.watchers.add(listener);
      return () => this.watchers.delete(listener);
    }
    startingServers(): string[] {
      return this.starting;
    }
    serversSettled(): Promise<void> {
      return this.settledPromise.then(() => {
        this.starting = [];
      });
    }
  }

  it('a change during the request cancels it and sends it again with the fresh tools; not a step of the budget', async () => {
    const tools = new ChangingTools({ echo: { server: 's', originalName: 'echo' } });
    const seen: string[][] = [];
    const model: ChatModel = {
      description: 'test',
      async *stream(request) {
        seen.push(request.tools.map((t) => t.function.name));
        if (seen.length === 1) {
          tools.change([fn('echo'), fn('add')], { add: { server: 's', originalName: 'add' } });
          // The host aborts the request: an aborted HTTP request throws.
          if (request.signal?.aborted) throw new SwitchboardError('INTERRUPTED', 'The model request was interrupted.');
        }
        yield { type: 'reply', reply: { text: 'done', toolCalls: [], finishReason: 'stop' } };
      },
    };
    const agent = new Agent({ model, tools, maxSteps: 1 });
    const events = await collect(agent.send('hi'));
    expect(seen).toEqual([['echo'], ['echo', 'add']]);
    expect(events.map((e) => e.type).filter((type) => type !== 'usage')).toEqual(['model_request', 'model_resend', 'final']);
    expect(events[1]).toMatchObject({ type: 'model_resend', step: 1, resent: 1 });
  });

  it('nothing changed: one request, no resend', async () => {
    const tools = new ChangingTools({ echo: { server: 's', originalName: 'echo' } });
    const model = new ListModel(() => {
      tools.change([fn('echo')], {}); // a rebuild with the same tools
      return { text: 'done' };
    });
    const events = await collect(new Agent({ model, tools, maxSteps: 3 }).send('hi'));
    expect(model.requests).toHaveLength(1);
    expect(events.map((e) => e.type).filter((type) => type !== 'usage')).toEqual(['model_request', 'text_delta', 'final']);
  });

  it('a tool call for a server still starting waits for it; if the tools changed meanwhile the reply is set aside and the request sent again', async () => {
    const tools = new ChangingTools({ echo: { server: 's', originalName: 'echo' } });
    tools.starting = ['s'];
    const model = new ListModel((_request, index) => (index === 0 ? { toolCalls: [toolCall('c1', 'echo')] } : index === 1 ? { toolCalls: [toolCall('c2', 'add')] } : { text: 'done' }));
    const events: AgentEvent[] = [];
    const run = (async () => {
      for await (const event of new Agent({ model, tools, maxSteps: 5 }).send('hi')) {
        events.push(event);
        if (event.type === 'tool_wait') {
          expect(tools.calls).toEqual([]); // nothing runs before the server is up
          tools.change([fn('echo'), fn('add')], { add: { server: 's', originalName: 'add' } });
          tools.release();
        }
      }
    })();
    await run;
    expect(events.map((e) => e.type).filter((type) => type !== 'usage')).toEqual(['model_request', 'tool_wait', 'model_resend', 'tool_call', 'tool_result', 'model_request', 'text_delta', 'final']);
    expect(tools.calls.map((c) => c.name)).toEqual(['add']);
  });

  it('Ctrl+C while waiting for a starting server ends the turn (INTERRUPTED)', async () => {
    const tools = new ChangingTools({ echo: { server: 's', originalName: 'echo' } });
    tools.starting = ['s'];
    const controller = new AbortController();
    const model = new ListModel(() => ({ toolCalls: [toolCall('c1', 'echo')] }));
    const agent = new Agent({ model, tools, maxSteps: 5 });
    const seen: string[] = [];
    await expect(
      (async () => {
        for await (const event of agent.send('hi', controller.signal)) {
          seen.push(event.type);
          if (event.type === 'tool_wait') controller.abort();
        }
      })(),
    ).rejects.toMatchObject({ code: 'INTERRUPTED' });
    expect(seen).toEqual(['model_request', 'tool_wait']);
    expect(tools.calls).toEqual([]);
  });
});

describe('Agent usage, model switch and restore (for the REPL and --resume)', () => {
  it('adds up reported usage per model call, estimates the calls without it, and says how many were estimated', async () => {
    const tools = new FakeTools({ t: { server: 's', originalName: 't' } });
    const model = new ListModel((_, i) => (i === 0 ? { toolCalls: [toolCall('c1', 't')], usage: { promptTokens: 100, completionTokens: 7 } } : { text: 'done' }));
    const agent = new Agent({ model, tools, maxSteps: 5 });
    expect(agent.usage).toEqual({ modelCalls: 0, promptTokens: 0, completionTokens: 0, estimatedCalls: 0, samplingCalls: 0 });
    await collect(agent.send('go'));
    const usage = agent.usage;
    expect(usage.modelCalls).toBe(2);
    expect(usage.estimatedCalls).toBe(1);
    expect(usage.promptTokens).toBeGreaterThan(100);
    // The reported 7, plus an estimate for the reply that came without usage.
    expect(usage.completionTokens).toBeGreaterThan(7);
  });

  it("a sampling request served during a tool call counts in the turn's usage and the totals; one between turns in the totals only", async () => {
    let agent!: Agent;
    // The tool call is where a server's sampling request is served (the CLI wires it to addSamplingUsage).
    const tools = new FakeTools({ t: { server: 's', originalName: 't' } }, () => {
      agent.addSamplingUsage({ promptTokens: 30, completionTokens: 4 });
      return { text: 'sampled', isError: false, server: 's', durationMs: 1 };
    });
    const model = new ListModel((_, i) => (i === 0 ? { toolCalls: [toolCall('c1', 't')], usage: { promptTokens: 100, completionTokens: 7 } } : { text: 'done', usage: { promptTokens: 120, completionTokens: 2 } }));
    agent = new Agent({ model, tools, maxSteps: 5 });
    const events = await collect(agent.send('go'));
    const calls = events.filter((e) => e.type === 'usage' && e.scope === 'call');
    expect(calls).toHaveLength(2);
    expect(events.find((e) => e.type === 'usage' && e.scope === 'turn')).toMatchObject({ modelCalls: 3, samplingCalls: 1, toolCalls: 1, promptTokens: 250, completionTokens: 13, estimated: false });
    expect(agent.usage).toEqual({ modelCalls: 3, promptTokens: 250, completionTokens: 13, estimatedCalls: 0, samplingCalls: 1 });

    agent.addSamplingUsage({ promptTokens: 5, completionTokens: 1 }, true);
    expect(agent.usage).toEqual({ modelCalls: 4, promptTokens: 255, completionTokens: 14, estimatedCalls: 1, samplingCalls: 2 });
    // The next turn starts from zero, and without sampling it has no samplingCalls.
    const next = await collect(agent.send('again'));
    const turn = next.find((e) => e.type === 'usage' && e.scope === 'turn')!;
    expect(turn).toMatchObject({ modelCalls: 1, promptTokens: 120, completionTokens: 2 });
    expect(turn).not.toHaveProperty('samplingCalls');
  });

  it('a new model answers from the next request on; restore() replaces the history in place, adding the configured system prompt', async () => {
    const first = new ListModel(() => ({ text: 'from first' }));
    const second = new ListModel(() => ({ text: 'from second' }));
    const agent = new Agent({ model: first, tools: new FakeTools({}), system: 'rules', maxSteps: 2 });
    const history = agent.history;
    agent.restore([{ role: 'user', content: 'earlier' }, { role: 'assistant', content: 'reply' }]);
    expect(agent.history).toBe(history);
    agent.model = second;
    const events = await collect(agent.send('now'));
    expect(events.at(-1)).toMatchObject({ type: 'final', text: 'from second' });
    expect(first.requests).toHaveLength(0);
    expect(second.requests[0]!.map((m) => [m.role, m.content])).toEqual([
      ['system', 'rules'],
      ['user', 'earlier'],
      ['assistant', 'reply'],
      ['user', 'now'],
    ]);
  });
});
