/**
 * Masking of secret values in text that reaches a terminal, a log or an error message.
 *
 * The config loader records every value that came from a variable expansion (`${env:X}`,
 * `${X}`, `${input:ID}`) and every `env` value of a server entry; `redact(text)` replaces
 * each occurrence of any of them with `***`, whoever wrote the text (Switchboard's own
 * messages, or a server echoing its argv on stderr).
 *
 * Values shorter than MIN_SECRET_LENGTH are not masked: masking "1" or "en" would garble
 * every message and hide nothing worth hiding.
 */
import { MAX_JSON_DEPTH, safeStringify, valueDepthExceeds } from '../mcp/json-depth.js';

export const MASK = '***';
export const MIN_SECRET_LENGTH = 4;

const NOT_MASKABLE = /^(?:true|false|null|[-+]?\d+(?:\.\d+)?)$/i;

export class Redactor {
  private readonly values = new Set<string>();
  private pattern: RegExp | undefined;
  /** Length of the longest recorded value: the window `spanning` looks at. */
  private longest = 0;

  constructor(values: Iterable<string> = []) {
    for (const value of values) this.add(value);
  }

  /** Records a value to mask from now on. */
  add(value: string): void {
    // A number or true/false/null cannot be told apart from data: masking it would rewrite
    // ports, counts and JSON literals everywhere, and protect nothing worth the damage.
    if (value.length < MIN_SECRET_LENGTH || NOT_MASKABLE.test(value) || this.values.has(value)) return;
    this.values.add(value);
    this.longest = Math.max(this.longest, value.length);
    this.pattern = undefined;
  }

  get size(): number {
    return this.values.size;
  }

  /** `redact`, bound: what every output passes as its mask function. */
  readonly mask = (text: string): string => this.redact(text);

  /**
   * `text` with every recorded value replaced by `***`. One combined regular expression,
   * longest values first (so a secret that contains another is masked whole), built once
   * per change of the set: a single left-to-right pass over the text.
   */
  redact(text: string): string {
    if (this.values.size === 0 || text.length === 0) return text;
    return text.replace(this.regex(), MASK);
  }

  /**
   * Where `text`, the start of a stream, may be cut so that no secret spans the cut, however
   * the stream goes on: before the earliest suffix that is the start of a secret (or a whole
   * one), and never inside an occurrence. `text.length` when nothing needs holding back.
   */
  safeCut(text: string): number {
    let cut = text.length;
    for (const value of this.values) {
      // The longest suffix of text that is a prefix of value (whole value included).
      for (let length = Math.min(value.length, text.length); length > text.length - cut; length--) {
        if (text.endsWith(value.slice(0, length))) {
          cut = text.length - length;
          break;
        }
      }
    }
    if (cut === text.length || this.values.size === 0) return cut;
    // An occurrence that starts before the cut and ends after it is held back whole.
    for (const match of text.matchAll(this.regex())) {
      if (match.index < cut && match.index + match[0].length > cut) cut = match.index;
    }
    return cut;
  }

  /**
   * The occurrence of a secret in `text` that spans position `at` (starts before it and ends
   * after it), if any: a cut there would leave two halves that no mask recognises. Looks only
   * at a window of the longest secret's length around `at`.
   */
  spanning(text: string, at: number): { start: number; end: number } | undefined {
    if (this.values.size === 0 || at <= 0 || at >= text.length) return undefined;
    const from = Math.max(0, at - this.longest + 1);
    const window = text.slice(from, Math.min(text.length, at + this.longest - 1));
    for (const match of window.matchAll(this.regex())) {
      const start = from + match.index;
      const end = start + match[0].length;
      if (start < at && end > at) return { start, end };
    }
    return undefined;
  }

  private regex(): RegExp {
    return (this.pattern ??= new RegExp(
      [...this.values]
        .sort((a, b) => b.length - a.length)
        .map((value) => value.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'))
        .join('|'),
      'g',
    ));
  }
}

/**
 * Fields whose string values are the record's own structure (an event's `type`, a message's
 * `role`, ids, states), never text anyone wrote: masking a secret that happens to equal one
 * (a server `env` value "user" or "text") would corrupt the session file that `--resume`
 * rebuilds from, and the events scripts parse. `data:` URLs (images sent to the model) are
 * left alone too: a short secret occurs in a megabyte of base64 by chance.
 */
const STRUCTURAL_FIELDS = new Set(['type', 'role', 'id', 'toolCallId', 'tool_call_id', 'callId', 'state', 'previous', 'finishReason', 'kind', 'level', 'mimeType']);

/**
 * The JSON text of `value` with every string value in it masked by `mask`, never the JSON
 * text itself (a secret cannot break the JSON), object keys, structural fields or binary
 * payloads (see STRUCTURAL_FIELDS). The one way every JSON output writes a record: `--json`
 * events, the log file, the session file.
 * Throws what JSON.stringify throws (a value too deep: callers that take untrusted depth cut it first).
 */
export function maskedJson(value: unknown, mask: (text: string) => string): string {
  return JSON.stringify(value, (key, child: unknown) => {
    if (typeof child !== 'string') return child;
    if (STRUCTURAL_FIELDS.has(key) || child.startsWith('data:')) return child;
    return mask(child);
  });
}

/**
 * A copy of the JSON value `value` with every string in it masked (see maskedJson): what a
 * renderer draws from. A value nested deeper than MAX_JSON_DEPTH (a server's log data, a
 * model's arguments) is cut first, so the copy never throws.
 */
export function maskedCopy<T>(value: T, mask: (text: string) => string): T {
  if (typeof value === 'string') return mask(value) as T;
  if (value === null || typeof value !== 'object') return value;
  const bounded = valueDepthExceeds(value, MAX_JSON_DEPTH) ? (JSON.parse(safeStringify(value)) as T) : value;
  return JSON.parse(maskedJson(bounded, mask)) as T;
}

/**
 * Masks text that arrives in pieces (a model's streamed answer): a secret split across two
 * pieces is masked whole. `feed` returns what can be shown now; it holds back the shortest
 * tail that could still grow into a secret (only a tail that matches the start of one, so
 * ordinary text is never delayed), and `end` returns what is held.
 */
export class StreamMasker {
  private held = '';

  constructor(private readonly redactor: Redactor) {}

  feed(text: string): string {
    const buffer = this.held + text;
    const cut = this.redactor.safeCut(buffer);
    this.held = buffer.slice(cut);
    return this.redactor.redact(buffer.slice(0, cut));
  }

  /**
   * What is held, at the end of the stream (however it ended: finished, cut off, retried,
   * cancelled). The held tail is the start of a secret: of 4 characters or more it is shown as
   * `***` (a stream broken mid-secret must not show most of it); shorter, it is shown as it is
   * (a word that merely starts like a secret).
   */
  end(): string {
    const held = this.held;
    this.held = '';
    const cut = this.redactor.safeCut(held);
    const tail = held.slice(cut);
    return this.redactor.redact(held.slice(0, cut)) + (tail.length >= MIN_SECRET_LENGTH ? MASK : tail);
  }
}

/**
 * The run's redactor. The CLI runs one config per process, and the error report in
 * `cli/main.ts` happens after the run's own objects are gone; so the loader's secrets are
 * registered here (by `cli/config-loader.ts`) and every printing path masks with it.
 */
export const runRedactor = new Redactor();
