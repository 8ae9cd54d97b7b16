/**
 * The question asked before a tool call runs, on stderr (the policy said `ask`):
 *
 *   ? filesystem/write_file  (server "filesystem", not trusted)
 *     hints from the server: destructive          <- red; untrusted hints only change the wording
 *     arguments:
 *       { "path": "notes.txt", "content": "aaaa… (4,000 more characters: [v] shows all)" }
 *   Run it? [y]es once / [a]lways for this tool in this session / [n]o / [e]xplain to the model / [v]iew arguments in full:
 *
 * Answers are a line (letter or word, then Enter) read through a `LineAsker`, so the same
 * question works over the REPL's own reader and over a free stdin. An unknown answer asks
 * again; `v` prints the arguments whole and asks again; `e` asks for the reason the model
 * is given. The end of input answers no. Everything from the server or the model is made
 * inert (ui/sanitize.ts) before it reaches the terminal.
 */
import { terminalSafe } from './sanitize.js';
import type { Style } from './style.js';

/** Reads one answer line after showing `prompt`; undefined when the input has ended. Rejects when `signal` aborts. */
export type LineAsker = (prompt: string, signal: AbortSignal | undefined) => Promise<string | undefined>;

export interface ApprovalRequest {
  server: string;
  tool: string;
  /** The name the model used, when it differs from the tool's own. */
  exposedName?: string;
  trusted: boolean;
  annotations?: Readonly<Record<string, unknown>>;
  /** Parsed arguments, or the raw text when it is not JSON. */
  arguments: unknown;
  /** What made the policy ask (shown dim). */
  why: string;
  /** The tool appeared during the session (announced when it did). */
  isNew: boolean;
}

export type ApprovalAnswer = { kind: 'once' } | { kind: 'always' } | { kind: 'no' } | { kind: 'explain'; reason: string };

/** Longest string value shown before `v`; the whole arguments block is cut at this many lines. */
const VALUE_MAX = 200;
const LINES_MAX = 30;

export async function askApproval(request: ApprovalRequest, ask: LineAsker, out: NodeJS.WritableStream, style: Style, signal?: AbortSignal): Promise<ApprovalAnswer> {
  out.write(`${formatApprovalQuestion(request, style)}\n`);
  const prompt = `Run it? ${style.bold('[y]')}es once / ${style.bold('[a]')}lways for this tool in this session / ${style.bold('[n]')}o / ${style.bold('[e]')}xplain to the model / ${style.bold('[v]')}iew arguments in full: `;
  for (;;) {
    const line = await ask(prompt, signal);
    if (line === undefined) return { kind: 'no' };
    const answer = line.trim().toLowerCase();
    if (answer === 'y' || answer === 'yes') return { kind: 'once' };
    if (answer === 'a' || answer === 'always') return { kind: 'always' };
    if (answer === 'n' || answer === 'no') return { kind: 'no' };
    if (answer === 'v' || answer === 'view') {
      out.write(`${indent(terminalSafe(prettyArguments(request.arguments, Infinity)), '  ')}\n`);
      continue;
    }
    if (answer === 'e' || answer === 'explain') {
      const reason = await ask('Your reason, for the model (Enter for none): ', signal);
      if (reason === undefined) return { kind: 'no' };
      return reason.trim() ? { kind: 'explain', reason: reason.trim() } : { kind: 'no' };
    }
    out.write(style.dim('Answer y, a, n, e or v.\n'));
  }
}

/** The question's lines above the prompt. */
export function formatApprovalQuestion(request: ApprovalRequest, style: Style): string {
  const safe = (text: string) => terminalSafe(text, { singleLine: true });
  const name = `${safe(request.server)}/${safe(request.tool)}`;
  const alias = request.exposedName && request.exposedName !== request.tool ? ` (called as ${safe(request.exposedName)})` : '';
  const lines = [`${style.bold(`? ${name}`)}${alias}  ${style.dim(`server "${safe(request.server)}", ${request.trusted ? 'trusted' : 'not trusted'}; ${request.why}`)}`];
  if (request.isNew) lines.push(style.yellow('  new: this tool appeared during the session'));
  const hints = describeHints(request.annotations);
  if (hints.length > 0) {
    const shown = hints.map((hint) => (hint === 'destructive' ? style.red(hint) : hint)).join(', ');
    lines.push(`  ${request.trusted ? 'annotations' : 'hints from the server (unverified)'}: ${shown}`);
  }
  lines.push('  arguments:', indent(terminalSafe(prettyArguments(request.arguments, VALUE_MAX), {}), '    ', LINES_MAX));
  return lines.join('\n');
}

/** The MCP annotations worth a word: read-only, destructive, idempotent, open world. */
function describeHints(annotations: Readonly<Record<string, unknown>> | undefined): string[] {
  if (!annotations) return [];
  const hints: string[] = [];
  if (annotations.readOnlyHint === true) hints.push('read-only');
  // The spec's default for destructiveHint is true when the tool is not read-only; only say it when stated.
  if (annotations.destructiveHint === true) hints.push('destructive');
  if (annotations.idempotentHint === true) hints.push('idempotent');
  if (annotations.openWorldHint === true) hints.push('reaches outside (open world)');
  return hints;
}

/** JSON, two-space indented, with string values longer than `max` cut and the rest counted. */
export function prettyArguments(value: unknown, max: number): string {
  if (typeof value === 'string') return cut(value, max);
  const text = JSON.stringify(value, (_key, item: unknown) => (typeof item === 'string' ? cut(item, max) : item), 2);
  return text ?? String(value);
}

function cut(text: string, max: number): string {
  if (text.length <= max) return text;
  return `${text.slice(0, max)}… (${(text.length - max).toLocaleString('en-US')} more characters: [v] shows all)`;
}

function indent(text: string, prefix: string, maxLines = Infinity): string {
  const lines = text.split('\n');
  const shown = lines.length > maxLines ? [...lines.slice(0, maxLines), `… (${lines.length - maxLines} more lines: [v] shows all)`] : lines;
  return shown.map((line) => `${prefix}${line}`).join('\n');
}
