/** Unit tests of the trust store (src/policy/trust.ts) and the file-mode rule (src/config/file-mode.ts). */
import { chmodSync, mkdtempSync, readdirSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { assertNotWritableByOthers } from '../../src/config/file-mode.js';
import { UserInputError } from '../../src/errors.js';
import { approve, listApprovals, revoke, trustState } from '../../src/policy/trust.js';

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'switchboard-trust-'));
});
afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

const freshEnv = () => ({ XDG_CONFIG_HOME: mkdtempSync(join(dir, 'xdg-')) });

describe('trust store', () => {
  it('an approval holds for the exact content at that path, and is void after any change', () => {
    const env = freshEnv();
    const path = join(dir, 'a.json');
    expect(trustState(path, '{}', env)).toBe('unknown');
    approve(path, '{}', env);
    expect(trustState(path, '{}', env)).toBe('trusted');
    expect(trustState(path, '{} ', env)).toBe('changed');
    expect(trustState(join(dir, 'b.json'), '{}', env)).toBe('unknown');
  });

  it('is written 0600 with no temp file left, keyed by the real path (a symlink is its target)', () => {
    const env = freshEnv();
    const target = join(dir, 'target.json');
    writeFileSync(target, '{}');
    const link = join(dir, 'link.json');
    symlinkSync(target, link);
    approve(link, '{}', env);
    expect(trustState(target, '{}', env)).toBe('trusted');
    const folder = join(env.XDG_CONFIG_HOME, 'switchboard');
    expect(readdirSync(folder)).toEqual(['trusted-configs.json']);
    expect(statSync(join(folder, 'trusted-configs.json')).mode & 0o777).toBe(0o600);
    expect(listApprovals(env).map((a) => a.path)).toEqual([target]);
    expect(revoke(link, env)).toBe(true);
    expect(revoke(link, env)).toBe(false);
    expect(trustState(target, '{}', env)).toBe('unknown');
  });

  it('a damaged store is a clear error saying how to recover', () => {
    const env = freshEnv();
    approve(join(dir, 'c.json'), '{}', env);
    writeFileSync(join(env.XDG_CONFIG_HOME, 'switchboard', 'trusted-configs.json'), '{"version": 1, "configs": {"x": 3}}');
    expect(() => trustState(join(dir, 'c.json'), '{}', env)).toThrow(/damaged\. Delete it/);
  });
});

describe('config file mode', () => {
  it('refuses a world-writable file with the chmod that fixes it, accepts 0644', () => {
    const path = join(dir, 'mode.json');
    writeFileSync(path, '{}');
    chmodSync(path, 0o644);
    expect(() => assertNotWritableByOthers(path)).not.toThrow();
    chmodSync(path, 0o646);
    expect(() => assertNotWritableByOthers(path)).toThrow(UserInputError);
    expect(() => assertNotWritableByOthers(path)).toThrow(`chmod go-w ${path}`);
  });
});
