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

export const MASK = '***';
export const MIN_SECRET_LENGTH = 4;

export class Redactor {
  private readonly values = new Set<string>();
  private pattern: RegExp | undefined;

  constructor(values: Iterable<string> = []) {
    for (const value of values) this.add(value);
  }

  /** Records a value to mask from now on. */
  add(value: string): void {
    if (value.length < MIN_SECRET_LENGTH || this.values.has(value)) return;
    this.values.add(value);
    this.pattern = undefined;
  }

  get size(): number {
    return this.values.size;
  }

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
 * The JSON text of `value` with every string in it masked by `mask`: values and object keys,
 * never the JSON text itself (a secret "true" or "1234" must not break the JSON). The one way
 * every JSON output writes a record: `--json` events, the log file, the session file.
 * Throws what JSON.stringify throws (a value too deep: callers that take untrusted depth cut it first).
 */
export function maskedJson(value: unknown, mask: (text: string) => string): string {
  return JSON.stringify(value, (_key, child: unknown) => {
    if (typeof child === 'string') return mask(child);
    if (child === null || typeof child !== 'object' || Array.isArray(child)) return child;
    const keys = Object.keys(child);
    if (keys.every((key) => mask(key) === key)) return child;
    return Object.fromEntries(keys.map((key) => [mask(key), (child as Record<string, unknown>)[key]]));
  });
}

/** A copy of the JSON value `value` with every string in it masked (see maskedJson): what a renderer draws from. */
export function maskedCopy<T>(value: T, mask: (text: string) => string): T {
  if (typeof value === 'string') return mask(value) as T;
  if (value === null || typeof value !== 'object') return value;
  return JSON.parse(maskedJson(value, mask)) as T;
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

  end(): string {
    const rest = this.redactor.redact(this.held);
    this.held = '';
    return rest;
  }
}

/**
 * The run's redactor. The CLI runs one config per process, and the error report in
 * `cli/main.ts` happens after the run's own objects are gone; so the loader's secrets are
 * registered here (by `cli/config-loader.ts`) and every printing path masks with it.
 */
export const runRedactor = new Redactor();
