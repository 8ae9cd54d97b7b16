/**
 * Unit tests of the masking every output shares (src/policy/secrets.ts): strings inside JSON
 * records (`maskedJson`, `maskedCopy`) and text that arrives in pieces (`StreamMasker`).
 */
import { DeltaMasking } from '../../src/policy/delta-masking.js';
import { describe, expect, it } from 'vitest';
import { maskedCopy, maskedJson, Redactor, StreamMasker } from '../../src/policy/secrets.js';

/** Every way to cut `text` into pieces at the given number of cut points (all positions). */
function splits(text: string, cuts: number): string[][] {
  if (cuts === 0) return [[text]];
  const out: string[][] = [];
  for (let i = 0; i <= text.length; i++) for (const rest of splits(text.slice(i), cuts - 1)) out.push([text.slice(0, i), ...rest]);
  return out;
}

function streamed(redactor: Redactor, pieces: string[]): string[] {
  const masker = new StreamMasker(redactor);
  return [...pieces.map((piece) => masker.feed(piece)), masker.end()];
}

describe('StreamMasker', () => {
  it('masks a secret however the text around it is cut into pieces, and no piece holds it', () => {
    const redactor = new Redactor(['s3cret-value', 'other-key']);
    const text = 'k: s3cret-value, s3cr, other-key.';
    for (const pieces of splits(text, 2)) {
      const out = streamed(redactor, pieces);
      expect(out.join(''), JSON.stringify(pieces)).toBe('k: ***, s3cr, ***.');
      for (const piece of out) expect(piece).not.toMatch(/s3cret-value|other-key/);
    }
  });

  it('holds back a secret that overlaps itself whole (a cut inside an occurrence is moved before it)', () => {
    const redactor = new Redactor(['abcab']);
    for (const pieces of splits('xabcabcaby', 2)) {
      const joined = streamed(redactor, pieces).join('');
      expect(joined, JSON.stringify(pieces)).not.toContain('abcab');
    }
  });

  it('delays nothing when no tail can start a secret, and nothing at all without secrets', () => {
    const masker = new StreamMasker(new Redactor(['zq-secret']));
    expect(masker.feed('plain text ')).toBe('plain text ');
    expect(masker.feed('up to zq')).toBe('up to ');
    expect(masker.feed('-not')).toBe('zq-not');
    expect(masker.end()).toBe('');
    const none = new StreamMasker(new Redactor());
    expect(none.feed('anything z')).toBe('anything z');
  });

  it('at the end (a stream cut off or retried mid-secret), a held start of a secret of 4+ characters is masked', () => {
    const masker = new StreamMasker(new Redactor(['tail-secret']));
    expect(masker.feed('ends with tail-sec')).toBe('ends with ');
    expect(masker.end()).toBe('***');
  });

  it('at the end, a held tail of 1-3 characters (a word that merely starts like a secret) is given back as it is', () => {
    const masker = new StreamMasker(new Redactor(['tail-secret']));
    expect(masker.feed('a tai')).toBe('a ');
    expect(masker.end()).toBe('tai');
  });
});

describe('DeltaMasking', () => {
  it('sends the reasoning\'s held tail before the answer starts, so reasoning never follows the answer', () => {
    const deltas = new DeltaMasking(new Redactor(['tail-secret']));
    const out = [
      ...deltas.pass({ type: 'reasoning_delta', text: 'thinking ta' }),
      ...deltas.pass({ type: 'text_delta', text: 'The answer.' }),
      ...deltas.flush(),
    ];
    expect(out).toEqual([
      { type: 'reasoning_delta', text: 'thinking ' },
      { type: 'reasoning_delta', text: 'ta' },
      { type: 'text_delta', text: 'The answer.' },
    ]);
  });
});

describe('maskedJson / maskedCopy', () => {
  const redactor = new Redactor(['true', '12345', 'k3y-value', 'user', 'text']);
  const mask = (text: string) => redactor.redact(text);

  it('masks string values, never the JSON text; numbers and true/false/null are never secrets', () => {
    const value = { ok: true, n: 12345, s: 'is true, 12345: k3y-value', list: ['k3y-value', 1] };
    const text = maskedJson(value, mask);
    expect(JSON.parse(text)).toEqual({ ok: true, n: 12345, s: 'is true, 12345: ***', list: ['***', 1] });
    expect(text).not.toContain('k3y-value');
  });

  it('leaves keys, structural fields and data: URLs alone, so a secret "user" or "text" cannot corrupt a session record', () => {
    const message = { role: 'user', content: [{ type: 'text', text: 'my user name' }, { type: 'image_url', image_url: { url: 'data:image/png;base64,textuserAAAA' } }] };
    expect(JSON.parse(maskedJson(message, mask))).toEqual({ role: 'user', content: [{ type: 'text', text: 'my *** name' }, { type: 'image_url', image_url: { url: 'data:image/png;base64,textuserAAAA' } }] });
    expect(JSON.parse(maskedJson({ type: 'text_delta', text: 'user text' }, mask))).toEqual({ type: 'text_delta', text: '*** ***' });
    expect(JSON.parse(maskedJson({ text: 1 }, mask))).toEqual({ text: 1 });
  });

  it('copies without changing the original', () => {
    const event = { type: 'tool_result', text: 'k3y-value', nested: { deep: ['k3y-value'] } };
    expect(maskedCopy(event, mask)).toEqual({ type: 'tool_result', text: '***', nested: { deep: ['***'] } });
    expect(event.text).toBe('k3y-value');
    expect(maskedCopy('a k3y-value', mask)).toBe('a ***');
  });
});
