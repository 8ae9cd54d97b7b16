/**
 * Servers that fail to start, beside a working one: the run goes on with what started,
 * the failures are explained on stderr, `--strict` makes them fatal, and nothing is left
 * running afterwards.
 */
import { describe, expect, it } from 'vitest';
import { DEMO_SCRIPT_PATH } from '../support/paths.js';
import { expectNoStackTrace, fixtureServer, temperatureServer, useE2eHarness } from './harness.js';

const h = useE2eHarness();

function mixedConfig(): string {
  return h.file('mixed.json', {
    mcpServers: {
      temperature: temperatureServer(),
      missing: { command: 'definitely-not-a-command-xyz' },
      crashy: fixtureServer('--crash-at-start', '--pidfile', h.pidfile('crashy.pid')),
    },
  });
}

describe('servers that fail to start', () => {
  it('the chat still answers with the working server; stderr names each failed server, its command and its stderr', async () => {
    const config = mixedConfig();
    const r = await h.run(['chat', '--config', config, '--model', `scripted:${DEMO_SCRIPT_PATH}`, 'What is the temperature in San Francisco?']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/\b72\b/);
    expect(r.stdout.trim().split('\n')).toHaveLength(1);
    // The missing command.
    expect(r.stderr).toMatch(/server "missing" failed to start/);
    expect(r.stderr).toMatch(/definitely-not-a-command-xyz/);
    expect(r.stderr).toMatch(/not found/i);
    // The fixture that crashed: its command line and its own stderr line.
    expect(r.stderr).toMatch(/server "crashy" failed to start/);
    expect(r.stderr).toMatch(/fixture-server\.js --crash-at-start/);
    expect(r.stderr).toContain('fixture: fatal start error');
    // The working server is not reported as failed.
    expect(r.stderr).not.toMatch(/server "temperature" failed/);
    expectNoStackTrace(r.stderr);
  });

  it('--strict: exit 1 with a message, no answer, and no server left running', async () => {
    const config = mixedConfig();
    const r = await h.run(['chat', '--strict', '--config', config, '--model', `scripted:${DEMO_SCRIPT_PATH}`, 'What is the temperature in San Francisco?']);
    expect(r.code, r.stderr).toBe(1);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(/--strict/);
    expect(r.stderr).toMatch(/server "missing" failed to start/);
    expectNoStackTrace(r.stderr);
    // The temperature server did start (and the harness checks it is gone now).
    expect(r.processes.some((p) => p.cmdline.includes('servers/temperature/main.js'))).toBe(true);
  });

  it('--strict with a server that crashes at start (no missing command): exit 1, no server left running', async () => {
    const config = h.file('crash-only.json', {
      mcpServers: { temperature: temperatureServer(), crashy: fixtureServer('--crash-at-start', '--pidfile', h.pidfile('crash-only.pid')) },
    });
    const r = await h.run(['chat', '--strict', '--config', config, '--model', `scripted:${DEMO_SCRIPT_PATH}`, 'What is the temperature in San Francisco?']);
    expect(r.code, r.stderr).toBe(1);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(/--strict/);
    expect(r.stderr).toContain('fixture: fatal start error');
    expectNoStackTrace(r.stderr);
  });

  it('a failed server does not hide the exit code of a run that fails for another reason', async () => {
    // `call nope` is exit 2 with only working servers; a missing-command server beside them must not change that.
    const config = mixedConfig();
    const r = await h.run(['call', '--config', config, 'nope', '{}']);
    expect(r.code, r.stderr).toBe(2);
    expect(r.stderr).toMatch(/No tool named "nope"/);
    expect(r.stderr).toMatch(/get_temperature/);
  });

  it('a failed server does not hide a failed chat turn (exit 1)', async () => {
    const config = h.file('missing-only.json', { mcpServers: { temperature: temperatureServer(), missing: { command: 'definitely-not-a-command-xyz' } } });
    const script = h.file('loop.script.json', [
      { toolCalls: [{ name: 'get_temperature', arguments: { city: 'Paris' } }] },
      { toolCalls: [{ name: 'get_temperature', arguments: { city: 'Tokyo' } }] },
    ]);
    const r = await h.run(['chat', '--config', config, '--model', `scripted:${script}`, '--max-steps', '2', 'Loop']);
    expect(r.code, r.stderr).toBe(1);
    expect(r.stderr).toMatch(/Stopped after 2 model calls/);
  });
});
