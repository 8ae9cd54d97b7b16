/**
 * How usage is shown: the line after a turn (src/ui/summary.ts) and `/usage`
 * (src/cli/repl-session-commands.ts), with model calls made for servers' sampling requests.
 */
import { describe, expect, it } from 'vitest';
import { usageText } from '../../src/cli/repl-session-commands.js';
import { turnSummary } from '../../src/ui/summary.js';

describe('usage display', () => {
  it('the turn line says how many of its model calls served sampling, and only when some did', () => {
    const turn = { type: 'usage', scope: 'turn', modelCalls: 3, toolCalls: 1, promptTokens: 1234, completionTokens: 56, estimated: false, durationMs: 3400 } as const;
    expect(turnSummary(turn)).toBe('3 model calls · 1 tool call · 1,234 in / 56 out tokens · 3.4 s');
    expect(turnSummary({ ...turn, samplingCalls: 1 })).toBe('3 model calls (1 for sampling) · 1 tool call · 1,234 in / 56 out tokens · 3.4 s');
  });

  it('/usage says how many calls served sampling requests', () => {
    const totals = { modelCalls: 4, promptTokens: 500, completionTokens: 20, estimatedCalls: 0, samplingCalls: 0 };
    expect(usageText(totals)).toBe('4 model calls: 500 tokens in, 20 out');
    expect(usageText({ ...totals, samplingCalls: 2 })).toBe("4 model calls (2 for servers' sampling requests): 500 tokens in, 20 out");
  });
});
