import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { ServerSpec } from '../../src/config/schema.js';
import { cacheFolder, serverKey, ToolCache } from '../../src/mcp/tool-cache.js';

const spec = (over: Partial<ServerSpec> = {}): ServerSpec => ({ name: 'files', transport: 'stdio', command: 'npx', args: ['-y', 'server'], env: { TOKEN: 'secret-1' }, ...over });

let dirs: string[] = [];
const tempDir = () => {
  const dir = mkdtempSync(join(tmpdir(), 'switchboard-cache-unit-'));
  dirs.push(dir);
  return dir;
};
afterEach(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  dirs = [];
});

describe('cacheFolder', () => {
  it('is $XDG_CACHE_HOME/switchboard, else ~/.cache/switchboard (a relative XDG_CACHE_HOME is ignored)', () => {
    expect(cacheFolder({ XDG_CACHE_HOME: '/x/cache' })).toBe('/x/cache/switchboard');
    expect(cacheFolder({})).toBe(join(homedir(), '.cache', 'switchboard'));
    expect(cacheFolder({ XDG_CACHE_HOME: 'relative' })).toBe(join(homedir(), '.cache', 'switchboard'));
  });
});

describe('serverKey', () => {
  it('changes with everything that defines the server, env values included, and is stable otherwise', () => {
    const base = serverKey(spec());
    expect(serverKey(spec())).toBe(base);
    expect(serverKey(spec({ env: { TOKEN: 'secret-2' } }))).not.toBe(base);
    expect(serverKey(spec({ env: { OTHER: 'secret-1' } }))).not.toBe(base);
    expect(serverKey(spec({ args: ['-y', 'server', '.'] }))).not.toBe(base);
    expect(serverKey(spec({ command: 'node' }))).not.toBe(base);
    expect(serverKey(spec({ cwd: '/tmp' }))).not.toBe(base);
    expect(serverKey(spec({ name: 'other' }))).not.toBe(base);
    expect(serverKey(spec({ transport: 'http', url: 'https://a.example/mcp' }))).not.toBe(serverKey(spec({ transport: 'http', url: 'https://b.example/mcp' })));
    expect(serverKey({ ...spec(), headers: { Authorization: 'Bearer a' } } as ServerSpec)).not.toBe(serverKey({ ...spec(), headers: { Authorization: 'Bearer b' } } as ServerSpec));
  });
});

describe('ToolCache', () => {
  it('round-trips a listing, in one file that holds no env value, and leaves no temp file', () => {
    const cache = new ToolCache(join(tempDir(), 'switchboard'));
    const tools = [{ name: 'read', description: 'Read a file', inputSchema: { type: 'object', properties: {} } }];
    expect(cache.read(spec())).toEqual({});
    expect(cache.write(spec(), tools)).toBe(true);
    expect(cache.read(spec())).toEqual({ tools });
    expect(cache.read(spec({ env: { TOKEN: 'secret-2' } }))).toEqual({});
    const files = readdirSync(cache.folder);
    expect(files).toEqual([`tools-${serverKey(spec())}.json`]);
    expect(readFileSync(join(cache.folder, files[0]!), 'utf8')).not.toContain('secret-1');
  });

  it('a corrupt or wrongly shaped file is a miss with a problem; an unreadable one too', () => {
    const cache = new ToolCache(join(tempDir(), 'switchboard'));
    mkdirSync(cache.folder, { recursive: true });
    writeFileSync(cache.pathOf(spec()), '{"format": 1, "tools": [');
    expect(cache.read(spec()).problem).toMatch(/cached tool list of server "files" .* is corrupt; it is ignored/);
    writeFileSync(cache.pathOf(spec()), JSON.stringify({ format: 1, server: 'files', tools: [{ description: 'no name' }] }));
    expect(cache.read(spec()).tools).toBeUndefined();
    rmSync(cache.pathOf(spec()));
    mkdirSync(cache.pathOf(spec())); // a folder where the file should be: reading fails (EISDIR)
    const read = cache.read(spec());
    expect(read.tools).toBeUndefined();
    expect(read.problem).toMatch(/could not be read/);
  });

  it('a write that cannot happen returns false and throws nothing', () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'file'), '');
    const cache = new ToolCache(join(dir, 'file', 'switchboard')); // under a regular file: mkdir fails
    expect(cache.write(spec(), [])).toBe(false);
  });
});
