/**
 * Minimal ANSI styling. Colour is Node's own decision (`WriteStream.hasColors()`): on for a
 * terminal that supports it, off with NO_COLOR, NODE_DISABLE_COLORS or TERM=dumb; FORCE_COLOR
 * (1, 2, 3 or empty) turns it on even for a pipe, FORCE_COLOR=0 off.
 */
import { WriteStream } from 'node:tty';
import { terminalSafe } from './sanitize.js';

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
 * Untrusted text (from a server or a model) made safe for a terminal, several lines kept:
 * the one sanitiser (`terminalSafe`, see sanitize.ts) every renderer goes through. Style
 * (colours) is applied to its result, never before.
 */
export function safe(text: string): string {
  return terminalSafe(text);
}

/**
 * Untrusted text as one line of at most `max` characters (code points), for progress
 * output, names and notices: made safe by the sanitiser first (escape sequences removed,
 * other controls, bidi and tag characters made visible), then whitespace runs (newlines,
 * tabs) folded into one space, then cut with `…`.
 */
export function oneLine(text: string, max = 160): string {
  const flat = terminalSafe(text).replace(/\s+/g, ' ').trim();
  return cut(flat, max);
}

/** At most `max` code points (a cut text ends with `…`); never splits a surrogate pair. */
export function cut(text: string, max: number): string {
  if (text.length <= max) return text;
  const points = [...text];
  return points.length > max ? `${points.slice(0, Math.max(0, max - 1)).join('')}…` : text;
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
