/**
 * The questions a server's requests put to the user in a terminal: approving a sampling
 * request (once / always for this server / deny), and answering an elicitation (a form asked
 * field by field by its JSON-schema type, or consent to open a URL). Everything shown that
 * came from the server goes through terminalSafe. Output goes to stderr, so stdout keeps
 * only the answer.
 *
 * Lines are read through the chat's line asker (line-asker.ts), one question at a time. This
 * module is loaded only when a server asks something.
 */
import { spawn } from 'node:child_process';
import type { ElicitResult } from '@modelcontextprotocol/sdk/types.js';
import type { ElicitParams, SamplingParams } from '../mcp/client-features.js';
import { askLine as asker, holdTerminal, oneQuestion } from './line-asker.js';
import { terminalSafe } from './sanitize.js';
import { oneLine } from './style.js';

export type { LineAsker } from './line-asker.js';

const say = (text: string) => process.stderr.write(`${text}\n`);
const safe = (text: string, max = 2_000) => {
  const clean = terminalSafe(text);
  return clean.length > max ? `${clean.slice(0, max)}… [${clean.length - max} more characters]` : clean;
};

export type SamplingAnswer = 'once' | 'always' | 'deny';

export function askSamplingApproval(server: string, params: SamplingParams, signal: AbortSignal): Promise<SamplingAnswer> {
  return oneQuestion(() => samplingQuestion(server, params, signal));
}

async function samplingQuestion(server: string, params: SamplingParams, signal: AbortSignal): Promise<SamplingAnswer> {
  say(`\nServer "${safe(server, 100)}" asks the model for a completion (at most ${params.maxTokens} tokens${params.tools ? `, with ${params.tools.length} tools of its own` : ''}):`);
  if (params.systemPrompt) say(`  system: ${safe(params.systemPrompt, 500)}`);
  for (const message of params.messages) {
    const blocks = Array.isArray(message.content) ? message.content : [message.content];
    const text = blocks.map((b) => (b.type === 'text' ? b.text : `[${b.type}]`)).join(' ');
    say(`  ${message.role}: ${safe(text, 1_000)}`);
  }
  for (;;) {
    const answer = (await asker('Allow it? [o]nce / [a]lways for this server / [d]eny: ', signal))?.trim().toLowerCase();
    if (answer === undefined || answer === 'd' || answer === 'deny' || answer === 'n' || answer === 'no') return 'deny';
    if (answer === 'o' || answer === 'once' || answer === 'y' || answer === 'yes') return 'once';
    if (answer === 'a' || answer === 'always') return 'always';
    say('  Answer o (allow once), a (always for this server) or d (deny).');
  }
}

export function askElicitation(server: string, params: ElicitParams, signal: AbortSignal, completed: Promise<void>): Promise<ElicitResult> {
  return oneQuestion(() => elicitationQuestion(server, params, signal, completed));
}

async function elicitationQuestion(server: string, params: ElicitParams, signal: AbortSignal, completed: Promise<void>): Promise<ElicitResult> {
  if (params.mode === 'url') return askUrlConsent(server, params, signal, completed);
  say(`\nServer "${safe(server, 100)}" asks for input:\n  ${safe(params.message)}`);
  const fields = Object.entries(params.requestedSchema.properties);
  say(`  Fields: ${fields.map(([name]) => safe(name, 60)).join(', ') || '(none)'}`);
  const action = await choose('Answer it? [a]ccept / [d]ecline / [c]ancel: ', { a: 'accept', accept: 'accept', d: 'decline', decline: 'decline', c: 'cancel', cancel: 'cancel' }, signal);
  if (action !== 'accept') return { action: action ?? 'cancel' };
  const required = new Set(params.requestedSchema.required ?? []);
  const content: Record<string, string | number | boolean | string[]> = {};
  for (const [name, schema] of fields) {
    const value = await askField(name, schema as FieldSchema, required.has(name), signal);
    if (value === CANCELLED) return { action: 'cancel' };
    if (value !== undefined) content[name] = value;
  }
  return { action: 'accept', content };
}

async function choose<T extends string>(prompt: string, answers: Record<string, T>, signal: AbortSignal): Promise<T | undefined> {
  for (;;) {
    const answer = (await asker(prompt, signal))?.trim().toLowerCase();
    if (answer === undefined) return undefined;
    if (Object.hasOwn(answers, answer)) return answers[answer];
    say(`  Answer one of: ${[...new Set(Object.keys(answers).filter((k) => k.length === 1))].join(', ')}.`);
  }
}

/** The JSON-schema keywords of an elicitation field that the form uses. */
interface FieldSchema {
  type?: string;
  title?: string;
  description?: string;
  format?: string;
  minLength?: number;
  maxLength?: number;
  minimum?: number;
  maximum?: number;
  default?: unknown;
  enum?: string[];
  enumNames?: string[];
  oneOf?: Array<{ const: string; title?: string }>;
  items?: { enum?: string[]; anyOf?: Array<{ const: string; title?: string }> };
  minItems?: number;
  maxItems?: number;
}

const CANCELLED = Symbol('cancelled');

/** One field: asked until the answer is valid; empty takes the default, or skips an optional field. */
async function askField(name: string, schema: FieldSchema, required: boolean, signal: AbortSignal): Promise<string | number | boolean | string[] | undefined | typeof CANCELLED> {
  const label = safe(schema.title ?? name, 100);
  if (schema.description) say(`  ${label}: ${safe(schema.description, 300)}`);
  const choices = choicesOf(schema);
  if (choices) choices.forEach((choice, i) => say(`    ${i + 1}. ${safe(choice.title, 100)}`));
  const hint = [
    schema.type === 'boolean' ? 'y/n' : undefined,
    schema.format,
    schema.type === 'integer' ? 'whole number' : schema.type === 'number' ? 'number' : undefined,
    schema.minimum !== undefined || schema.maximum !== undefined ? `${schema.minimum ?? ''}..${schema.maximum ?? ''}` : undefined,
    choices ? (schema.type === 'array' ? 'numbers, comma-separated' : 'number') : undefined,
    required ? 'required' : 'optional',
  ].filter(Boolean);
  const shownDefault = schema.default === undefined ? '' : ` [${safe(Array.isArray(schema.default) ? schema.default.join(', ') : String(schema.default), 100)}]`;
  for (;;) {
    const raw = await asker(`  ${label} (${hint.join(', ')})${shownDefault}: `, signal);
    if (raw === undefined) return CANCELLED;
    const answer = raw.trim();
    if (answer === '') {
      if (schema.default !== undefined) return schema.default as string | number | boolean | string[];
      if (!required) return undefined;
      say('  This field is required.');
      continue;
    }
    const parsed = parseField(answer, schema, choices);
    if (typeof parsed === 'object' && parsed !== null && 'problem' in parsed) {
      say(`  ${parsed.problem}`);
      continue;
    }
    return parsed;
  }
}

function choicesOf(schema: FieldSchema): Array<{ value: string; title: string }> | undefined {
  if (schema.enum) return schema.enum.map((value, i) => ({ value, title: schema.enumNames?.[i] ?? value }));
  if (schema.oneOf) return schema.oneOf.map((o) => ({ value: o.const, title: o.title ?? o.const }));
  if (schema.items?.enum) return schema.items.enum.map((value) => ({ value, title: value }));
  if (schema.items?.anyOf) return schema.items.anyOf.map((o) => ({ value: o.const, title: o.title ?? o.const }));
  return undefined;
}

const FORMATS: Record<string, { test: (v: string) => boolean; example: string }> = {
  email: { test: (v) => /^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(v), example: 'name@example.com' },
  uri: { test: (v) => URL.canParse(v), example: 'https://example.com' },
  date: { test: (v) => /^\d{4}-\d{2}-\d{2}$/.test(v) && !Number.isNaN(Date.parse(v)), example: '2025-01-31' },
  'date-time': { test: (v) => /^\d{4}-\d{2}-\d{2}T/.test(v) && !Number.isNaN(Date.parse(v)), example: '2025-01-31T09:30:00Z' },
};

/** Validates one answer against its field's schema (what the server would otherwise reject). */
export function parseField(answer: string, schema: FieldSchema, choices = choicesOf(schema)): string | number | boolean | string[] | { problem: string } {
  if (schema.type === 'boolean') {
    if (/^(y|yes|true)$/i.test(answer)) return true;
    if (/^(n|no|false)$/i.test(answer)) return false;
    return { problem: 'Answer y or n.' };
  }
  if (choices) {
    const pick = (word: string) => choices[Number(word) - 1]?.value ?? choices.find((c) => c.value === word)?.value;
    if (schema.type === 'array') {
      const picked = answer.split(',').map((w) => w.trim()).filter(Boolean).map(pick);
      if (picked.some((p) => p === undefined)) return { problem: `Pick from the list by number (1-${choices.length}), comma-separated.` };
      if ((schema.minItems !== undefined && picked.length < schema.minItems) || (schema.maxItems !== undefined && picked.length > schema.maxItems)) {
        return { problem: `Pick ${schema.minItems ?? 0} to ${schema.maxItems ?? choices.length} items.` };
      }
      return picked as string[];
    }
    return pick(answer) ?? { problem: `Pick one by number, 1-${choices.length}.` };
  }
  if (schema.type === 'number' || schema.type === 'integer') {
    const n = Number(answer);
    if (!Number.isFinite(n)) return { problem: 'Type a number.' };
    if (schema.type === 'integer' && !Number.isInteger(n)) return { problem: 'Type a whole number.' };
    if (schema.minimum !== undefined && n < schema.minimum) return { problem: `It must be at least ${schema.minimum}.` };
    if (schema.maximum !== undefined && n > schema.maximum) return { problem: `It must be at most ${schema.maximum}.` };
    return n;
  }
  const format = schema.format ? FORMATS[schema.format] : undefined;
  if (format && !format.test(answer)) return { problem: `That is not a valid ${schema.format}, e.g. ${format.example}.` };
  if (schema.minLength !== undefined && answer.length < schema.minLength) return { problem: `At least ${schema.minLength} characters.` };
  if (schema.maxLength !== undefined && answer.length > schema.maxLength) return { problem: `At most ${schema.maxLength} characters.` };
  return answer;
}

/**
 * URL mode: the full URL and the server's name, then consent. Switchboard never fetches the
 * URL itself: with consent it hands it to the browser ($BROWSER, else xdg-open / open) and
 * answers accept at once (the server goes on waiting for the page flow, as the tool call
 * does); the server's `notifications/elicitation/complete` ends the wait, and is shown.
 */
async function askUrlConsent(server: string, params: Extract<ElicitParams, { mode: 'url' }>, signal: AbortSignal, completed: Promise<void>): Promise<ElicitResult> {
  say(`\nServer "${safe(server, 100)}" asks you to open a web page:\n  ${safe(params.message)}\n  URL: ${safe(params.url, 4_000)}`);
  const action = await choose('Open it in your browser? [y]es / [n]o (decline) / [c]ancel: ', { y: 'accept', yes: 'accept', n: 'decline', no: 'decline', c: 'cancel', cancel: 'cancel' }, signal);
  if (action !== 'accept') return { action: action ?? 'cancel' };
  openInBrowser(params.url);
  say(`  Opened. Waiting for server "${safe(server, 100)}" to say the page flow is done...`);
  // Later, maybe while the spinner runs again: it steps aside for the line.
  void completed.then(() => {
    const release = holdTerminal();
    say(`  Server "${safe(server, 100)}" says the page flow is done.`);
    release?.();
  });
  return { action: 'accept' };
}

function openInBrowser(url: string): void {
  const command = process.env.BROWSER || (process.platform === 'darwin' ? 'open' : 'xdg-open');
  try {
    const child = spawn(command, [url], { stdio: 'ignore', detached: true });
    child.on('error', () => say(`  Could not start "${oneLine(command, 60)}"; open the URL above yourself.`));
    child.unref();
  } catch {
    say('  Open the URL above yourself.');
  }
}
