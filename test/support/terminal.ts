/**
 * The built CLI in a real pseudo-terminal, for tests of the interactive chat: util-linux
 * `script` gives the CLI a terminal on stdin and stdout, and the test types into it as a
 * person would (Enter is "\r", Ctrl+C is "\x03", Ctrl+D is "\x04").
 *
 * - `TERMINAL_MISSING`: why no terminal can be opened here (undefined when one can); tests
 *   skip with it as the reason (`describe.skipIf(TERMINAL_MISSING)`), and it is printed once.
 * - `openTerminal(args, { env })`: starts `switchboard ...args` in a terminal. The environment
 *   is minimal (PATH, HOME, TERM, NO_COLOR, XDG_CONFIG_HOME and XDG_STATE_HOME of the tests, a fresh XDG_CACHE_HOME) plus `env` (`X: undefined` removes X, e.g. NO_COLOR for colour tests).
 * - `closeTerminals()`: SIGKILLs every terminal still running, with the CLI and the servers it
 *   started (for an afterEach).
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CLI_PATH, REPO_ROOT } from './paths.js';
import { NO_CONFIG_HOME, TEST_STATE_HOME } from './cli.js';
import { killIfAlive, subtreeOf, waitUntil } from './processes.js';

export interface Terminal {
  child: ChildProcess;
  /** Everything the terminal showed so far (stdout and stderr of the CLI, echo included). */
  screen(): string;
  type(keys: string): void;
  /** Waits until the screen, after position `from`, matches (rejects after `timeoutMs`, default 60 s). */
  waitFor(pattern: RegExp, from?: number, timeoutMs?: number): Promise<void>;
  /** Types `keys`, then waits until what the screen shows after them matches `pattern`; resolves to that part of the screen. */
  typeAndWait(keys: string, pattern: RegExp, timeoutMs?: number): Promise<string>;
  /** The CLI's exit code (`script -e` passes it on). */
  exit: Promise<number | null>;
}

/** util-linux `script` (`-e`, `-f`, `-c` as Linux has them); BSD/macOS `script` takes other flags. */
function findTerminalMissing(): string | undefined {
  if (process.platform !== 'linux') return `the pseudo-terminal tests need util-linux \`script\` (Linux); this is ${process.platform}`;
  const probe = spawnSync('script', ['-qfec', 'true', '/dev/null'], { stdio: 'ignore', timeout: 10_000 });
  if (probe.error) return `the pseudo-terminal tests need util-linux \`script\`, not found (${probe.error.message}); install util-linux (bsdutils on Debian)`;
  if (probe.status !== 0) return `the pseudo-terminal tests need util-linux \`script\`; \`script -qfec true /dev/null\` exited ${String(probe.status)}`;
  return undefined;
}

export const TERMINAL_MISSING = findTerminalMissing();
if (TERMINAL_MISSING) process.stderr.write(`skipping the interactive chat tests: ${TERMINAL_MISSING}\n`);

const terminals: Terminal[] = [];

export function openTerminal(args: readonly string[], options: { env?: Record<string, string | undefined> } = {}): Terminal {
  const command = [process.execPath, CLI_PATH, ...args].map((part) => `'${part.replace(/'/g, `'\\''`)}'`).join(' ');
  // -q quiet, -f flush at once, -e return the CLI's exit code; the typescript goes nowhere.
  const env = Object.fromEntries(
    Object.entries({ PATH: process.env.PATH, HOME: process.env.HOME, TERM: 'xterm', NO_COLOR: '1', XDG_CONFIG_HOME: NO_CONFIG_HOME, XDG_STATE_HOME: TEST_STATE_HOME, XDG_CACHE_HOME: join(tmpdir(), 'switchboard-test-cache', randomUUID()), ...options.env }).filter(([, value]) => value !== undefined),
  );
  const child = spawn('script', ['-qfec', command, '/dev/null'], {
    cwd: REPO_ROOT,
    env,
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let screen = '';
  child.stdout!.setEncoding('utf8').on('data', (text: string) => (screen += text));
  child.stderr!.setEncoding('utf8').on('data', (text: string) => (screen += text));
  const exit = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const terminal: Terminal = {
    child,
    screen: () => screen,
    type: (keys) => child.stdin!.write(keys),
    async waitFor(pattern, from = 0, timeoutMs = 60_000) {
      const seen = await waitUntil(() => pattern.test(screen.slice(from)), timeoutMs);
      if (!seen) throw new Error(`the terminal never showed ${pattern}; it shows:\n${screen}`);
    },
    async typeAndWait(keys, pattern, timeoutMs) {
      const from = screen.length;
      terminal.type(keys);
      await terminal.waitFor(pattern, from, timeoutMs);
      return screen.slice(from);
    },
    exit,
  };
  terminals.push(terminal);
  return terminal;
}

export function closeTerminals(): void {
  for (const terminal of terminals.splice(0)) {
    const pid = terminal.child.pid;
    if (terminal.child.exitCode !== null || pid === undefined) continue;
    // The CLI under `script` and every server it started (each leads its own group): a test
    // that gives up must not leave them to be reported as another test's leak.
    const tree = subtreeOf(pid);
    killIfAlive(tree.filter((p) => p.pgid === p.pid), { groups: true });
    killIfAlive([...tree, pid]);
  }
}
