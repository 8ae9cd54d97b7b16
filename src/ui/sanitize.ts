/**
 * Terminal-safe rendering of untrusted text: everything a server says (tool names,
 * descriptions, results, log messages, stderr, error messages) and everything a model says
 * (text, reasoning, tool names and arguments) passes through here before it reaches a
 * terminal. Switchboard's own colours are added AFTER, to the already safe text. `--json`
 * output and files (session, log) keep the raw text: do not use this for them.
 *
 * Contract: the output contains no C0/C1 control character other than newline and tab, no
 * ESC and therefore no escape sequence, no bidi control and no invisible tag character; all
 * other text (emoji, CJK, combining marks, ZWJ/ZWNJ, ordinary text) passes byte for byte.
 *
 * What happens to what (the choice: remove what is terminal machinery, make visible what is a
 * character the user should know is there):
 * - Escape sequences are REMOVED, silently: ESC-prefixed and 8-bit (C1) forms of CSI
 *   (`ESC [ ... final`, e.g. colours, cursor moves, `ESC[2J` screen clear), OSC (`ESC ] ...`,
 *   e.g. `OSC 0` title change, `OSC 8` hyperlink: the link text stays, the hidden target goes;
 *   `OSC 52` clipboard write), DCS/SOS/PM/APC strings, and two- or three-byte escapes
 *   (`ESC c` reset, `ESC 7`, `ESC ( B`). Colours in tool output are common, so markers there
 *   would be noise. A string sequence (OSC, DCS, ...) ends at BEL, ST (`ESC \` or U+009C),
 *   CAN/SUB, or - unlike a terminal - at a newline, which is kept: an unterminated OSC can
 *   hide at most the rest of its line, never the rest of the output.
 * - `\r\n` becomes `\n`. A lone carriage return (which would let later text overwrite the line)
 *   is shown as `␍`.
 * - Other C0 controls (backspace, BEL, form feed, a stray ESC, ...) are shown as their Unicode
 *   "control picture" (`␈`, `␇`, `␌`, `␛`); DEL as `␡`. Other C1 controls as `<U+0085>`.
 * - Bidi controls (U+202A..U+202E embeddings/overrides, U+2066..U+2069 isolates, U+200E/U+200F
 *   marks, U+061C) and invisible format characters (U+200B zero width space, U+2060..U+2064,
 *   U+206A..U+206F, U+FEFF, U+180E, U+FFF9..U+FFFB) are shown as `<U+202E>`. ZWJ/ZWNJ
 *   (U+200D/U+200C) are kept: emoji sequences and several scripts need them.
 * - Invisible tag characters (U+E0000..U+E007F, "ASCII smuggling") are decoded so the user
 *   sees what they hide: a run of them is shown as `<tags:hidden text>` (printable tags as
 *   their ASCII letter, others as `{U+E007F}`). Flag emoji that use tags (England, Scotland,
 *   Wales) render decoded too: a price worth paying.
 * - With `singleLine` (tool names, progress lines, one-line notices), newline and tab are
 *   shown too (`␊`, `␉`), so a name cannot fake a second line.
 *
 * Cost: one pass over the UTF-16 code units, no regular expressions, no backtracking; clean
 * runs are copied as slices. `TerminalSanitizer` keeps only a small state between chunks (the
 * parser state, a pending `\r`, a pending high surrogate, whether a tag run is open), so a
 * sequence split across streamed deltas is still removed and a never-ending OSC costs no
 * memory: its content is dropped as it arrives.
 */

export interface TerminalSafeOptions {
  /** Also show newline and tab as `␊` and `␉` (for names and one-line output). */
  singleLine?: boolean;
}

const ESC = 0x1b;
const BEL = 0x07;
const LF = 0x0a;
const CR = 0x0d;
const TAB = 0x09;
const CAN = 0x18;
const SUB = 0x1a;
const DEL = 0x7f;
const C1_ST = 0x9c;
/** High surrogate of U+E0000..U+E03FF (tags and the variation selectors supplement). */
const TAG_HIGH = 0xdb40;

/** Parser states: where we are in an escape sequence, if in one. */
const enum Mode {
  Ground,
  /** After ESC. */
  Escape,
  /** After ESC and one or more intermediates (0x20..0x2F), waiting for the final byte. */
  EscapeIntermediate,
  /** Inside a CSI: parameters and intermediates until a final byte 0x40..0x7E. */
  Csi,
  /** Inside OSC/DCS/SOS/PM/APC: content dropped until a terminator. */
  Str,
  /** Inside a string, just after an ESC (ST is `ESC \`). */
  StrEscape,
}

/** Streams text through the sanitiser chunk by chunk; see the file comment. */
export class TerminalSanitizer {
  private mode = Mode.Ground;
  private pendingCr = false;
  private pendingHigh = '';
  private inTagRun = false;
  private readonly singleLine: boolean;

  constructor(options: TerminalSafeOptions = {}) {
    this.singleLine = options.singleLine ?? false;
  }

  /** The safe text for this chunk; it may hold back a `\r` or half a surrogate pair until the next. */
  feed(chunk: string): string {
    const text = this.pendingHigh ? this.pendingHigh + chunk : chunk;
    this.pendingHigh = '';
    const out: string[] = [];
    const n = text.length;
    let runStart = 0; // start of the clean run not yet copied (Ground only)
    let i = 0;
    if (this.pendingCr && n > 0) {
      this.pendingCr = false;
      if (text.charCodeAt(0) !== LF) out.push(this.visibleCr());
    }
    while (i < n) {
      const c = text.charCodeAt(i);
      switch (this.mode) {
        case Mode.Ground: {
          if (!this.needsCare(c)) {
            i++;
            continue;
          }
          if (i > runStart) out.push(text.slice(runStart, i));
          i = this.ground(text, i, c, out);
          runStart = i;
          continue;
        }
        case Mode.Escape:
          if (this.escape(c, out)) {
            runStart = i;
            continue; // not an escape after all: look at this code unit again as text
          }
          break;
        case Mode.EscapeIntermediate:
          if (c >= 0x20 && c <= 0x2f) break;
          this.mode = Mode.Ground;
          if (c >= 0x30 && c <= 0x7e) break;
          runStart = i;
          continue; // not a valid escape: look at this code unit again as text
        case Mode.Csi:
          if (c >= 0x20 && c <= 0x3f) break;
          this.mode = Mode.Ground;
          if (c >= 0x40 && c <= 0x7e) break;
          runStart = i;
          continue; // broken CSI: the rest is shown as (safe) text
        case Mode.Str:
          if (c === ESC) this.mode = Mode.StrEscape;
          else if (c === BEL || c === C1_ST || c === CAN || c === SUB) this.mode = Mode.Ground;
          else if (c === LF) {
            this.mode = Mode.Ground;
            runStart = i;
            continue; // the newline is kept
          }
          break;
        case Mode.StrEscape:
          if (c === 0x5c /* \ */) {
            this.mode = Mode.Ground;
            break;
          }
          this.mode = Mode.Escape; // ESC inside a string aborts it and starts a new escape
          continue;
      }
      i++;
      runStart = i;
    }
    if (this.mode === Mode.Ground && n > runStart) {
      // Hold back half a surrogate pair, so no chunk ends in a lone surrogate.
      const last = text.charCodeAt(n - 1);
      const end = last >= 0xd800 && last <= 0xdbff ? n - 1 : n;
      if (end < n) this.pendingHigh = text[n - 1]!;
      if (end > runStart) out.push(text.slice(runStart, end));
    }
    return out.join('');
  }

  /** Ends the stream: shows a held-back `\r`, closes an open tag run, drops an unterminated sequence. Resets the state. */
  end(): string {
    let out = '';
    if (this.pendingHigh) out += this.inTagRun ? '>' + this.pendingHigh : this.pendingHigh;
    else if (this.inTagRun) out += '>';
    if (this.pendingCr) out += this.visibleCr();
    this.mode = Mode.Ground;
    this.pendingCr = false;
    this.pendingHigh = '';
    this.inTagRun = false;
    return out;
  }

  private visibleCr(): string {
    return '␍';
  }

  /** Whether a code unit in Ground needs more than copying. */
  private needsCare(c: number): boolean {
    if (this.inTagRun) return true; // the run must be closed before anything else
    if (c < 0x20) return this.singleLine || (c !== LF && c !== TAB);
    if (c < DEL) return false; // printable ASCII: the common case
    if (c <= 0x9f) return true; // DEL and C1
    if (c < 0x061c) return false;
    return isShownAsCodePoint(c) || c === TAG_HIGH;
  }

  /** Handles one code unit in Ground that needs care; returns the index to go on from. */
  private ground(text: string, i: number, c: number, out: string[]): number {
    if (c === TAG_HIGH) {
      if (i + 1 >= text.length) {
        this.pendingHigh = text[i]!;
        return i + 1;
      }
      const low = text.charCodeAt(i + 1);
      if (low >= 0xdc00 && low <= 0xdc7f) {
        if (!this.inTagRun) out.push('<tags:');
        this.inTagRun = true;
        const tag = low - 0xdc00; // U+E0000 + tag
        out.push(tag >= 0x20 && tag <= 0x7e ? String.fromCharCode(tag) : `{U+${(0xe0000 + tag).toString(16).toUpperCase()}}`);
        return i + 2;
      }
    }
    if (this.inTagRun) {
      out.push('>');
      this.inTagRun = false;
      if (!this.needsCare(c)) return i; // copied with the next clean run
    }
    if (c === TAG_HIGH) {
      out.push(text[i]!); // not a tag (e.g. a variation selector): kept, with its low half next
      return i + 1;
    }
    if (c === ESC) {
      this.mode = Mode.Escape;
      return i + 1;
    }
    if (c === CR) {
      if (i + 1 >= text.length) {
        this.pendingCr = true;
        return i + 1;
      }
      if (text.charCodeAt(i + 1) !== LF) out.push(this.visibleCr());
      return i + 1;
    }
    if (c < 0x20) {
      out.push(String.fromCharCode(0x2400 + c)); // U+2400.. control pictures: ␀ ␈ ␊ ␉ ...
      return i + 1;
    }
    if (c === DEL) {
      out.push('␡');
      return i + 1;
    }
    if (c >= 0x80 && c <= 0x9f) {
      const introducer = c1Introducer(c);
      if (introducer !== undefined) this.mode = introducer;
      else out.push(codePointLabel(c));
      return i + 1;
    }
    out.push(codePointLabel(c)); // bidi controls and invisible format characters
    return i + 1;
  }

  /** The code unit after an ESC; true when it must be looked at again as text. */
  private escape(c: number, out: string[]): boolean {
    if (c === 0x5b /* [ */) this.mode = Mode.Csi;
    else if (c === 0x5d /* ] */ || c === 0x50 /* P */ || c === 0x58 /* X */ || c === 0x5e /* ^ */ || c === 0x5f /* _ */) this.mode = Mode.Str;
    else if (c >= 0x20 && c <= 0x2f) this.mode = Mode.EscapeIntermediate;
    else if (c >= 0x30 && c <= 0x7e) this.mode = Mode.Ground; // a complete two-byte escape
    else if (c === ESC) out.push('␛'); // the first ESC led nowhere; the second starts again
    else {
      // ESC before a control or non-ASCII character: show the ESC, then the character as text.
      out.push('␛');
      this.mode = Mode.Ground;
      return true;
    }
    return false;
  }
}

/** The whole text at once: `feed` + `end` of a fresh sanitiser. */
export function terminalSafe(text: string, options?: TerminalSafeOptions): string {
  const sanitizer = new TerminalSanitizer(options);
  return sanitizer.feed(text) + sanitizer.end();
}

/** 8-bit C1 introducers (U+009B CSI, U+009D OSC, U+0090 DCS, U+0098 SOS, U+009E PM, U+009F APC). */
function c1Introducer(c: number): Mode | undefined {
  if (c === 0x9b) return Mode.Csi;
  if (c === 0x9d || c === 0x90 || c === 0x98 || c === 0x9e || c === 0x9f) return Mode.Str;
  return undefined;
}

function codePointLabel(codePoint: number): string {
  return `<U+${codePoint.toString(16).toUpperCase().padStart(4, '0')}>`;
}

/** BMP characters shown as `<U+XXXX>`: bidi controls and invisible format characters. */
function isShownAsCodePoint(c: number): boolean {
  return bidiControl(c) || invisibleFormat(c);
}

function bidiControl(c: number): boolean {
  return c === 0x061c || c === 0x200e || c === 0x200f || (c >= 0x202a && c <= 0x202e) || (c >= 0x2066 && c <= 0x2069);
}

function invisibleFormat(c: number): boolean {
  return c === 0x200b || c === 0x180e || c === 0xfeff || (c >= 0x2060 && c <= 0x2064) || (c >= 0x206a && c <= 0x206f) || (c >= 0xfff9 && c <= 0xfffb);
}

// ---------------------------------------------------------------------------------------------
// Detection, for the `tools`/`doctor` warning: descriptions go to the model as the server
// gave them, but characters the user cannot see in them are worth a warning.

export type HiddenKind = 'tag' | 'bidi' | 'invisible' | 'control';

export interface HiddenCharacter {
  kind: HiddenKind;
  codePoint: number;
  /** UTF-16 index in the text. */
  index: number;
}

/**
 * Characters a reader cannot see: tag characters (U+E0000..U+E007F), bidi controls,
 * invisible format characters (incl. the variation selectors supplement U+E0100..U+E01EF, a
 * way to smuggle bytes behind an emoji) and control characters other than newline, tab and
 * carriage return. At most `limit` entries (default 10,000), in text order.
 */
export function hiddenCharacters(text: string, limit = 10_000): HiddenCharacter[] {
  const found: HiddenCharacter[] = [];
  for (let i = 0; i < text.length && found.length < limit; i++) {
    const c = text.charCodeAt(i);
    let kind: HiddenKind | undefined;
    let codePoint = c;
    if (c === TAG_HIGH && i + 1 < text.length) {
      const low = text.charCodeAt(i + 1);
      codePoint = 0xe0000 + (low - 0xdc00);
      if (low >= 0xdc00 && low <= 0xdc7f) kind = 'tag';
      else if (low >= 0xdd00 && low <= 0xddef) kind = 'invisible';
      if (kind) {
        found.push({ kind, codePoint, index: i });
        i++;
        continue;
      }
      codePoint = c;
    }
    if ((c < 0x20 && c !== LF && c !== TAB && c !== CR) || (c >= DEL && c <= 0x9f)) kind = 'control';
    else if (bidiControl(c)) kind = 'bidi';
    else if (invisibleFormat(c)) kind = 'invisible';
    if (kind) found.push({ kind, codePoint, index: i });
  }
  return found;
}

/**
 * A one-line warning about hidden characters in a text (e.g. a tool description), or
 * undefined when there are none. Tag characters are decoded, since they usually spell hidden
 * instructions: `3 invisible tag characters (they spell "hi!"), 1 bidi control (U+202E)`.
 * The result is itself terminal-safe.
 */
export function hiddenCharacterWarning(text: string): string | undefined {
  const found = hiddenCharacters(text);
  if (found.length === 0) return undefined;
  const parts: string[] = [];
  const tags = found.filter((h) => h.kind === 'tag');
  if (tags.length) {
    const spelled = tags.map((h) => h.codePoint - 0xe0000).filter((t) => t >= 0x20 && t <= 0x7e).map((t) => String.fromCharCode(t)).join('');
    const shown = spelled.length > 80 ? `${spelled.slice(0, 79)}…` : spelled;
    parts.push(`${count(tags.length, 'invisible tag character')}${spelled ? ` (they spell ${JSON.stringify(shown)})` : ''}`);
  }
  for (const [kind, noun] of [['bidi', 'bidi control'], ['invisible', 'invisible format character'], ['control', 'control character']] as const) {
    const some = found.filter((h) => h.kind === kind);
    if (!some.length) continue;
    const codes = [...new Set(some.map((h) => `U+${h.codePoint.toString(16).toUpperCase().padStart(4, '0')}`))];
    parts.push(`${count(some.length, noun)} (${codes.slice(0, 5).join(', ')}${codes.length > 5 ? ', …' : ''})`);
  }
  return parts.join(', ');
}

function count(n: number, noun: string): string {
  return `${n} ${noun}${n === 1 ? '' : 's'}`;
}
