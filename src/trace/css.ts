/** The trace page's stylesheet (inline: the page loads nothing). */
export const TRACE_CSS = `
:root { color-scheme: light dark; --fg: #1d2330; --muted: #6b7280; --line: #c6ccd6; --host: #e8eefc; --model: #7c5cff; --tool: #0e9f6e; --bad: #d92d20; --bg: #fff; }
@media (prefers-color-scheme: dark) { :root { --fg: #e6e9ef; --muted: #9aa3b2; --line: #3b4252; --host: #1f2a44; --bg: #111318; } }
body { font: 14px/1.45 system-ui, sans-serif; color: var(--fg); background: var(--bg); margin: 24px; }
h1 { font-size: 18px; margin: 0 0 12px; }
h2 { font-size: 16px; margin: 24px 0 8px; }
h3, h4 { font-size: 13px; margin: 10px 0 4px; color: var(--muted); }
pre { white-space: pre-wrap; word-break: break-word; background: color-mix(in srgb, var(--line) 25%, transparent); padding: 8px; border-radius: 6px; margin: 4px 0; max-height: 400px; overflow: auto; }
.summary th { text-align: left; padding-right: 16px; color: var(--muted); font-weight: 500; }
.diagram-box { overflow-x: auto; margin: 16px 0; }
svg.diagram text { font: 12px system-ui, sans-serif; fill: var(--fg); }
svg.diagram a text { text-decoration: none; }
svg.diagram a:hover text { text-decoration: underline; }
.lane-head { fill: var(--host); stroke: var(--line); }
.lifeline { stroke: var(--line); stroke-dasharray: 4 4; }
.turn-sep { stroke: var(--line); }
svg.diagram .turn-title { font-weight: 600; }
svg.diagram .idle, svg.diagram .tick text { fill: var(--muted); font-size: 11px; }
.tick line { stroke: var(--muted); }
.arrow line { stroke: var(--fg); stroke-width: 1.3; }
.arrow.model-request line, .arrow.model-reply line { stroke: var(--model); }
.arrow.tool-call line, .arrow.tool-result line { stroke: var(--tool); }
.arrow.error line, .arrow.stopped line { stroke: var(--bad); }
svg.diagram .arrow.error text, svg.diagram .arrow.stopped text, svg.diagram .retry text, svg.diagram .interrupted-mark { fill: var(--bad); }
.arrow.interrupted line { stroke-dasharray: 3 3; }
.span rect { stroke: none; }
.host-active rect { fill: var(--host); }
.model-call rect { fill: var(--model); }
.model-call.retried rect { stroke: var(--bad); stroke-width: 2; }
.tool-span rect { fill: var(--tool); }
.tool-span.error rect { fill: var(--bad); }
.tool-span.interrupted rect { fill: none; stroke: var(--bad); stroke-dasharray: 3 2; }
details { border: 1px solid var(--line); border-radius: 6px; padding: 4px 8px; margin: 6px 0; }
details > summary { cursor: pointer; }
details.error, details.interrupted { border-color: var(--bad); }
.bad { color: var(--bad); }
.good { color: var(--tool); }
.notice { color: var(--muted); }
.reasoning { color: var(--muted); font-style: italic; }
`;
