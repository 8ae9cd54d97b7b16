/**
 * The sequence diagram of a run, as inline SVG: one lane per party (user, Switchboard,
 * the model) and per MCP server; time runs down. Within a turn, y is proportional to time,
 * so every model call and tool call is as long as it took (at least a few pixels); the
 * idle time between turns is cut out and labelled.
 *
 * Every arrow is a `<g class="arrow ...">` with a `data-kind` (`prompt`, `model-request`,
 * `model-reply`, `tool-call`, `tool-result`, `answer`, `stopped`) and links to its details
 * below the diagram. All text is escaped.
 */
import { escapeHtml, formatDuration, label } from './escape.js';
import type { Timeline, Turn } from './timeline.js';

const LANE_WIDTH = 210;
const RULER = 80;
const HEADER = 56;
const TURN_TITLE = 34;
const TURN_PAD = 24;
const BETWEEN_TURNS = 44;
const MIN_SPAN_PX = 4;
const LABEL_GAP = 13;

interface Lane {
  key: string;
  title: string;
  x: number;
}

export function renderDiagram(timeline: Timeline): string {
  const lanes: Lane[] = [
    { key: 'user', title: 'user', x: 0 },
    { key: 'host', title: 'Switchboard', x: 0 },
    { key: 'model', title: 'model', x: 0 },
    ...timeline.servers.map((server) => ({ key: `server:${server}`, title: server === '?' ? '(no server)' : server, x: 0 })),
  ];
  lanes.forEach((lane, i) => (lane.x = RULER + LANE_WIDTH / 2 + i * LANE_WIDTH));
  const laneX = (key: string) => lanes.find((l) => l.key === key)?.x ?? lanes[1]!.x;
  const width = RULER + lanes.length * LANE_WIDTH;
  const scale = pixelsPerMs(timeline.turns);

  const body: string[] = [];
  let y = HEADER;
  timeline.turns.forEach((turn, i) => {
    if (i > 0) {
      const idle = turn.start - timeline.turns[i - 1]!.end;
      body.push(`<text class="idle" x="${width / 2}" y="${y + BETWEEN_TURNS / 2 + 4}" text-anchor="middle">⋯ ${escapeHtml(formatDuration(Math.max(0, idle)))} later ⋯</text>`);
      y += BETWEEN_TURNS;
    }
    y = drawTurn(turn, y, scale, width, laneX, body);
  });
  const height = y + 20;
  const heads = lanes.map((lane) => `<g class="lane"><rect class="lane-head" x="${lane.x - LANE_WIDTH / 2 + 10}" y="8" width="${LANE_WIDTH - 20}" height="28" rx="6"/><text x="${lane.x}" y="27" text-anchor="middle">${escapeHtml(label(lane.title, 22))}</text><line class="lifeline" x1="${lane.x}" y1="36" x2="${lane.x}" y2="${height}"/></g>`);
  return [
    `<svg class="diagram" xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" role="img" aria-label="sequence diagram of the run">`,
    '<defs><marker id="head" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" fill="context-stroke"/></marker></defs>',
    ...heads,
    ...body,
    '</svg>',
  ].join('\n');
}

/** Scale: the longest turn at least 400 px, the closest events ~16 px apart when that fits in 900 px. */
function pixelsPerMs(turns: readonly Turn[]): number {
  const longest = Math.max(1, ...turns.map((t) => t.end - t.start));
  const times = turns.flatMap((turn) => [turn.start, ...turn.modelCalls.flatMap((c) => [c.start, c.end]), ...turn.toolCalls.flatMap((c) => [c.start, c.end])]).sort((a, b) => a - b);
  let closest = Infinity;
  for (let i = 1; i < times.length; i++) {
    const gap = times[i]! - times[i - 1]!;
    if (gap > 0) closest = Math.min(closest, gap);
  }
  const wanted = Number.isFinite(closest) ? 16 / closest : 0;
  return Math.max(400 / longest, Math.min(wanted, 900 / longest));
}

function drawTurn(turn: Turn, top: number, scale: number, width: number, laneX: (key: string) => number, out: string[]): number {
  const duration = turn.end - turn.start;
  out.push(`<text class="turn-title" x="8" y="${top + 20}"><a href="#turn-${turn.index}">Turn ${turn.index} · ${escapeHtml(formatDuration(duration))}${turn.interrupted ? ' · interrupted' : ''}</a></text>`);
  const origin = top + TURN_TITLE;
  const yOf = (t: number) => origin + Math.max(0, t - turn.start) * scale;
  const bottom = yOf(turn.end) + TURN_PAD;
  out.push(`<line class="turn-sep" x1="0" y1="${top}" x2="${width}" y2="${top}"/>`);
  drawRuler(origin, bottom - TURN_PAD, scale, out);
  const host = laneX('host');
  const user = laneX('user');
  const model = laneX('model');
  out.push(span('host-active', host, yOf(turn.start), yOf(turn.end), 'Switchboard runs the turn'));

  const labels = new LabelPlacer();
  /** An arrow from x1 to x2; `nearX`: the label sits right-aligned just before that lane (server lanes, far from the host). */
  const arrow = (kind: string, x1: number, x2: number, y: number, text: string, href: string, extra = '', title = text, nearX?: number) => {
    const column = nearX ?? (x1 + x2) / 2;
    const ly = labels.place(column, y - 4);
    const anchor = nearX === undefined ? `x="${column}" text-anchor="middle"` : `x="${nearX - 16}" text-anchor="end"`;
    out.push(
      `<g class="arrow ${kind}${extra}" data-kind="${kind}"><title>${escapeHtml(label(title, 400))}</title><line x1="${x1}" y1="${y}" x2="${x2 + (x2 > x1 ? -2 : 2)}" y2="${y}" marker-end="url(#head)"/><a href="#${href}"><text ${anchor} y="${ly}">${escapeHtml(label(text, 26))}</text></a></g>`,
    );
  };

  arrow('prompt', user, host, yOf(turn.start), turn.prompt ?? '(no prompt recorded)', `turn-${turn.index}`);
  turn.modelCalls.forEach((call, i) => {
    const id = `model-${turn.index}-${i + 1}`;
    const y1 = yOf(call.start);
    const y2 = Math.max(yOf(call.end), y1 + MIN_SPAN_PX);
    arrow('model-request', host, model, y1, `request ${call.step}`, id);
    out.push(span(`model-call${call.retries.length ? ' retried' : ''}`, model, y1, y2, `model call ${call.step}: ${formatDuration(call.end - call.start)}`, id));
    for (const retry of call.retries) {
      out.push(`<g class="retry" data-kind="retry"><title>${escapeHtml(`retry ${retry.attempt} after ${formatDuration(retry.delayMs)}: ${retry.reason}`)}</title><text x="${model + 12}" y="${yOf(retry.t) + 4}">↻ retry ${retry.attempt}</text></g>`);
    }
    const replyText =
      call.outcome === 'tool_calls' ? `${call.toolCallIds.length} tool call${call.toolCallIds.length === 1 ? '' : 's'} · ${formatDuration(call.end - call.start)}`
      : call.outcome === 'answer' ? `answer · ${formatDuration(call.end - call.start)}`
      : call.outcome === 'stopped' ? 'stopped'
      : call.outcome === 'interrupted' ? 'no reply (interrupted)'
      : `reply · ${formatDuration(call.end - call.start)}`;
    if (call.outcome !== 'interrupted') arrow('model-reply', model, host, y2, replyText, id);
    else out.push(`<text class="interrupted-mark" x="${model + 12}" y="${y2}">✂ no reply</text>`);
  });
  // Calls running at the same time on one server are drawn side by side (nested activations).
  const running = new Map<string, Array<{ end: number; slot: number }>>();
  turn.toolCalls.forEach((call, i) => {
    const id = `tool-${turn.index}-${i + 1}`;
    const lane = `server:${call.server ?? '?'}`;
    const active = (running.get(lane) ?? []).filter((r) => r.end > call.start);
    let slot = 0;
    while (active.some((r) => r.slot === slot)) slot++;
    running.set(lane, [...active, { end: call.end, slot }]);
    const x = laneX(lane) + slot * 8;
    const y1 = yOf(call.start);
    const y2 = Math.max(yOf(call.end), y1 + MIN_SPAN_PX);
    const status = call.interrupted ? ' interrupted' : call.isError ? ' error' : '';
    arrow('tool-call', host, x - 6, y1, `${call.name} ${compactJson(call.arguments)}`, id, status, undefined, laneX(lane));
    out.push(span(`tool-span${status}`, x, y1, y2, `${call.name}: ${call.interrupted ? 'interrupted' : formatDuration(call.durationMs ?? call.end - call.start)}`, id));
    if (call.interrupted) out.push(`<text class="interrupted-mark" x="${x + 12}" y="${y2}">✂ interrupted</text>`);
    else arrow('tool-result', x - 6, host, y2, `${call.isError ? '✗ ' : ''}${formatDuration(call.durationMs ?? call.end - call.start)} ${call.result ?? ''}`, id, status, call.result ?? '', laneX(lane));
  });
  if (turn.answer) arrow('answer', host, user, yOf(turn.answer.t), turn.answer.text, `answer-${turn.index}`);
  if (turn.stopped) arrow('stopped', host, user, yOf(turn.stopped.t), `stopped: ${turn.stopped.reason}`, `answer-${turn.index}`, '', turn.stopped.message);
  if (turn.interrupted) out.push(`<text class="interrupted-mark" x="${host + 12}" y="${yOf(turn.end) + 14}">✂ the session ended here</text>`);
  return bottom;
}

function span(kind: string, x: number, y1: number, y2: number, title: string, href?: string): string {
  const rect = `<rect x="${x - 6}" y="${y1}" width="12" height="${Math.max(MIN_SPAN_PX, y2 - y1)}"/>`;
  const inner = href ? `<a href="#${href}">${rect}</a>` : rect;
  return `<g class="span ${kind}" data-kind="${kind.split(' ')[0]}"><title>${escapeHtml(title)}</title>${inner}</g>`;
}

/** Tick marks every 1, 2 or 5 x 10^k ms, at least 60 px apart. */
function drawRuler(top: number, bottom: number, scale: number, out: string[]): void {
  const minStepMs = 60 / scale;
  const magnitude = 10 ** Math.floor(Math.log10(minStepMs));
  const step = [1, 2, 5, 10].map((m) => m * magnitude).find((s) => s >= minStepMs) ?? 10 * magnitude;
  for (let ms = 0; top + ms * scale <= bottom; ms += step) {
    const y = top + ms * scale;
    out.push(`<g class="tick"><line x1="${RULER - 10}" y1="${y}" x2="${RULER - 2}" y2="${y}"/><text x="${RULER - 12}" y="${y + 4}" text-anchor="end">${escapeHtml(formatDuration(ms))}</text></g>`);
  }
}

/** Keeps labels between the same lanes from printing over each other: each at least LABEL_GAP below the last. */
class LabelPlacer {
  private readonly last = new Map<number, number>();
  place(column: number, y: number): number {
    const previous = this.last.get(column);
    const placed = previous !== undefined && y < previous + LABEL_GAP ? previous + LABEL_GAP : y;
    this.last.set(column, placed);
    return placed;
  }
}

function compactJson(value: unknown): string {
  if (typeof value === 'string') return value;
  try {
    return JSON.stringify(value) ?? '';
  } catch {
    return String(value);
  }
}
