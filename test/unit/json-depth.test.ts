/** Unit tests of bounded JSON nesting (src/mcp/json-depth.ts). */
import { describe, expect, it } from 'vitest';
import { DEPTH_PLACEHOLDER, jsonDepthExceeds, MAX_JSON_DEPTH, safeStringify, valueDepthExceeds } from '../../src/mcp/json-depth.js';

/** `{"a":{"a":...{"a":1}...}}` with `levels` objects, built without recursion. */
function nestedText(levels: number): string {
  return '{"a":'.repeat(levels) + '1' + '}'.repeat(levels);
}

/** The same as a value. */
function nestedValue(levels: number): unknown {
  let value: unknown = 1;
  for (let i = 0; i < levels; i++) value = { a: value };
  return value;
}

describe('jsonDepthExceeds', () => {
  it('counts containers: scalars are depth 0, {} and [] depth 1', () => {
    expect(jsonDepthExceeds('1', 0)).toBe(false);
    expect(jsonDepthExceeds('"x"', 0)).toBe(false);
    expect(jsonDepthExceeds('{}', 0)).toBe(true);
    expect(jsonDepthExceeds('{}', 1)).toBe(false);
    expect(jsonDepthExceeds('{"a":[1]}', 1)).toBe(true);
    expect(jsonDepthExceeds('{"a":[1]}', 2)).toBe(false);
    expect(jsonDepthExceeds('[[],[],[[]]]', 2)).toBe(true);
    expect(jsonDepthExceeds('[[],[],[]]', 2)).toBe(false);
  });

  it('is exact at the bound', () => {
    expect(jsonDepthExceeds(nestedText(MAX_JSON_DEPTH), MAX_JSON_DEPTH)).toBe(false);
    expect(jsonDepthExceeds(nestedText(MAX_JSON_DEPTH + 1), MAX_JSON_DEPTH)).toBe(true);
  });

  it('ignores brackets inside strings, including after escaped quotes and backslashes', () => {
    expect(jsonDepthExceeds('{"a":"[[[[{{{{"}', 1)).toBe(false);
    expect(jsonDepthExceeds('{"a":"say \\"[[[\\" "}', 1)).toBe(false);
    expect(jsonDepthExceeds('{"a":"c:\\\\","b":[[1]]}', 2)).toBe(true); // the string ends after \\
    expect(jsonDepthExceeds('{"a":"c:\\\\","b":[1]}', 2)).toBe(false);
    expect(jsonDepthExceeds('{"k[[[":{"\\u005b":1}}', 2)).toBe(false);
  });

  it('finishes on 5,000 and 1,000,000 levels (where recursive code dies) without recursion', () => {
    expect(jsonDepthExceeds(nestedText(5_000), MAX_JSON_DEPTH)).toBe(true);
    expect(jsonDepthExceeds('['.repeat(1_000_000), MAX_JSON_DEPTH)).toBe(true);
    // Deep but balanced back down: a wide document of shallow parts is fine.
    expect(jsonDepthExceeds(`[${'[[1]],'.repeat(200_000)}1]`, 3)).toBe(false);
  });

  it('does not need valid JSON (JSON.parse reports syntax errors afterwards)', () => {
    expect(jsonDepthExceeds(']]]]{', 1)).toBe(false);
    expect(jsonDepthExceeds('{"a": [', 1)).toBe(true);
    expect(jsonDepthExceeds('"unterminated [[[[', 1)).toBe(false);
  });
});

describe('valueDepthExceeds', () => {
  it('agrees with the text scan, without recursion, at any depth', () => {
    for (const levels of [0, 1, 2, MAX_JSON_DEPTH, MAX_JSON_DEPTH + 1, 5_000, 100_000]) {
      expect(valueDepthExceeds(nestedValue(levels), MAX_JSON_DEPTH), `${levels} levels`).toBe(jsonDepthExceeds(nestedText(levels), MAX_JSON_DEPTH));
    }
    expect(valueDepthExceeds(JSON.parse('{"a":[{"b":[]}]}'), 3)).toBe(true);
    expect(valueDepthExceeds(JSON.parse('{"a":[{"b":[]}]}'), 4)).toBe(false);
  });
});

describe('safeStringify', () => {
  it('is JSON.stringify for ordinary values', () => {
    const value = { city: 'Paris', list: [1, 'two', null, true, { x: 1.5 }], nested: { a: { b: [] } } };
    expect(safeStringify(value)).toBe(JSON.stringify(value));
    expect(safeStringify(value, { indent: 2 })).toBe(JSON.stringify(value, null, 2));
    expect(safeStringify('text')).toBe('"text"');
    expect(safeStringify(undefined)).toBe('undefined');
  });

  it('does not throw on 5,000 levels (JSON.stringify may), cutting past maxDepth', () => {
    const deep = nestedValue(5_000);
    const text = safeStringify(deep);
    expect(text).toBe(`${'{"a":'.repeat(MAX_JSON_DEPTH)}${JSON.stringify(DEPTH_PLACEHOLDER)}${'}'.repeat(MAX_JSON_DEPTH)}`);
    expect(safeStringify(nestedValue(3), { maxDepth: 2 })).toBe(`{"a":{"a":${JSON.stringify(DEPTH_PLACEHOLDER)}}}`);
    expect(safeStringify(nestedValue(2), { maxDepth: 2 })).toBe('{"a":{"a":1}}');
  });

  it('survives a million levels, where JSON.stringify throws RangeError', () => {
    const deep = nestedValue(1_000_000);
    expect(() => JSON.stringify(deep)).toThrow(RangeError);
    expect(safeStringify(deep, { maxDepth: 3 })).toBe(`{"a":{"a":{"a":${JSON.stringify(DEPTH_PLACEHOLDER)}}}}`);
  });

  it('never throws: cycles, BigInt, a throwing toJSON', () => {
    const cycle: Record<string, unknown> = { name: 'loop' };
    cycle.self = cycle;
    expect(safeStringify(cycle)).toMatch(/^\[value could not be shown: .*circular/i);
    expect(safeStringify({ n: 10n })).toBe('{"n":"10"}');
    const bad = { toJSON: () => { throw new Error('no JSON for you'); } };
    expect(safeStringify({ bad })).toBe('[value could not be shown: no JSON for you]');
  });

  it('keeps a value shared at two places whole at both', () => {
    const shared = { x: [1] };
    expect(safeStringify({ a: shared, b: { c: shared } })).toBe('{"a":{"x":[1]},"b":{"c":{"x":[1]}}}');
  });
});
