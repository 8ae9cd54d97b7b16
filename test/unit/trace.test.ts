/**
 * The trace page without a browser: the timeline built from records (spans, retries,
 * errors, interruptions, usage) and the escaping of every string that reaches the page.
 * test/integration/trace-browser.test.ts loads a real run's page in chromium.
 */
import { describe, expect, it } from 'vitest';
import type { SessionRecord } from '../../src/session/records.js';
import { renderTraceHtml } from '../../src/trace/html.js';
import { buildTimeline } from '../../src/trace/timeline.js';

const header = (servers = [{ name: 'temperature', tools: ['get_temperature'] }]): SessionRecord => ({
  type: 'session_start',
  t: 1000,
  format: 1,
  switchboard: '0.1.0',
  model: 'm',
  servers,
  startedAt: new Date(1000).toISOString(),
});
const message = (t: number, m: unknown) => ({ type: 'message', t, message: m }) as SessionRecord;
const event = (t: number, e: Record<string, unknown>) => ({ ...e, t }) as SessionRecord;

/** A turn cut off by a crash: a retried request, two calls (one failed), one never answered. */
function crashedTurn(): SessionRecord[] {
  return [
    header(),
    message(1000, { role: 'user', content: 'weather?' }),
    event(1001, { type: 'model_request', step: 1, maxSteps: 5 }),
    event(1010, { type: 'text_delta', text: 'lost with the failed attempt' }),
    event(1050, { type: 'model_retry', attempt: 1, delayMs: 40, reason: 'HTTP 503' }),
    event(1100, { type: 'reasoning_delta', text: 'two cities' }),
    message(1200, { role: 'assistant', content: '', toolCalls: [{ id: 'a', name: 'get_temperature', arguments: '{"city":"Paris"}' }, { id: 'b', name: 'get_temperature', arguments: '{"city":""}' }] }),
    event(1200, { type: 'tool_call', id: 'a', name: 'get_temperature', server: 'temperature', arguments: { city: 'Paris' } }),
    event(1201, { type: 'tool_call', id: 'b', name: 'get_temperature', server: 'temperature', arguments: { city: '' } }),
    event(1230, { type: 'tool_result', id: 'b', name: 'get_temperature', server: 'temperature', text: 'Invalid city', isError: true, durationMs: 29 }),
    event(1240, { type: 'usage', promptTokens: 100, completionTokens: 20 }),
    event(1241, { type: 'usage', scope: 'turn', promptTokens: 100, completionTokens: 20 }),
  ];
}

describe('buildTimeline', () => {
  it('turns records into spans: model calls end at their reply, tool calls at their result, the rest is interrupted', () => {
    const timeline = buildTimeline(crashedTurn());
    expect(timeline.servers).toEqual(['temperature']);
    expect(timeline.usage).toEqual({ promptTokens: 100, completionTokens: 20 });
    const [turn] = timeline.turns;
    expect(timeline.turns).toHaveLength(1);
    expect(turn).toMatchObject({ prompt: 'weather?', start: 1000, end: 1241, interrupted: true });
    expect(turn!.modelCalls).toEqual([
      expect.objectContaining({ step: 1, start: 1001, end: 1200, outcome: 'tool_calls', reasoning: 'two cities', text: '', toolCallIds: ['a', 'b'], retries: [{ t: 1050, attempt: 1, delayMs: 40, reason: 'HTTP 503' }] }),
    ]);
    expect(turn!.toolCalls.map((c) => [c.id, c.isError, c.interrupted, c.durationMs])).toEqual([
      ['a', false, true, undefined],
      ['b', true, false, 29],
    ]);
  });

  it('ends a turn at its answer, and puts a server seen only in events on its own lane', () => {
    const timeline = buildTimeline([
      header([]),
      message(1, { role: 'user', content: 'q' }),
      event(2, { type: 'model_request', step: 1, maxSteps: 5 }),
      event(3, { type: 'tool_call', id: 'x', name: 'echo', server: 'fixture', arguments: {} }),
      event(9, { type: 'tool_result', id: 'x', name: 'echo', server: 'fixture', text: 'ok', isError: false, durationMs: 6 }),
      event(10, { type: 'model_request', step: 2, maxSteps: 5 }),
      message(20, { role: 'assistant', content: 'done' }),
      event(20, { type: 'final', text: 'done', steps: 2 }),
      message(500, { role: 'user', content: 'again' }),
      event(501, { type: 'model_request', step: 1, maxSteps: 5 }),
      event(502, { type: 'stopped', reason: 'max_steps', message: 'Stopped.', steps: 1 }),
    ]);
    expect(timeline.servers).toEqual(['fixture']);
    expect(timeline.turns.map((t) => [t.start, t.end, t.interrupted, t.answer?.text, t.stopped?.reason])).toEqual([
      [1, 20, false, 'done', undefined],
      [500, 502, false, undefined, 'max_steps'],
    ]);
    expect(timeline.turns[0]!.modelCalls.map((c) => [c.start, c.end, c.outcome])).toEqual([
      [2, 3, 'tool_calls'],
      [10, 20, 'answer'],
    ]);
  });
});

describe('renderTraceHtml', () => {
  it('draws one arrow per tool call and marks errors, retries and interruptions', () => {
    const html = renderTraceHtml(crashedTurn());
    const count = (needle: string) => html.split(needle).length - 1;
    expect(count('data-kind="tool-call"')).toBe(2);
    expect(count('data-kind="tool-result"')).toBe(1);
    expect(count('class="arrow tool-result error"')).toBe(1);
    expect(count('data-kind="retry"')).toBe(1);
    expect(html).toContain('✂ interrupted');
    expect(html).toContain('✂ the session ended here');
    expect(html).toContain('100 in · 20 out');
  });

  it('escapes every string from the records: the page has only its own tags', () => {
    const evil = (where: string) => `<img src=x onerror="alert('${where}')"><script>alert(1)</script></pre></svg>&amp;"'`;
    const records: SessionRecord[] = [
      { ...(header([{ name: evil('server'), tools: [evil('tool')] }]) as object), model: evil('model'), config: evil('config') } as SessionRecord,
      message(1, { role: 'user', content: evil('prompt') }),
      event(2, { type: 'model_request', step: 1, maxSteps: 5 }),
      event(3, { type: 'model_retry', attempt: 1, delayMs: 1, reason: evil('retry') }),
      event(4, { type: 'reasoning_delta', text: evil('reasoning') }),
      event(5, { type: 'tool_call', id: evil('id'), name: evil('name'), server: evil('server'), originalName: evil('original'), arguments: { [evil('key')]: evil('value') } }),
      event(6, { type: 'tool_result', id: evil('id'), name: evil('name'), server: evil('server'), text: evil('result'), isError: true, durationMs: 1 }),
      event(7, { type: 'tool_call', id: 'raw', name: 'n', server: 's', arguments: evil('raw arguments') }),
      event(8, { type: 'notice', message: evil('notice') }),
      event(9, { type: 'final', text: evil('answer'), steps: 1 }),
      message(10, { role: 'user', content: 'two' }),
      event(11, { type: 'stopped', reason: evil('reason'), message: evil('stopped'), steps: 1 }),
    ];
    const html = renderTraceHtml(records);
    const tags = new Set([...html.matchAll(/<\/?([a-zA-Z][a-zA-Z0-9-]*)/g)].map((m) => m[1]!.toLowerCase()));
    const own = ['html', 'head', 'meta', 'title', 'style', 'body', 'h1', 'h2', 'h3', 'h4', 'table', 'tr', 'th', 'td', 'div', 'svg', 'defs', 'marker', 'path', 'g', 'rect', 'text', 'line', 'a', 'section', 'pre', 'details', 'summary', 'p', 'span'];
    expect([...tags].filter((t) => !own.includes(t))).toEqual([]);
    expect(html).not.toMatch(/<img|<script/i);
    // Every place still shows its text, escaped.
    for (const where of ['prompt', 'reasoning', 'retry', 'result', 'raw arguments', 'notice', 'answer', 'stopped', 'model']) {
      expect(html, where).toContain(`&lt;img src=x onerror=&quot;alert(&#39;${where}&#39;)&quot;&gt;`);
    }
  });

  it('renders a session without turns', () => {
    expect(renderTraceHtml([header()])).toContain('No turn was recorded in this session.');
  });
});
