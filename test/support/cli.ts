/**
 * Runs the BUILT `switchboard` CLI (dist/src/cli/main.js) as a real child process, the way a
 * user would, and records the processes it starts.
 *
 * - `runCli(args, { env, cwd, input, timeoutMs })` resolves with `{ code, signal, stdout, stderr,
 *   processes }` once the CLI has exited. stdin is a pipe: `input` is written to it, then it is
 *   closed (closed at once without `input`), so the CLI never sees a terminal.
 * - `startCli(args, ...)` returns a `CliProcess` (the ChildProcess plus live output, a `done`
 *   promise and `killTree()`) for signal tests.
 * - The child's environment (`cliEnv`) is the test's environment WITHOUT HF_TOKEN and
 *   SWITCHBOARD_API_KEY (unless the test passes them in `env`), with NO_COLOR=1 and
 *   XDG_CONFIG_HOME at a folder that does not exist (never the real user config), and
 *   XDG_CACHE_HOME at a fresh folder of its own per call (never the real cache; no run sees
 *   a tool-listing cache an earlier run left): a test that wants a warm cache passes one.
 *   XDG_STATE_HOME at a temporary folder of this test file (`TEST_STATE_HOME`, removed
 *   after the file's tests), so chats record their sessions and input history there, never in the real home.
 *   `env: { X: undefined }` removes X.
 * - A `chat --json` run's stdout is checked against the event contract (./event-contract.ts:
 *   the committed JSON Schema, and one `error` event ending a failed run); a breach rejects
 *   `done`, so every e2e run checks it.
 * - While the CLI runs, its process subtree is sampled (from /proc, else `ps`); `processes` lists every
 *   descendant seen (pid + start time, so a reused pid is not mistaken for it). Checking and
 *   waiting on them is for ./processes.ts (`waitForGone`, `isAlive`, ...).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll } from 'vitest';
import { eventContractProblems, isJsonChat } from './event-contract.js';
import { CLI_PATH, REPO_ROOT } from './paths.js';
import { isAlive, killIfAlive, PROCESS_SOURCE, subtreeOf, type ProcInfo } from './processes.js';

export interface CliOptions {
  /** Added to (or, with `undefined`, removed from) the child's environment. */
  env?: Record<string, string | undefined>;
  cwd?: string;
  /** Written to stdin, which is then closed. Without it stdin is closed at once. */
  input?: string;
  /** Leave stdin open after writing `input` (a pipe nobody closes: a CLI that reads it waits). */
  keepStdinOpen?: boolean;
  /** The run is killed (whole subtree, SIGKILL) after this long; the promise then rejects. Default 60 s: a run that takes 1-2 s alone took over 20 s with two test suites and three builds on 2 cores. */
  timeoutMs?: number;
}

export interface CliResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  /** Every descendant of the CLI seen while it ran (servers, their children). */
  processes: ProcInfo[];
}

export interface CliProcess {
  child: ChildProcess;
  pid: number;
  /** Output so far (live). */
  readonly stdout: string;
  readonly stderr: string;
  /** Descendants seen so far (live). */
  readonly processes: ProcInfo[];
  /** Resolves when the CLI has exited and its output is complete. */
  done: Promise<CliResult>;
  /** Resolves once stderr matches `pattern` (rejects if the CLI exits first, or after `timeoutMs`, default 60 s). */
  waitForStderr(pattern: RegExp | string, timeoutMs?: number): Promise<void>;
  /**
   * SIGKILLs the CLI, every descendant seen, and the process group each of them leads (every
   * server leads its own), so a test that gives up on the CLI leaves nothing behind to be
   * reported later as a leak of some other test.
   */
  killTree(): void;
}

/**
 * The user's config folder in tests: a path that does not exist, so no user-level config or
 * trust approval of the real home is read (tests that need one pass their own XDG_CONFIG_HOME).
 */
export const NO_CONFIG_HOME = join(tmpdir(), 'switchboard-tests-no-config-home');

/**
 * The state folder (sessions, input history) of the CLI runs of this test file (vitest loads
 * this module once per file), removed after the file's tests; tests that look into the state
 * folder pass their own.
 */
export const TEST_STATE_HOME = mkdtempSync(join(tmpdir(), 'switchboard-tests-state-'));
afterAll(() => rmSync(TEST_STATE_HOME, { recursive: true, force: true }));

/** The environment a test's CLI run gets: no model tokens, no colour, no user config or state folder. */
export function cliEnv(extra: Record<string, string | undefined> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, XDG_CONFIG_HOME: NO_CONFIG_HOME, XDG_STATE_HOME: TEST_STATE_HOME, XDG_CACHE_HOME: join(tmpdir(), 'switchboard-test-cache', randomUUID()) };
  delete env.HF_TOKEN;
  delete env.SWITCHBOARD_API_KEY;
  delete env.FORCE_COLOR;
  env.NO_COLOR = '1';
  for (const [key, value] of Object.entries(extra)) {
    if (value === undefined) delete env[key];
    else env[key] = value;
  }
  return env;
}

const SAMPLE_INTERVAL_MS = PROCESS_SOURCE === 'ps' ? 100 : 25;

export function startCli(args: readonly string[], options: CliOptions = {}): CliProcess {
  if (!existsSync(CLI_PATH)) throw new Error(`${CLI_PATH} is missing: build first (npx tsc -p tsconfig.json)`);
  const child = spawn(process.execPath, [CLI_PATH, ...args], {
    cwd: options.cwd ?? REPO_ROOT,
    env: cliEnv(options.env),
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  const pid = child.pid;
  if (pid === undefined) throw new Error('could not spawn the CLI');
  let stdout = '';
  let stderr = '';
  const seen = new Map<string, ProcInfo>();
  const stderrWaiters = new Set<() => void>();
  child.stdout!.setEncoding('utf8');
  child.stderr!.setEncoding('utf8');
  child.stdout!.on('data', (text: string) => (stdout += text));
  child.stderr!.on('data', (text: string) => {
    stderr += text;
    for (const waiter of stderrWaiters) waiter();
  });
  child.stdin!.on('error', () => undefined); // the CLI may exit before reading stdin
  if (options.keepStdinOpen) {
    if (options.input !== undefined) child.stdin!.write(options.input);
  } else if (options.input !== undefined) child.stdin!.end(options.input);
  else child.stdin!.end();

  const sample = () => {
    for (const info of subtreeOf(pid)) {
      // Keep the newest record that has a command line: between fork and exec a child
      // still shows its parent's command line, and a zombie shows none.
      const key = `${info.pid}:${info.startTime}`;
      if (info.cmdline || !seen.has(key)) seen.set(key, info);
    }
  };
  const sampler = setInterval(sample, SAMPLE_INTERVAL_MS);
  sample();

  const killTree = (): void => {
    sample();
    const processes = [...seen.values()];
    // A group is signalled only while its leader is that very process (not a reused pid).
    const leaders = processes.filter((p) => p.pgid === p.pid && isAlive(p.pid, p.startTime));
    killIfAlive(leaders, { groups: true });
    killIfAlive([...processes, pid]);
  };

  const timeoutMs = options.timeoutMs ?? 60_000;
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    killTree();
  }, timeoutMs);

  const done = new Promise<CliResult>((resolveDone, rejectDone) => {
    child.once('error', (error) => {
      clearInterval(sampler);
      clearTimeout(timer);
      rejectDone(error);
    });
    // 'close': the process exited AND its stdout/stderr are drained.
    child.once('close', (code, signal) => {
      clearInterval(sampler);
      clearTimeout(timer);
      for (const waiter of stderrWaiters) waiter();
      const result: CliResult = { code, signal, stdout, stderr, processes: [...seen.values()] };
      if (timedOut) {
        rejectDone(
          new Error(
            `switchboard ${args.join(' ')} did not exit within ${timeoutMs} ms (killed)\n--- stdout:\n${stdout}\n--- stderr:\n${stderr}`,
          ),
        );
      } else {
        const problems = isJsonChat(args) ? eventContractProblems(stdout, signal === null ? code : null) : [];
        if (problems.length > 0) {
          rejectDone(new Error(`switchboard ${args.join(' ')}: its --json output breaks the event contract:\n${problems.join('\n')}\n--- stdout:\n${stdout}\n--- stderr:\n${stderr}`));
        } else {
          resolveDone(result);
        }
      }
    });
  });
  let exited = false;
  done.then(
    () => (exited = true),
    () => (exited = true),
  );

  return {
    child,
    pid,
    get stdout() {
      return stdout;
    },
    get stderr() {
      return stderr;
    },
    get processes() {
      sample();
      return [...seen.values()];
    },
    done,
    killTree,
    waitForStderr(pattern, waitMs = 60_000) {
      const matches = () => (typeof pattern === 'string' ? stderr.includes(pattern) : pattern.test(stderr));
      return new Promise<void>((resolveWait, rejectWait) => {
        const check = () => {
          if (matches()) {
            cleanup();
            resolveWait();
          } else if (exited || child.exitCode !== null || child.signalCode !== null) {
            cleanup();
            rejectWait(new Error(`the CLI exited before stderr matched ${String(pattern)}\n--- stdout:\n${stdout}\n--- stderr:\n${stderr}`));
          }
        };
        const timeout = setTimeout(() => {
          cleanup();
          rejectWait(new Error(`stderr did not match ${String(pattern)} within ${waitMs} ms\n--- stderr:\n${stderr}`));
        }, waitMs);
        const cleanup = () => {
          clearTimeout(timeout);
          stderrWaiters.delete(check);
        };
        stderrWaiters.add(check);
        check();
      });
    },
  };
}

export function runCli(args: readonly string[], options: CliOptions = {}): Promise<CliResult> {
  return startCli(args, options).done;
}
