/**
 * The interactive chat, driven through a real pseudo-terminal: util-linux `script` gives the
 * built CLI a terminal on stdin and stdout, and the test types into it as a person would
 * (Enter is "\r", Ctrl+C is "\x03", Ctrl+D is "\x04").
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { afterEach, describe, expect, it } from 'vitest';
import { NO_CONFIG_HOME } from '../support/cli.js';
import { CLI_PATH, REPO_ROOT } from '../support/paths.js';
import { readPidFile, waitForGone, waitUntil } from '../support/processes.js';
import { fixtureServer, temperatureServer, useE2eHarness } from './harness.js';

interface Terminal {
  child: ChildProcess;
  /** Everything the terminal showed so far (stdout and stderr of the CLI, echo included). */
  screen(): string;
  type(keys: string): void;
  /** Waits until the screen, after position `from`, matches. */
  waitFor(pattern: RegExp, from?: number): Promise<void>;
  exit: Promise<number | null>;
}

const terminals: Terminal[] = [];

function openTerminal(args: string[]): Terminal {
  const command = [process.execPath, CLI_PATH, ...args].map((part) => `'${part.replace(/'/g, `'\\''`)}'`).join(' ');
  // -q quiet, -f flush at once, -e return the CLI's exit code; the typescript goes nowhere.
  const child = spawn('script', ['-qfec', command, '/dev/null'], {
    cwd: REPO_ROOT,
    env: { PATH: process.env.PATH, HOME: process.env.HOME, TERM: 'xterm', NO_COLOR: '1', XDG_CONFIG_HOME: NO_CONFIG_HOME },
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
    async waitFor(pattern, from = 0) {
      const seen = await waitUntil(() => pattern.test(screen.slice(from)), 15_000);
      if (!seen) throw new Error(`the terminal never showed ${pattern}; it shows:\n${screen}`);
    },
    exit,
  };
  terminals.push(terminal);
  return terminal;
}

afterEach(() => {
  for (const terminal of terminals.splice(0)) if (terminal.child.exitCode === null) terminal.child.kill('SIGKILL');
});

describe('switchboard chat (interactive)', () => {
  const h = useE2eHarness();

  it('keeps the conversation across messages, lists tools, and leaves with Ctrl+D (exit 0)', async () => {
    const serverPid = h.pidfile('temperature-wrapper.pid');
    const script = h.file('repl.script.json', [
      { toolCalls: [{ name: 'get_temperature', arguments: { city: 'Paris' } }] },
      { text: 'Paris: {{last_tool_result}}' },
      { text: 'Second answer, same session.' },
    ]);
    // A fixture that writes its pid, beside the temperature server, shows the servers are closed on exit.
    const config = h.file('repl.json', { mcpServers: { temperature: temperatureServer(), fixture: fixtureServer('--tools', 'echo', '--pidfile', serverPid) } });
    const t = openTerminal(['chat', '--config', config, '--model', `scripted:${script}`]);
    await t.waitFor(/you> /);
    expect(t.screen()).toMatch(/scripted model .* not an LLM/);

    let mark = t.screen().length;
    t.type('What is the temperature in Paris?\r');
    await t.waitFor(/Paris: The temperature in Paris is 75 °F\.[\s\S]*you> /, mark);
    expect(t.screen().slice(mark)).toMatch(/→ get_temperature/);

    mark = t.screen().length;
    t.type('/tools\r');
    await t.waitFor(/get_temperature\s+temperature\s+get_temperature[\s\S]*you> /, mark);

    mark = t.screen().length;
    t.type('And again?\r');
    await t.waitFor(/Second answer, same session\.[\s\S]*you> /, mark);

    const fixturePid = await readPidFile(serverPid);
    t.type('\x04');
    expect(await t.exit).toBe(0);
    expect(await waitForGone([fixturePid])).toEqual([]);
  });

  it('Ctrl+C cancels a running turn and returns to the prompt; /exit then leaves (exit 0), no server left', async () => {
    const serverPid = h.pidfile('hang.pid');
    const grandchildPid = h.pidfile('hang-grandchild.pid');
    const script = h.file('hang.script.json', [{ toolCalls: [{ name: 'hang', arguments: {} }] }, { text: 'Still here after the cancelled turn.' }]);
    const config = h.file('hang.json', { mcpServers: { fx: fixtureServer('--tools', 'hang', '--pidfile', serverPid, '--grandchild', grandchildPid) } });
    const t = openTerminal(['chat', '--config', config, '--model', `scripted:${script}`]);
    await t.waitFor(/you> /);

    let mark = t.screen().length;
    t.type('Please hang.\r');
    await t.waitFor(/→ hang/, mark);
    t.type('\x03');
    await t.waitFor(/cancelled[\s\S]*turn cancelled[\s\S]*you> /, mark);

    mark = t.screen().length;
    t.type('Are you there?\r');
    await t.waitFor(/Still here after the cancelled turn\.[\s\S]*you> /, mark);

    const pids = [await readPidFile(serverPid), await readPidFile(grandchildPid)];
    t.type('/exit\r');
    expect(await t.exit).toBe(0);
    expect(await waitForGone(pids, { groups: true })).toEqual([]);
  });

  it('Ctrl+C at an empty prompt leaves with exit code 130', async () => {
    const t = openTerminal(['chat', '--model', 'scripted:config/demo.script.json']);
    await t.waitFor(/you> /);
    t.type('\x03');
    expect(await t.exit).toBe(130);
  });
});
