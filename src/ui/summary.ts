/**
 * The line after each turn on a terminal: model calls, tool calls, tokens in and out, wall
 * time. `~` marks token counts that were estimated (the provider reported no usage for at
 * least one of the turn's model calls).
 *   `2 model calls · 1 tool call · 1,234 in / 56 out tokens · 3.4 s`
 */
import type { AgentEvent } from '../agent/events.js';

export type TurnUsage = Extract<AgentEvent, { type: 'usage'; scope: 'turn' }>;

export function turnSummary(usage: TurnUsage): string {
  const approx = usage.estimated ? '~' : '';
  const tokens = `${approx}${number(usage.promptTokens)} in / ${approx}${number(usage.completionTokens)} out tokens`;
  // Model calls made for servers' sampling requests are among the model calls (and their tokens).
  const calls = `${count(usage.modelCalls, 'model call')}${usage.samplingCalls ? ` (${usage.samplingCalls} for sampling)` : ''}`;
  return [calls, count(usage.toolCalls, 'tool call'), tokens, `${(usage.durationMs / 1000).toFixed(1)} s`].join(' · ');
}

function count(n: number, noun: string): string {
  return `${n} ${noun}${n === 1 ? '' : 's'}`;
}

function number(n: number): string {
  return n.toLocaleString('en-US');
}
