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
    this.pattern ??= new RegExp(
      [...this.values]
        .sort((a, b) => b.length - a.length)
        .map((value) => value.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'))
        .join('|'),
      'g',
    );
    return text.replace(this.pattern, MASK);
  }
}

/**
 * The run's redactor. The CLI runs one config per process, and the error report in
 * `cli/main.ts` happens after the run's own objects are gone; so the loader's secrets are
 * registered here (by `cli/config-loader.ts`) and every printing path masks with it.
 */
export const runRedactor = new Redactor();
