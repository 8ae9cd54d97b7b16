/**
 * Minimal ANSI styling. Colour is Node's own decision (`WriteStream.hasColors()`): on for a
 * terminal that supports it, off with NO_COLOR, NODE_DISABLE_COLORS or TERM=dumb; FORCE_COLOR
 * (1, 2, 3 or empty) turns it on even for a pipe, FORCE_COLOR=0 off.
 */
import { WriteStream } from 'node:tty';

export interface Style {
  dim(text: string): string;
  red(text: string): string;
  yellow(text: string): string;
  cyan(text: string): string;
  bold(text: string): string;
}

export function styleFor(stream: NodeJS.WriteStream, env: NodeJS.ProcessEnv = process.env): Style {
  const on = colours(stream, env);
  const wrap = (open: number, close: number) => (text: string) => (on ? `\u001b[${open}m${text}\u001b[${close}m` : text);
  return { dim: wrap(2, 22), red: wrap(31, 39), yellow: wrap(33, 39), cyan: wrap(36, 39), bold: wrap(1, 22) };
}

/**
 * One line, at most `max` characters, for progress output. Control characters (escape
 * sequences from a server or a model) are dropped, so the text is inert on a terminal.
 */
export function oneLine(text: string, max = 160): string {
  // eslint-disable-next-line no-control-regex
  const flat = text.replace(/\s+/g, ' ').replace(/[\u0000-\u001f\u007f-\u009f]/g, '').trim();
  return flat.length > max ? `${flat.slice(0, max - 1)}…` : flat;
}

function colours(stream: NodeJS.WriteStream, env: NodeJS.ProcessEnv): boolean {
  if (!stream.isTTY && env.FORCE_COLOR === undefined) return false;
  // hasColors() reads only `env`, so the prototype's serves a pipe under FORCE_COLOR too.
  return WriteStream.prototype.hasColors.call(stream, 16, env);
}

/** True when `stream` is a terminal that can rewrite its current line (a status line). */
export function canRewriteLine(stream: NodeJS.WriteStream, env: NodeJS.ProcessEnv = process.env): boolean {
  return Boolean(stream.isTTY) && env.TERM !== 'dumb';
}
