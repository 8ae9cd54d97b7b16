/**
 * Every script in package.json works on a fresh clone: the scripts run through npm in a
 * copy of the repository with no dist/ (node_modules linked, as `npm ci` would leave it).
 *
 * npm puts node_modules/.bin on PATH for scripts, but NOT the package's own `bin` entries:
 * a script that calls `switchboard` fails with "sh: switchboard: not found". So, besides
 * running the quick scripts, every command every script starts is checked to be found on
 * the PATH npm gives it.
 */
import { execFile } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cliEnv } from '../support/cli.js';
import { REPO_ROOT } from '../support/paths.js';
import { lines } from './harness.js';

const run = promisify(execFile);

const pkg = JSON.parse(readFileSync(join(REPO_ROOT, 'package.json'), 'utf8')) as { scripts: Record<string, string> };

/** Two full TypeScript builds on a busy 2-core machine. */
const SLOW = 240_000;

let clone: string;

beforeAll(() => {
  clone = mkdtempSync(join(tmpdir(), 'switchboard-clone-'));
  // What a clone holds: the sources, not the build output nor the local state.
  const skip = new Set(['node_modules', 'dist', '.git', 'switchboard.json']);
  cpSync(REPO_ROOT, clone, {
    recursive: true,
    filter: (source) => {
      const relative = source.slice(REPO_ROOT.length);
      const top = relative.split('/')[0] ?? '';
      return !skip.has(top) && !/^bench-results.*\.json$/.test(top);
    },
  });
  symlinkSync(join(REPO_ROOT, 'node_modules'), join(clone, 'node_modules'), 'dir');
});

afterAll(() => {
  if (clone) rmSync(clone, { recursive: true, force: true });
});

/** `npm run NAME` in the clone; resolves with the output, rejects (with it) on a non-zero exit. */
async function npmRun(name: string, ...extra: string[]): Promise<{ stdout: string; stderr: string }> {
  try {
    return await run('npm', ['run', '--silent', name, ...(extra.length > 0 ? ['--', ...extra] : [])], { cwd: clone, env: cliEnv(), timeout: SLOW, maxBuffer: 10 * 1024 * 1024 });
  } catch (error) {
    const { stdout, stderr } = error as { stdout?: string; stderr?: string };
    throw new Error(`npm run ${name} failed: ${String(error)}\n--- stdout:\n${stdout ?? ''}\n--- stderr:\n${stderr ?? ''}`);
  }
}

/** The commands a script line starts: the first word of every `&&`, `||`, `;` or `|` piece. */
function commandsOf(script: string): string[] {
  return script
    .split(/&&|\|\||;|\|/)
    .map((piece) => piece.trim().split(/\s+/)[0] ?? '')
    .filter((word) => word !== '' && !word.includes('='));
}

/** Whether `command` is found on the PATH npm gives a script run in the clone. */
function onScriptPath(command: string): boolean {
  const dirs = [join(clone, 'node_modules/.bin'), ...(process.env.PATH ?? '').split(delimiter)];
  return dirs.some((dir) => dir !== '' && existsSync(join(dir, command)));
}

describe('package.json scripts on a fresh clone', () => {
  it('every command of every script is found on the PATH npm gives scripts (no own bin such as `switchboard`)', () => {
    const missing: string[] = [];
    for (const [name, script] of Object.entries(pkg.scripts)) {
      for (const command of commandsOf(script)) if (!onScriptPath(command)) missing.push(`${name}: ${command}`);
    }
    expect(Object.keys(pkg.scripts)).toEqual(expect.arrayContaining(['build', 'test', 'typecheck', 'bench', 'demo']));
    expect(missing, 'commands a script starts that npm will not find').toEqual([]);
  });

  it('`npm run build` builds the CLI, the bundled server and the bench; `npm run demo` then answers offline; bench starts', { timeout: SLOW }, async () => {
    await npmRun('build');
    for (const entry of ['dist/src/cli/main.js', 'dist/servers/temperature/main.js', 'dist/test/bench/run.js']) {
      expect(existsSync(join(clone, entry)), entry).toBe(true);
    }

    const demo = await npmRun('demo');
    expect(lines(demo.stdout)).toHaveLength(1);
    expect(demo.stdout).toMatch(/temperature tool reported: .*\b72\b/);
    expect(demo.stderr).toMatch(/→ get_temperature/);

    // `npm run bench` is `build` (just run) and then this entry; --help starts it without measuring.
    expect(pkg.scripts.bench).toMatch(/node dist\/test\/bench\/run\.js$/);
    const bench = await run(process.execPath, ['dist/test/bench/run.js', '--help'], { cwd: clone, env: cliEnv(), timeout: 60_000 });
    expect(bench.stdout).toMatch(/^usage: node dist\/test\/bench\/run\.js/);
  });

  it('`npm run typecheck` starts tsc on the project', { timeout: SLOW }, async () => {
    // The build above already type-checked every file; a second full check would double the
    // cost, so tsc only lists the files it would check (same script, same tsconfig).
    const typecheck = await npmRun('typecheck', '--listFilesOnly');
    expect(typecheck.stdout).toMatch(/src\/cli\/main\.ts$/m);
    expect(typecheck.stdout).toMatch(/servers\/temperature\/main\.ts$/m);
  });

  it('`npm test` builds first and points vitest at an existing config', () => {
    const test = pkg.scripts.test ?? '';
    expect(test).toMatch(/^npm run build && vitest run --config (\S+)$/);
    const config = /--config (\S+)$/.exec(test)?.[1] ?? '';
    expect(existsSync(join(clone, config)), config).toBe(true);
  });
});
