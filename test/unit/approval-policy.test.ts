/** The approval policy (rules, shorthand, trust, modes) and its glob matcher, as pure functions. */
import { describe, expect, it } from 'vitest';
import { decide, type ApprovalPolicy, type CallSubject } from '../../src/policy/approval.js';
import { firstMatch, matchesGlob } from '../../src/policy/glob.js';
import { passesFilter } from '../../src/mcp/routes.js';

describe('matchesGlob: * and ? over server/tool', () => {
  it.each([
    ['filesystem/read_file', 'filesystem/read_*', true],
    ['filesystem/write_file', 'filesystem/read_*', false],
    ['filesystem/write_file', '*', true],
    ['filesystem/write_file', '*/write_file', true],
    ['a/b/c', 'a/*', true], // * crosses "/": a tool name may contain one
    ['echo', 'ech?', true],
    ['echo', 'ech??', false],
    ['', '*', true],
    ['', '?', false],
    ['abc', 'abc', true],
    ['abc', 'ABC', false],
    ['aXbXc', '*b*c', true],
    ['temperature/get_temperature', 'temperature/*temp*', true],
    ['x.y', 'x?y', true],
    ['a+b(c)', 'a+b(c)', true], // no regular expression is built from the pattern
  ])('%s ~ %s: %s', (text, pattern, expected) => {
    expect(matchesGlob(text, pattern)).toBe(expected);
  });

  it('stays fast on a pathological pattern (no exponential backtracking)', () => {
    const text = 'a'.repeat(5_000);
    // Work is bounded by pattern x text; a backtracking regex would never finish this.
    expect(matchesGlob(text, `${'*a'.repeat(20)}b`)).toBe(false);
  });

  it('firstMatch returns the first glob of the list that matches any name', () => {
    expect(firstMatch(['x/*', 'fs/w*', 'fs/*'], ['fs/write_file', 'write_file'])).toBe('fs/w*');
    expect(firstMatch(['write_file'], ['fs/write_file', 'write_file'])).toBe('write_file');
    expect(firstMatch([], ['a'])).toBeUndefined();
  });
});

describe('decide: deny > ask > allow, then the mode', () => {
  const policy = (over: Partial<ApprovalPolicy> = {}): ApprovalPolicy => ({
    rules: { allow: [], ask: [], deny: [] },
    mode: 'auto',
    servers: new Map(),
    trusted: new Set(),
    ...over,
  });
  const call = (over: Partial<CallSubject> = {}): CallSubject => ({ server: 'fs', originalName: 'write_file', exposedName: 'write_file', ...over });
  const readOnly = { readOnlyHint: true };

  it('auto: read-only tools of trusted servers run; untrusted annotations never skip the question; new tools ask', () => {
    expect(decide(policy({ trusted: new Set(['fs']) }), call({ annotations: readOnly })).permission).toBe('allow');
    expect(decide(policy(), call({ annotations: readOnly }))).toEqual({ permission: 'ask', why: 'server "fs" is not trusted' });
    expect(decide(policy({ trusted: new Set(['fs']) }), call({ annotations: { readOnlyHint: 'true' } })).permission).toBe('ask');
    expect(decide(policy({ trusted: new Set(['fs']) }), call())).toEqual({ permission: 'ask', why: 'the tool is not marked read-only' });
    expect(decide(policy({ trusted: new Set(['fs']) }), call({ annotations: readOnly, unseen: true }))).toEqual({ permission: 'ask', why: 'the tool appeared during the session' });
  });

  it('rules: deny beats ask beats allow; the exposed name matches too; the first match within a list is named', () => {
    const rules = { allow: ['fs/*'], ask: ['fs/write_*'], deny: ['fs/write_file'] };
    expect(decide(policy({ rules }), call())).toEqual({ permission: 'deny', why: 'deny rule "fs/write_file"' });
    expect(decide(policy({ rules }), call({ originalName: 'write_dir' }))).toEqual({ permission: 'ask', why: 'ask rule "fs/write_*"' });
    expect(decide(policy({ rules }), call({ originalName: 'read_file' }))).toEqual({ permission: 'allow', why: 'allow rule "fs/*"' });
    expect(decide(policy({ rules: { allow: ['fs__write_file'], ask: [], deny: [] } }), call({ exposedName: 'fs__write_file' })).permission).toBe('allow');
  });

  it('an allow rule beats the mode and trust; the mode ask asks; yes allows all that no deny rule forbids (ask rules too)', () => {
    expect(decide(policy({ rules: { allow: ['fs/*'], ask: [], deny: [] }, mode: 'ask' }), call()).permission).toBe('allow');
    expect(decide(policy({ mode: 'ask', trusted: new Set(['fs']) }), call({ annotations: readOnly })).permission).toBe('ask');
    expect(decide(policy({ mode: 'yes', rules: { allow: [], ask: ['*'], deny: [] } }), call()).permission).toBe('allow');
    expect(decide(policy({ mode: 'yes', rules: { allow: [], ask: [], deny: ['fs/*'] } }), call()).permission).toBe('deny');
  });

  it('the per-server shorthand takes its place in the same order', () => {
    expect(decide(policy({ servers: new Map([['fs', 'deny']]), mode: 'yes' }), call())).toEqual({ permission: 'deny', why: 'server "fs" has "permissions": "deny"' });
    expect(decide(policy({ servers: new Map([['fs', 'allow']]) }), call()).permission).toBe('allow');
    expect(decide(policy({ servers: new Map([['fs', 'allow']]), rules: { allow: [], ask: [], deny: ['*/write_file'] } }), call()).permission).toBe('deny');
    expect(decide(policy({ servers: new Map([['fs', 'ask']]), rules: { allow: ['fs/*'], ask: [], deny: [] } }), call()).permission).toBe('ask');
  });
});

describe('tool filters', () => {
  it('include keeps only matches, exclude wins over include', () => {
    expect(passesFilter('read_file', { include: ['read_*'] })).toBe(true);
    expect(passesFilter('write_file', { include: ['read_*'] })).toBe(false);
    expect(passesFilter('read_secret', { include: ['read_*'], exclude: ['*secret*'] })).toBe(false);
    expect(passesFilter('anything', { exclude: [] })).toBe(true);
  });
});
