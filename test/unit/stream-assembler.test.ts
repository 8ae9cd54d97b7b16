/** Unit tests of streamed chunk assembly (src/llm/stream-assembler.ts). */
import { describe, expect, it } from 'vitest';
import { ReplyLimitError } from '../../src/llm/reply-limits.js';
import { StreamAssembler, type StreamChunk } from '../../src/llm/stream-assembler.js';

type ToolCallDelta = NonNullable<NonNullable<NonNullable<StreamChunk['choices']>[number]['delta']>['tool_calls']>[number];

const text = (content: string): StreamChunk => ({ choices: [{ delta: { content } }] });
const reasoning = (reasoning_content: string): StreamChunk => ({ choices: [{ delta: { reasoning_content } }] });
const calls = (...tool_calls: ToolCallDelta[]): StreamChunk => ({ choices: [{ delta: { tool_calls } }] });
const finish = (finish_reason: string): StreamChunk => ({ choices: [{ delta: {}, finish_reason }] });

/** Splits `s` into pieces of at most `size` characters. */
const pieces = (s: string, size: number) => Array.from({ length: Math.ceil(s.length / size) }, (_, i) => s.slice(i * size, (i + 1) * size));

describe('StreamAssembler', () => {
  it('concatenates text deltas and returns each chunk\'s text', () => {
    const a = new StreamAssembler();
    expect(a.add(text('Hel'))).toEqual({ text: 'Hel', reasoning: '' });
    expect(a.add(text('lo, '))).toEqual({ text: 'lo, ', reasoning: '' });
    expect(a.add(text('world'))).toEqual({ text: 'world', reasoning: '' });
    a.add(finish('stop'));
    expect(a.reply()).toEqual({ text: 'Hello, world', toolCalls: [], finishReason: 'stop' });
  });

  it('concatenates reasoning deltas, from reasoning_content or reasoning', () => {
    const a = new StreamAssembler();
    expect(a.add(reasoning('Let me '))).toEqual({ text: '', reasoning: 'Let me ' });
    expect(a.add({ choices: [{ delta: { reasoning: 'think.' } }] })).toEqual({ text: '', reasoning: 'think.' });
    expect(a.add({ choices: [{ delta: { content: 'Answer', reasoning_content: null } }] })).toEqual({ text: 'Answer', reasoning: '' });
    a.add(finish('stop'));
    const reply = a.reply();
    expect(reply.reasoning).toBe('Let me think.');
    expect(reply.text).toBe('Answer');
  });

  it('leaves reasoning out of the reply when there was none', () => {
    const a = new StreamAssembler();
    a.add(text('hi'));
    a.add(finish('stop'));
    expect(a.reply()).not.toHaveProperty('reasoning');
  });

  it('assembles one tool call whose id and name come only in the first delta and arguments in many pieces', () => {
    const args = JSON.stringify({ city: 'San Francisco', unit: 'celsius', extra: { nested: [1, 2, 3] } });
    const a = new StreamAssembler();
    a.add(calls({ index: 0, id: 'call_abc', type: 'function', function: { name: 'get_temperature', arguments: '' } }));
    for (const piece of pieces(args, 3)) a.add(calls({ index: 0, function: { arguments: piece } }));
    a.add(finish('tool_calls'));
    const reply = a.reply();
    expect(reply.finishReason).toBe('tool_calls');
    expect(reply.toolCalls).toEqual([{ id: 'call_abc', name: 'get_temperature', arguments: args }]);
    expect(JSON.parse(reply.toolCalls[0]!.arguments)).toEqual(JSON.parse(args));
  });

  it('assembles interleaved calls in index order with their full arguments', () => {
    const argsA = JSON.stringify({ city: 'Paris' });
    const argsB = JSON.stringify({ city: 'Tokyo', unit: 'fahrenheit' });
    const argsC = JSON.stringify({ path: '/tmp/a b/c.txt' });
    const a = new StreamAssembler();
    // The third call (index 2) starts first, then index 0, then index 1.
    a.add(calls({ index: 2, id: 'call_c', function: { name: 'read_file' } }));
    a.add(calls({ index: 0, id: 'call_a', function: { name: 'get_temperature' } }));
    a.add(calls({ index: 1, id: 'call_b', function: { name: 'get_temperature' } }));
    const [pa, pb, pc] = [pieces(argsA, 4), pieces(argsB, 5), pieces(argsC, 2)];
    for (let i = 0; i < Math.max(pa.length, pb.length, pc.length); i++) {
      // Several calls' deltas in one chunk, and in varying order.
      const chunk: ToolCallDelta[] = [];
      if (pc[i]) chunk.push({ index: 2, function: { arguments: pc[i] } });
      if (pb[i]) chunk.push({ index: 1, function: { arguments: pb[i] } });
      if (pa[i]) chunk.push({ index: 0, function: { arguments: pa[i] } });
      a.add(calls(...chunk));
    }
    a.add(finish('tool_calls'));
    expect(a.reply().toolCalls).toEqual([
      { id: 'call_a', name: 'get_temperature', arguments: argsA },
      { id: 'call_b', name: 'get_temperature', arguments: argsB },
      { id: 'call_c', name: 'read_file', arguments: argsC },
    ]);
  });

  it('gives a call without an id a unique generated id', () => {
    const a = new StreamAssembler();
    a.add(calls({ index: 0, function: { name: 'one', arguments: '{}' } }, { index: 1, function: { name: 'two', arguments: '{}' } }));
    a.add(finish('tool_calls'));
    const [first, second] = a.reply().toolCalls;
    expect(first!.id).toMatch(/\S/);
    expect(second!.id).toMatch(/\S/);
    expect(first!.id).not.toBe(second!.id);

    const b = new StreamAssembler();
    b.add(calls({ index: 0, function: { name: 'one', arguments: '{}' } }));
    b.add(finish('tool_calls'));
    expect(b.reply().toolCalls[0]!.id).not.toBe(first!.id);
  });

  it('reports finished only once a finish_reason arrives', () => {
    const a = new StreamAssembler();
    expect(a.finished).toBe(false);
    a.add(text('partial'));
    a.add({ choices: [{ delta: { content: ' more' }, finish_reason: null }] });
    expect(a.finished).toBe(false);
    expect(a.reply().finishReason).toBe('unknown');
    a.add(finish('length'));
    expect(a.finished).toBe(true);
    expect(a.reply().finishReason).toBe('length');
  });

  it('captures usage, also from a chunk without choices', () => {
    const a = new StreamAssembler();
    a.add(text('hi'));
    a.add(finish('stop'));
    expect(a.reply()).not.toHaveProperty('usage');
    a.add({ choices: [], usage: { prompt_tokens: 120, completion_tokens: 7 } });
    expect(a.reply().usage).toEqual({ promptTokens: 120, completionTokens: 7 });
  });

  it('maps the legacy function_call finish reason to tool_calls', () => {
    const a = new StreamAssembler();
    a.add(calls({ index: 0, id: 'x', function: { name: 'f', arguments: '{}' } }));
    a.add(finish('function_call'));
    expect(a.reply().finishReason).toBe('tool_calls');
  });

  it('maps eos to stop and an unknown reason to unknown (still finished)', () => {
    const a = new StreamAssembler();
    a.add(finish('eos'));
    expect(a.reply().finishReason).toBe('stop');
    const b = new StreamAssembler();
    b.add(finish('something_new'));
    expect(b.finished).toBe(true);
    expect(b.reply().finishReason).toBe('unknown');
  });

  it('keeps a tool name that a server repeats in later deltas, and joins one it splits', () => {
    const a = new StreamAssembler();
    a.add(calls({ index: 0, id: 'c1', function: { name: 'get_temperature', arguments: '{"city"' } }));
    a.add(calls({ index: 0, function: { name: 'get_temperature', arguments: ':"Paris"}' } }));
    a.add(calls({ index: 1, id: 'c2', function: { name: 'get_', arguments: '' } }));
    a.add(calls({ index: 1, function: { name: 'time', arguments: '{}' } }));
    a.add(finish('tool_calls'));
    expect(a.reply().toolCalls).toEqual([
      { id: 'c1', name: 'get_temperature', arguments: '{"city":"Paris"}' },
      { id: 'c2', name: 'get_time', arguments: '{}' },
    ]);
  });
});

describe('StreamAssembler: bounds', () => {
  const limitOf = (fn: () => void): string | undefined => {
    try {
      fn();
    } catch (error) {
      if (error instanceof ReplyLimitError) return error.limit;
      throw error;
    }
    return undefined;
  };

  it('throws a size ReplyLimitError once text + reasoning + tool calls pass maxChars, not before', () => {
    const a = new StreamAssembler({ maxChars: 100 });
    a.add(text('x'.repeat(40)));
    a.add(reasoning('y'.repeat(40)));
    a.add(calls({ index: 0, id: 'c', function: { name: 'tool', arguments: '{"a":1' } })); // 1 + 4 + 6 = 11: 91
    expect(limitOf(() => a.add(calls({ index: 0, function: { arguments: '123456789' } })))).toBeUndefined(); // 100: the most allowed
    expect(limitOf(() => a.add(text('!')))).toBe('size');
  });

  it('counts reasoning alone toward the size', () => {
    const a = new StreamAssembler({ maxChars: 10 });
    a.add(reasoning('12345'));
    expect(limitOf(() => a.add(reasoning('123456')))).toBe('size');
  });

  it('refuses a stream with more distinct tool-call indices than maxToolCalls, even when they carry nothing', () => {
    const a = new StreamAssembler({ maxToolCalls: 3 });
    for (let i = 0; i < 3; i++) a.add(calls({ index: i }));
    a.add(calls({ index: 2, function: { arguments: '{}' } })); // an index already seen is fine
    expect(limitOf(() => a.add(calls({ index: 1_000_000 })))).toBe('tool_calls');
  });

  it('has generous defaults: 10,000 small calls assemble', () => {
    const a = new StreamAssembler();
    for (let i = 0; i < 10_000; i++) a.add(calls({ index: i, id: `call_${i}`, function: { name: 'get_temperature', arguments: '{"city":"Paris"}' } }));
    a.add(finish('tool_calls'));
    expect(a.reply().toolCalls).toHaveLength(10_000);
  });
});
