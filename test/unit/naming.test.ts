/** Unit tests of exposed tool names (src/mcp/naming.ts). */
import { describe, expect, it } from 'vitest';
import { assignExposedNames, EXPOSED_NAME_PATTERN, sanitize, type ToolOwner } from '../../src/mcp/naming.js';

const names = (tools: ToolOwner[]) => assignExposedNames(tools).map((r) => r.exposedName);

describe('assignExposedNames', () => {
  it('keeps names that are unique across servers as they are', () => {
    const routes = assignExposedNames([
      { server: 'fs', originalName: 'read_file' },
      { server: 'git', originalName: 'git_status' },
      { server: 'weather', originalName: 'get-temperature' },
    ]);
    expect(routes).toEqual([
      { server: 'fs', originalName: 'read_file', exposedName: 'read_file' },
      { server: 'git', originalName: 'git_status', exposedName: 'git_status' },
      { server: 'weather', originalName: 'get-temperature', exposedName: 'get-temperature' },
    ]);
  });

  it('prefixes a shared name with the server for EVERY server involved, leaving unique names bare', () => {
    const routes = assignExposedNames([
      { server: 'fs', originalName: 'search' },
      { server: 'web', originalName: 'fetch' },
      { server: 'git', originalName: 'search' },
    ]);
    expect(routes).toEqual([
      { server: 'fs', originalName: 'search', exposedName: 'fs__search' },
      { server: 'web', originalName: 'fetch', exposedName: 'fetch' },
      { server: 'git', originalName: 'search', exposedName: 'git__search' },
    ]);
  });

  it('prefixes all three owners when three servers share a name', () => {
    expect(
      names([
        { server: 'a', originalName: 'run' },
        { server: 'b', originalName: 'run' },
        { server: 'c', originalName: 'run' },
      ]),
    ).toEqual(['a__run', 'b__run', 'c__run']);
  });

  it('replaces dots, slashes, spaces and non-ASCII characters with "_"', () => {
    expect(
      names([
        { server: 's', originalName: 'files.read' },
        { server: 's', originalName: 'repo/list' },
        { server: 's', originalName: 'get weather' },
        { server: 's', originalName: 'météo' },
        { server: 's', originalName: 'emoji🙂' },
      ]),
    ).toEqual(['files_read', 'repo_list', 'get_weather', 'm_t_o', expect.stringMatching(/^emoji_+$/)]);
  });

  it('sanitizes the server part of a prefixed name too', () => {
    const exposed = names([
      { server: 'my.server', originalName: 'run' },
      { server: 'other server', originalName: 'run' },
    ]);
    expect(exposed).toEqual(['my_server__run', 'other_server__run']);
  });

  it('gives every route a name that matches EXPOSED_NAME_PATTERN', () => {
    const long = 'x'.repeat(200);
    const exposed = names([
      { server: 'a', originalName: 'files.read' },
      { server: 'b', originalName: 'files.read' },
      { server: 'c', originalName: long },
      { server: 'c', originalName: '' },
      { server: 'c', originalName: '工具' },
      { server: 'a very long server name '.repeat(4), originalName: 'collide' },
      { server: 'd', originalName: 'collide' },
      { server: 'e', originalName: 'ok-name_1' },
    ]);
    for (const name of exposed) expect(name).toMatch(EXPOSED_NAME_PATTERN);
  });

  it('cuts a name over 64 characters to 64 with a 6-hex hash suffix', () => {
    const long = `tool_${'a'.repeat(100)}`;
    const [route] = assignExposedNames([{ server: 's', originalName: long }]);
    expect(route!.exposedName).toHaveLength(64);
    expect(route!.exposedName).toMatch(/^tool_a+_[0-9a-f]{6}$/);
    expect(route!.exposedName.startsWith(long.slice(0, 57))).toBe(true);
    expect(route!.originalName).toBe(long);
  });

  it('keeps a name of exactly 64 characters as it is', () => {
    const exact = 'b'.repeat(64);
    expect(names([{ server: 's', originalName: exact }])).toEqual([exact]);
  });

  it('is deterministic: the same input gives the same names', () => {
    const input: ToolOwner[] = [
      { server: 'fs', originalName: `read_${'z'.repeat(80)}` },
      { server: 'x', originalName: 'a.b' },
      { server: 'y', originalName: 'a_b' },
      { server: 'x', originalName: 'dup' },
      { server: 'y', originalName: 'dup' },
    ];
    expect(names(input)).toEqual(names(structuredClone(input)));
  });

  it('gives two long names that share their first 64 characters different names', () => {
    const prefix = 'p'.repeat(64);
    const exposed = names([
      { server: 's', originalName: `${prefix}_one` },
      { server: 's', originalName: `${prefix}_two` },
    ]);
    expect(exposed[0]).not.toBe(exposed[1]);
    for (const name of exposed) expect(name).toMatch(EXPOSED_NAME_PATTERN);
  });

  it('keeps names distinct when two different names sanitize to the same string', () => {
    const routes = assignExposedNames([
      { server: 'one', originalName: 'a.b' },
      { server: 'two', originalName: 'a_b' },
    ]);
    const exposed = routes.map((r) => r.exposedName);
    expect(new Set(exposed).size).toBe(2);
    for (const name of exposed) expect(name).toMatch(EXPOSED_NAME_PATTERN);
    // Each exposed name still routes back to its own owner.
    expect(routes.map((r) => [r.server, r.originalName])).toEqual([
      ['one', 'a.b'],
      ['two', 'a_b'],
    ]);
  });

  it('keeps a bare name distinct from a prefixed name it happens to equal', () => {
    const exposed = names([
      { server: 'fs', originalName: 'read' },
      { server: 'git', originalName: 'read' },
      { server: 'misc', originalName: 'fs__read' },
    ]);
    expect(exposed.slice(0, 2)).toEqual(['fs__read', 'git__read']);
    expect(new Set(exposed).size).toBe(3);
  });

  it('returns routes in input order', () => {
    const input: ToolOwner[] = [
      { server: 'b', originalName: 'zeta' },
      { server: 'a', originalName: 'alpha' },
      { server: 'b', originalName: 'alpha' },
      { server: 'a', originalName: 'mid' },
    ];
    const routes = assignExposedNames(input);
    expect(routes.map((r) => `${r.server}/${r.originalName}`)).toEqual(['b/zeta', 'a/alpha', 'b/alpha', 'a/mid']);
    expect(routes.map((r) => r.exposedName)).toEqual(['zeta', 'a__alpha', 'b__alpha', 'mid']);
  });
});

describe('sanitize', () => {
  it('gives an empty name a valid placeholder name', () => {
    expect(sanitize('')).toMatch(EXPOSED_NAME_PATTERN);
  });

  it('gives the same long name the same result every time', () => {
    const long = 'q'.repeat(100);
    expect(sanitize(long)).toBe(sanitize(long));
    expect(sanitize(long)).toHaveLength(64);
  });
});
