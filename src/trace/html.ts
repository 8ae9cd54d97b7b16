/**
 * `renderTraceHtml(records)`: one self-contained HTML page picturing a recorded run: a
 * summary (model, servers, counts, durations, token usage when recorded), the sequence
 * diagram (diagram.ts), and every turn's model calls and tool calls with their arguments,
 * results and reasoning in expandable `<details>`.
 *
 * No script and no network: inline CSS and SVG only, and a Content-Security-Policy that
 * forbids everything else, so a hostile tool result cannot run or fetch anything when the
 * page is opened. Every string from the records is escaped (escape.ts).
 */
import type { SessionRecord } from '../session/records.js';
import { renderDiagram } from './diagram.js';
import { escapeHtml, formatDuration, label } from './escape.js';
import { buildTimeline, type Timeline, type Turn } from './timeline.js';
import { TRACE_CSS } from './css.js';

export function renderTraceHtml(records: readonly SessionRecord[]): string {
  const timeline = buildTimeline(records);
  const title = `Switchboard trace${timeline.header ? ` · ${timeline.header.startedAt}` : ''}`;
  return [
    '<!DOCTYPE html>',
    '<html lang="en">',
    '<head>',
    '<meta charset="utf-8">',
    `<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'">`,
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    `<title>${escapeHtml(title)}</title>`,
    `<style>${TRACE_CSS}</style>`,
    '</head>',
    '<body>',
    `<h1>${escapeHtml(title)}</h1>`,
    summary(timeline),
    timeline.turns.length > 0 ? `<div class="diagram-box">${renderDiagram(timeline)}</div>` : '<p class="empty">No turn was recorded in this session.</p>',
    ...timeline.turns.map(turnDetails),
    '</body>',
    '</html>',
    '',
  ].join('\n');
}

function summary(timeline: Timeline): string {
  const { header, turns, usage } = timeline;
  const modelCalls = turns.flatMap((t) => t.modelCalls);
  const toolCalls = turns.flatMap((t) => t.toolCalls);
  const retries = modelCalls.reduce((n, c) => n + c.retries.length, 0);
  const errors = toolCalls.filter((c) => c.isError).length;
  const interrupted = toolCalls.filter((c) => c.interrupted).length;
  const modelMs = modelCalls.reduce((n, c) => n + (c.end - c.start), 0);
  const toolMs = toolCalls.reduce((n, c) => n + (c.durationMs ?? c.end - c.start), 0);
  const rows: Array<[string, string]> = [];
  if (header) {
    rows.push(['model', `${header.model}${header.provider ? ` via ${header.provider}` : ''}`]);
    rows.push(['Switchboard', header.switchboard]);
    if (header.config) rows.push(['config', header.config]);
    rows.push(['servers', header.servers.map((s) => `${s.name} (${s.failed ? 'failed to start' : `${s.tools.length} tool${s.tools.length === 1 ? '' : 's'}`})`).join(', ') || 'none']);
  }
  rows.push(['turns', String(turns.length)]);
  rows.push(['model calls', `${modelCalls.length} · ${formatDuration(modelMs)}${retries ? ` · ${retries} retr${retries === 1 ? 'y' : 'ies'}` : ''}`]);
  rows.push(['tool calls', `${toolCalls.length} · ${formatDuration(toolMs)}${errors ? ` · ${errors} error${errors === 1 ? '' : 's'}` : ''}${interrupted ? ` · ${interrupted} interrupted` : ''}`]);
  rows.push(['tokens', usage ? `${usage.promptTokens} in · ${usage.completionTokens} out` : 'not recorded']);
  const cells = rows.map(([k, v]) => `<tr><th>${escapeHtml(k)}</th><td>${escapeHtml(v)}</td></tr>`).join('');
  return `<table class="summary" data-kind="summary">${cells}</table>`;
}

function turnDetails(turn: Turn): string {
  const parts: string[] = [`<section class="turn" id="turn-${turn.index}">`, `<h2>Turn ${turn.index} · ${escapeHtml(formatDuration(turn.end - turn.start))}${turn.interrupted ? ' · <span class="bad">interrupted</span>' : ''}</h2>`];
  parts.push(`<h3>prompt</h3><pre>${escapeHtml(turn.prompt ?? '(no prompt recorded)')}</pre>`);
  turn.modelCalls.forEach((call, i) => {
    const retried = call.retries.length ? ` · <span class="bad">${call.retries.length} retr${call.retries.length === 1 ? 'y' : 'ies'}</span>` : '';
    parts.push(`<details id="model-${turn.index}-${i + 1}" class="model-call"><summary>model call ${call.step} · ${escapeHtml(formatDuration(call.end - call.start))} · ${escapeHtml(call.outcome.replace('_', ' '))}${retried}</summary>`);
    for (const retry of call.retries) parts.push(`<p class="bad">retry ${retry.attempt} after ${escapeHtml(formatDuration(retry.delayMs))}: ${escapeHtml(retry.reason)}</p>`);
    if (call.reasoning) parts.push(`<h4>reasoning</h4><pre class="reasoning">${escapeHtml(call.reasoning)}</pre>`);
    if (call.text) parts.push(`<h4>text</h4><pre>${escapeHtml(call.text)}</pre>`);
    if (call.toolCallIds.length) parts.push(`<p>asked for ${call.toolCallIds.length} tool call${call.toolCallIds.length === 1 ? '' : 's'}</p>`);
    parts.push('</details>');
  });
  turn.toolCalls.forEach((call, i) => {
    const status = call.interrupted ? 'interrupted' : call.isError ? 'error' : 'ok';
    const where = call.server && call.server !== '?' ? ` on ${call.server}${call.originalName && call.originalName !== call.name ? ` (as ${call.originalName})` : ''}` : '';
    const took = call.interrupted ? '' : ` · ${formatDuration(call.durationMs ?? call.end - call.start)}`;
    parts.push(`<details id="tool-${turn.index}-${i + 1}" class="tool-call ${status}"><summary>${escapeHtml(label(`${call.name}${where}`, 120))}${escapeHtml(took)} · <span class="${status === 'ok' ? 'good' : 'bad'}">${status}</span>${call.progress ? ` · ${call.progress} progress notifications` : ''}</summary>`);
    parts.push(`<h4>arguments</h4><pre>${escapeHtml(pretty(call.arguments))}</pre>`);
    parts.push(`<h4>result</h4><pre>${escapeHtml(call.interrupted ? '(no result: the session ended before the call completed)' : (call.result ?? ''))}</pre>`);
    parts.push('</details>');
  });
  for (const notice of turn.notices) parts.push(`<p class="notice">${escapeHtml(notice.message)}</p>`);
  if (turn.answer) parts.push(`<h3 id="answer-${turn.index}">answer${turn.answer.truncated ? ' (cut short: the model ran out of output tokens)' : ''}</h3><pre>${escapeHtml(turn.answer.text)}</pre>`);
  if (turn.stopped) parts.push(`<h3 id="answer-${turn.index}" class="bad">stopped: ${escapeHtml(turn.stopped.reason)}</h3><pre>${escapeHtml(turn.stopped.message)}</pre>`);
  parts.push('</section>');
  return parts.join('\n');
}

function pretty(value: unknown): string {
  if (typeof value === 'string') return value;
  try {
    return JSON.stringify(value, null, 2) ?? '';
  } catch {
    return String(value);
  }
}
