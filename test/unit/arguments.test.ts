/** Unit tests of tool-call argument checking (src/mcp/arguments.ts). */
import { describe, expect, it } from 'vitest';
import { ArgumentValidator, parseArguments } from '../../src/mcp/arguments.js';

describe('parseArguments', () => {
  it('treats empty or blank text as no arguments', () => {
    expect(parseArguments('')).toEqual({ ok: true, value: {} });
    expect(parseArguments('  \n ')).toEqual({ ok: true, value: {} });
  });

  it('parses a JSON object', () => {
    expect(parseArguments('{"city":"Paris","days":[1,2]}')).toEqual({ ok: true, value: { city: 'Paris', days: [1, 2] } });
  });

  it('passes an already-parsed object through', () => {
    const value = { city: 'Tokyo' };
    expect(parseArguments(value)).toEqual({ ok: true, value });
  });

  it('explains invalid JSON', () => {
    for (const raw of ['{"city": "Paris"', "{city: 'Paris'}", 'Paris']) {
      const result = parseArguments(raw);
      expect(result.ok).toBe(false);
      if (!result.ok) expect(result.problem).toMatch(/JSON/);
    }
  });

  it.each([
    ['[1, 2]', /array/],
    ['null', /null/],
    ['42', /number/],
    ['"Paris"', /string/],
    ['true', /boolean/],
  ])('says %s must be an object', (raw, kind) => {
    const result = parseArguments(raw);
    expect(result.ok).toBe(false);
    if (!result.ok) {
      expect(result.problem).toMatch(/must be a JSON object/);
      expect(result.problem).toMatch(kind);
    }
  });
});

describe('ArgumentValidator', () => {
  const schema = {
    type: 'object',
    properties: {
      city: { type: 'string' },
      days: { type: 'integer', minimum: 1 },
      unit: { type: 'string', enum: ['celsius', 'fahrenheit'] },
    },
    required: ['city'],
  };

  it('accepts arguments that fit the schema', () => {
    const validator = new ArgumentValidator();
    expect(validator.check(schema, { city: 'Paris' })).toBeUndefined();
    expect(validator.check(schema, { city: 'Paris', days: 3, unit: 'celsius' })).toBeUndefined();
  });

  it('names a missing required property', () => {
    const problem = new ArgumentValidator().check(schema, { days: 2 });
    expect(problem).toBeDefined();
    expect(problem).toMatch(/schema/);
    expect(problem).toMatch(/required/);
    expect(problem).toContain('city');
  });

  it('names a property of the wrong type', () => {
    const problem = new ArgumentValidator().check(schema, { city: 'Paris', days: 'three' });
    expect(problem).toBeDefined();
    expect(problem).toContain('days');
    expect(problem).toMatch(/integer/);
  });

  it('reports a value outside an enum', () => {
    const problem = new ArgumentValidator().check(schema, { city: 'Paris', unit: 'kelvin' });
    expect(problem).toBeDefined();
    expect(problem).toContain('unit');
  });

  it('uses the same validator for the same schema object, with consistent answers', () => {
    const validator = new ArgumentValidator();
    expect(validator.check(schema, {})).toBeDefined();
    expect(validator.check(schema, { city: 'x' })).toBeUndefined();
    expect(validator.check(schema, {})).toBeDefined();
  });

  it('lets the server judge when the schema cannot be compiled', () => {
    const broken = { type: 'object', properties: { a: { type: 'no-such-type' } } };
    expect(new ArgumentValidator().check(broken, { a: 1 })).toBeUndefined();
  });
});

describe('parseArguments: nesting bound', () => {
  const nested = (levels: number) => `{"a":${'['.repeat(levels - 1)}1${']'.repeat(levels - 1)}}`;

  it('parses arguments nested up to 256 levels', () => {
    expect(parseArguments(nested(256)).ok).toBe(true);
  });

  it('refuses arguments nested deeper, before parsing, with a message the model can act on', () => {
    const parsed = parseArguments(nested(257));
    expect(parsed).toEqual({ ok: false, problem: expect.stringContaining('more than 256 levels deep') });
    // ~5,000 levels crashed the renderer (RangeError) before the bound existed.
    expect(parseArguments(nested(5000))).toMatchObject({ ok: false, problem: expect.stringContaining('send flatter arguments') });
  });
});
