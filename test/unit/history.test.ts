/** Unit tests of history trimming (src/agent/history.ts). */
import { describe, expect, it } from 'vitest';
import { TokenEstimator, trimHistory } from '../../src/agent/history.js';
import type { ChatMessage, ToolCall } from '../../src/llm/model.js';

const pad = (label: string, chars: number) => `${label} ${'.'.repeat(Math.max(0, chars - label.length - 1))}`;
const system = (content = 'You are a helpful agent.'): ChatMessage => ({ role: 'system', content });
const user = (content: string): ChatMessage => ({ role: 'user', content });
const answer = (content: string): ChatMessage => ({ role: 'assistant', content });
const call = (id: string, name = 'get_temperature'): ToolCall => ({ id, name, arguments: '{"city":"Paris"}' });
const asks = (...toolCalls: ToolCall[]): ChatMessage => ({ role: 'assistant', content: '', toolCalls });
const tool = (id: string, content: string, name = 'get_temperature'): ChatMessage => ({ role: 'tool', toolCallId: id, name, content });

/** Every tool message answers a tool call of an assistant message before it (and after the previous user message). */
function expectNoOrphanToolMessages(history: readonly ChatMessage[]): void {
  const open = new Set<string>();
  for (const message of history) {
    if (message.role === 'user') open.clear();
    if (message.role === 'assistant') {
      open.clear();
      for (const c of message.toolCalls ?? []) open.add(c.id);
    }
    if (message.role === 'tool') {
      expect(open.has(message.toolCallId), `tool message ${message.toolCallId} has its assistant tool call`).toBe(true);
    }
  }
  // And no assistant tool call is left without its tool message.
  history.forEach((message, i) => {
    if (message.role !== 'assistant') return;
    for (const c of message.toolCalls ?? []) {
      const answered = history.slice(i + 1).some((m) => m.role === 'tool' && m.toolCallId === c.id);
      expect(answered, `tool call ${c.id} keeps its tool message`).toBe(true);
    }
  });
}

/** A long conversation: three past exchanges with tool rounds, then the current one. */
function longConversation(): ChatMessage[] {
  return [
    system(),
    user(pad('u1', 400)),
    asks(call('c1a'), call('c1b')),
    tool('c1a', pad('r1a', 800)),
    tool('c1b', pad('r1b', 800)),
    answer(pad('a1', 300)),
    user(pad('u2', 400)),
    asks(call('c2a')),
    tool('c2a', pad('r2a', 800)),
    asks(call('c2b')),
    tool('c2b', pad('r2b', 800)),
    answer(pad('a2', 300)),
    user(pad('u3', 400)),
    answer(pad('a3', 300)),
    user(pad('current question', 100)),
    asks(call('c4a')),
    tool('c4a', pad('r4a', 500)),
  ];
}

describe('trimHistory', () => {
  it('leaves a history under budget untouched', () => {
    const history = longConversation();
    const before = structuredClone(history);
    const estimator = new TokenEstimator();
    const result = trimHistory(history, [], 1_000_000, estimator);
    expect(result.dropped).toBe(0);
    expect(result.estimatedTokens).toBe(estimator.estimate(before));
    expect(history).toEqual(before);
  });

  it('drops the oldest whole exchange first, and only as much as needed', () => {
    const history: ChatMessage[] = [system(), user(pad('old question', 2000)), answer(pad('old answer', 2000)), user('recent question'), answer('recent answer'), user('current question')];
    const estimator = new TokenEstimator();
    // Enough room for everything except the first exchange.
    const budget = estimator.estimate([history[0]!, ...history.slice(3)]) + 10;
    const result = trimHistory(history, [], budget, estimator);
    expect(result.dropped).toBe(2);
    expect(history).toEqual([system(), user('recent question'), answer('recent answer'), user('current question')]);
    expect(result.estimatedTokens).toBeLessThanOrEqual(budget);
  });

  it('drops an old exchange together with all its tool rounds', () => {
    const history = longConversation();
    const estimator = new TokenEstimator();
    const withoutFirst = [history[0]!, ...history.slice(6)];
    trimHistory(history, [], estimator.estimate(withoutFirst), estimator);
    expect(history).toEqual(withoutFirst);
  });

  it('counts the tools sent with the request against the budget', () => {
    const history: ChatMessage[] = [system(), user('old'), answer('old answer'), user('current')];
    const tools = [{ type: 'function' as const, function: { name: 'big', description: 'x'.repeat(4000), parameters: { type: 'object', properties: {} } } }];
    const estimator = new TokenEstimator();
    const budget = estimator.estimate(history) + 5; // fits without tools, not with them
    const result = trimHistory(history, tools, budget, estimator);
    expect(result.dropped).toBe(2);
  });

  it('never drops the system prompt or the current user message, even when they alone are over budget', () => {
    const history: ChatMessage[] = [system(pad('sys', 4000)), user('old'), answer('old answer'), user(pad('current', 4000))];
    const result = trimHistory(history, [], 10, new TokenEstimator());
    expect(history).toEqual([system(pad('sys', 4000)), user(pad('current', 4000))]);
    expect(result.dropped).toBe(2);
    expect(result.estimatedTokens).toBeGreaterThan(10);
  });

  it('keeps every tool message with its assistant tool call at every budget', () => {
    const full = longConversation();
    const estimator = new TokenEstimator();
    const total = estimator.estimate(full);
    for (let budget = total; budget >= 0; budget -= 37) {
      const history = structuredClone(full);
      trimHistory(history, [], budget, estimator);
      expect(history[0]).toEqual(full[0]);
      expect(history).toContainEqual(user(pad('current question', 100)));
      expectNoOrphanToolMessages(history);
      // What remains after the system prompt starts at a user message: no half exchange.
      expect(history[1]?.role).toBe('user');
      // The kept messages are a suffix of the original (after the system prompt): nothing newer was dropped before older.
      expect(full.slice(full.length - (history.length - 1))).toEqual(history.slice(1));
    }
  });

  it('with only the current exchange left, drops its oldest tool rounds and keeps the newest', () => {
    const newest = [asks(call('n1'), call('n2')), tool('n1', 'newest one'), tool('n2', 'newest two')];
    const history: ChatMessage[] = [
      system(),
      user('current question'),
      asks(call('o1')),
      tool('o1', pad('oldest result', 3000)),
      asks(call('m1'), call('m2')),
      tool('m1', pad('middle result', 3000)),
      tool('m2', pad('middle result 2', 3000)),
      ...newest,
    ];
    const estimator = new TokenEstimator();

    // A budget that only the oldest round's removal satisfies: the middle round stays.
    const afterFirst = [history[0]!, history[1]!, ...history.slice(4)];
    const partial = structuredClone(history);
    const first = trimHistory(partial, [], estimator.estimate(afterFirst), estimator);
    expect(first.dropped).toBe(2);
    expect(partial).toEqual(afterFirst);

    // A tiny budget: everything but the system prompt, the question and the newest round goes.
    const result = trimHistory(history, [], 1, estimator);
    expect(history).toEqual([system(), user('current question'), ...newest]);
    expect(result.dropped).toBe(5);
    expectNoOrphanToolMessages(history);
  });

  it('works without a system prompt', () => {
    const history: ChatMessage[] = [user(pad('old', 2000)), answer('old answer'), user('current')];
    trimHistory(history, [], 10, new TokenEstimator());
    expect(history).toEqual([user('current')]);
  });
});

describe('TokenEstimator', () => {
  it('estimates more tokens for a longer history', () => {
    const estimator = new TokenEstimator();
    const short = [user('hi')];
    const long = [user('hi'), answer(pad('long', 4000))];
    expect(estimator.estimate(long)).toBeGreaterThan(estimator.estimate(short) + 900);
  });

  it('calibrates from the provider\'s reported prompt tokens', () => {
    const estimator = new TokenEstimator();
    const messages = [user(pad('text', 4000))];
    const before = estimator.estimate(messages);
    estimator.calibrate(messages, [], before * 2); // the provider counts twice as many tokens
    expect(estimator.estimate(messages)).toBeGreaterThan(before * 1.9);
  });
});
