/** Unit tests of the trust store (src/policy/trust.ts) and the file-mode rule (src/config/file-mode.ts). */
import { chmodSync, mkdirSync, mkdtempSync, readdirSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { assertNotWritableByOthers, configFileProblem } from '../../src/config/file-mode.js';
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

  it('refuses a project config in a folder others can write (no sticky bit), with the chmod that fixes it', () => {
    const folder = join(dir, 'open-folder');
    mkdirSync(folder);
    const path = join(folder, 'switchboard.json');
    writeFileSync(path, '{}');
    chmodSync(path, 0o644);
    chmodSync(folder, 0o777);
    expect(() => assertNotWritableByOthers(path, { project: true })).toThrow(UserInputError);
    expect(() => assertNotWritableByOthers(path, { project: true })).toThrow(
      `Config file ${path} is in a folder other users can write (${folder}, mode 777, no sticky bit), so anyone of them could replace it and make Switchboard run their programs. Make the folder writable by you alone: chmod go-w ${folder}`,
    );
    // Only project configs are held to the folder rule (a --config PATH is the user's own choice).
    expect(() => assertNotWritableByOthers(path)).not.toThrow();
    // With the sticky bit (as /tmp) others cannot replace the file: accepted.
    chmodSync(folder, 0o1777);
    expect(() => assertNotWritableByOthers(path, { project: true })).not.toThrow();
    chmodSync(folder, 0o755);
    expect(() => assertNotWritableByOthers(path, { project: true })).not.toThrow();
  });

  it('refuses a project config in an open folder reached through a symlink from a safe one', () => {
    const open = join(dir, 'open-target');
    mkdirSync(open);
    chmodSync(open, 0o777);
    const target = join(open, 'real.json');
    writeFileSync(target, '{}');
    chmodSync(target, 0o644);
    const safe = mkdtempSync(join(dir, 'safe-'));
    const link = join(safe, 'switchboard.json');
    symlinkSync(target, link);
    expect(() => assertNotWritableByOthers(link, { project: true })).toThrow(`(${open}, mode 777, no sticky bit)`);
  });

  // The owner rule decided on stat facts: a file owned by another user cannot be made without
  // root (chown), and the suite must pass as any user, so the pure decision is tested here;
  // assertNotWritableByOthers feeds it statSync's uid and process.getuid().
  it('refuses a project config another user owns (not you, not root)', () => {
    const me = { uid: 1000, gid: 1000 };
    const file = (uid: number) => ({ path: '/src/repo/switchboard.json', mode: 0o100644, uid, gid: uid });
    const folder = { path: '/src/repo', mode: 0o40755, uid: 1000, gid: 1000 };
    expect(configFileProblem(file(4242), [folder], me, { project: true })).toBe(
      "Config file /src/repo/switchboard.json belongs to another user (uid 4242), who could change it at any time and make Switchboard run their programs. If you trust its owner (a repository mounted into a container, say), name it yourself: --config /src/repo/switchboard.json; else use a copy of your own, or have it chowned to you.",
    );
    expect(configFileProblem(file(1000), [folder], me, { project: true })).toBeUndefined();
    expect(configFileProblem(file(0), [folder], me, { project: true })).toBeUndefined();
    // Not a project config: only the mode bits count, as before.
    expect(configFileProblem(file(4242), [folder], me)).toBeUndefined();
    // A group-writable folder of another group is open to others; of your own group it is not.
    expect(configFileProblem(file(1000), [{ ...folder, mode: 0o40775, gid: 50 }], me, { project: true })).toMatch(/in a folder other users can write \(\/src\/repo, mode 775/);
    expect(configFileProblem(file(1000), [{ ...folder, mode: 0o40775 }], me, { project: true })).toBeUndefined();
  });
});
