/**
 * The renderers (src/ui/terminal.ts, src/ui/jsonl.ts) never throw, whatever the event holds:
 * values nested thousands of levels deep (a server's log data, arguments handed over parsed)
 * are shown cut, and an event that cannot be shown at all is reported as one line.
 */
import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import type { OutputEvent } from '../../src/agent/events.js';
import { JsonLinesRenderer } from '../../src/ui/jsonl.js';
import { TerminalRenderer } from '../../src/ui/terminal.js';

function sink(): { stream: NodeJS.WriteStream; text(): string } {
  const stream = new PassThrough();
  const chunks: string[] = [];
  stream.on('data', (chunk: Buffer) => chunks.push(chunk.toString('utf8')));
  return { stream: stream as unknown as NodeJS.WriteStream, text: () => chunks.join('') };
}

function nested(depth: number): unknown {
  let value: unknown = 'bottom';
  for (let i = 0; i < depth; i++) value = { a: value };
  return value;
}

const deepLog: OutputEvent = { type: 'server_log', server: 's', level: 'info', data: nested(10_000) };
const deepCall: OutputEvent = { type: 'tool_call', id: 'c1', name: 't', arguments: nested(10_000) };

describe('renderers cannot be killed by an event', () => {
  it('JSON lines: a value 10,000 levels deep is written as one line of valid JSON, cut with a placeholder', () => {
    const out = sink();
    const err = sink();
    const renderer = new JsonLinesRenderer(out.stream, err.stream);
    renderer.render(deepLog);
    renderer.render(deepCall);
    renderer.render({ type: 'final', text: 'after', steps: 1 });
    const lines = out.text().trim().split('\n');
    expect(lines).toHaveLength(3);
    expect(JSON.parse(lines[0]!)).toMatchObject({ type: 'server_log', server: 's' });
    expect(lines[0]).toContain('[nested too deep]');
    expect(JSON.parse(lines[2]!)).toEqual({ v: 1, type: 'final', text: 'after', steps: 1 });
    expect(err.text()).toBe('');
  });

  it('JSON lines: an event that cannot be serialised at all is one line on stderr, and the next renders', () => {
    const out = sink();
    const err = sink();
    const renderer = new JsonLinesRenderer(out.stream, err.stream);
    const throwing = { toJSON: () => { throw new Error('boom'); } };
    renderer.render({ type: 'server_log', server: 's', level: 'info', data: throwing });
    renderer.render({ type: 'final', text: 'after', steps: 1 });
    expect(err.text()).toMatch(/^! could not write a server_log event as JSON: .*boom.*\n$/);
    expect(out.text()).toBe('{"v":1,"type":"final","text":"after","steps":1}\n');
  });

  it('terminal: a tool_call with parsed arguments 10,000 levels deep is one progress line', () => {
    const out = sink();
    const err = sink();
    const renderer = new TerminalRenderer({ stdout: out.stream, stderr: err.stream, verbose: true });
    renderer.render(deepCall);
    renderer.render(deepLog);
    renderer.render({ type: 'final', text: 'after', steps: 1 });
    expect(err.text()).toMatch(/^→ t \{"a":\{"a":/);
    expect(err.text()).not.toMatch(/could not show/);
    expect(out.text()).toBe('after\n');
  });

  it('terminal: an event whose rendering throws anyway is reported as one line, and the session goes on', () => {
    const out = sink();
    const err = sink();
    const renderer = new TerminalRenderer({ stdout: out.stream, stderr: err.stream, verbose: false });
    // A malformed event (a bug elsewhere): `text` is not a string.
    renderer.render({ type: 'tool_result', id: 'c1', name: 't', text: undefined as unknown as string, isError: false, durationMs: 1 });
    renderer.render({ type: 'final', text: 'after', steps: 1 });
    expect(err.text()).toMatch(/! could not show a tool_result event: /);
    expect(out.text()).toBe('after\n');
  });
});
