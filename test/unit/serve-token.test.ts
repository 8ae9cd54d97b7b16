/** Unit tests of serve's token (src/serve/token.ts) and listen rules (src/serve/listen-rules.ts). */
import { chmodSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkListenAddress, checkPort, isLoopbackHost } from '../../src/serve/listen-rules.js';
import { checkBearer, loadOrCreateServeToken } from '../../src/serve/token.js';

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'switchboard-serve-token-'));
});
afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

describe('serve token', () => {
  it('is generated once (0600, no temp file left), then read back', () => {
    const home = join(dir, 'a', 'switchboard');
    const first = loadOrCreateServeToken({ configHome: home, env: {} });
    expect(first.created).toBe(true);
    expect(first.token.length).toBeGreaterThanOrEqual(40);
    expect(statSync(first.path!).mode & 0o777).toBe(0o600);
    expect(readdirSync(home)).toEqual(['serve-token']);
    const second = loadOrCreateServeToken({ configHome: home, env: {} });
    expect(second).toEqual({ ...first, created: false });
    expect(readFileSync(first.path!, 'utf8').trim()).toBe(first.token);
  });

  it('refuses a token file others may read', () => {
    const home = join(dir, 'b');
    const { path } = loadOrCreateServeToken({ configHome: home, env: {} });
    chmodSync(path!, 0o644);
    expect(() => loadOrCreateServeToken({ configHome: home, env: {} })).toThrow(/chmod 600/);
  });

  it('--token-env: the variable must be set and long enough; no file is written', () => {
    const home = join(dir, 'c');
    expect(() => loadOrCreateServeToken({ configHome: home, tokenEnv: 'T', env: {} })).toThrow(/T is not set/);
    expect(() => loadOrCreateServeToken({ configHome: home, tokenEnv: 'T', env: { T: 'short' } })).toThrow(/at least 16/);
    expect(loadOrCreateServeToken({ configHome: home, tokenEnv: 'T', env: { T: 'x'.repeat(20) } })).toEqual({ token: 'x'.repeat(20), created: false, source: 'env' });
    expect(() => statSync(home)).toThrow();
  });

  it('checkBearer accepts exactly "Bearer <token>"', () => {
    const token = 'abcdefghijklmnopqrstuvwxyz';
    expect(checkBearer(`Bearer ${token}`, token)).toBe(true);
    expect(checkBearer(`bearer ${token}`, token)).toBe(true);
    expect(checkBearer(`Bearer ${token}x`, token)).toBe(false);
    expect(checkBearer(token, token)).toBe(false);
    expect(checkBearer('Bearer ', token)).toBe(false);
    expect(checkBearer(undefined, token)).toBe(false);
    expect(checkBearer(`Basic ${token}`, token)).toBe(false);
  });
});

describe('listen rules', () => {
  it('knows loopback addresses', () => {
    for (const host of ['127.0.0.1', '127.1.2.3', '::1', '[::1]', 'localhost', '::ffff:127.0.0.1']) expect(isLoopbackHost(host), host).toBe(true);
    for (const host of ['0.0.0.0', '::', '192.168.1.2', 'example.invalid', '128.0.0.1']) expect(isLoopbackHost(host), host).toBe(false);
  });

  it('a non-loopback host needs a supplied token', () => {
    expect(checkListenAddress('127.0.0.1', false)).toBe('127.0.0.1');
    expect(checkListenAddress('[::1]', false)).toBe('::1');
    expect(() => checkListenAddress('0.0.0.0', false)).toThrow(/--token-env/);
    expect(checkListenAddress('0.0.0.0', true)).toBe('0.0.0.0');
    expect(() => checkListenAddress('a b', true)).toThrow(/--host must be/);
  });

  it('ports are 0..65535', () => {
    expect(checkPort('8787')).toBe(8787);
    expect(() => checkPort(70000)).toThrow(/--port/);
    expect(() => checkPort('x')).toThrow(/--port/);
  });
});
