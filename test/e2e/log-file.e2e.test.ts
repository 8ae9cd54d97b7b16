/**
 * `--log-file` / `--log-level` through the built CLI, with real servers and the loopback
 * model: the file is JSON lines (mode 0600, appended to) holding the run's events, each
 * server's stderr lines with the server's name, the model retry; the level filters; and no
 * secret reaches it: a server `env` value the server echoes, an HF token on a server's
 * command line that it echoes on stderr, a GitHub key in a tool's arguments and result.
 */
import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { startMockLlm, type MockLlm, type ScriptedReply } from '../support/mock-llm.js';
import { fixtureServer, lines, useE2eHarness } from './harness.js';

const h = useE2eHarness();

const ENV_SECRET = 'postgres://app:hunter2-db-password@db.internal/app';
const HF_TOKEN_ECHOED = 'hf_ZyXwVuTsRqPoNmLkJiHgFeDcBa0123456789';
const GITHUB_KEY = 'ghp_AbCdEfGhIjKlMnOpQrStUvWxYz0123456789';

type Record_ = { time: string; level: string; kind: string; server?: string; line?: string; message?: string; event?: { type: string; [key: string]: unknown } };

function readLog(path: string): Record_[] {
  return lines(readFileSync(path, 'utf8')).map((line) => JSON.parse(line) as Record_);
}

/** The first model request fails (500, retried); then the model calls echo with a key in it, then answers. */
function script(_request: unknown, index: number): ScriptedReply {
  if (index === 0) return { fault: 'http', status: 500 };
  if (index === 1) return { toolCalls: [{ id: 'c1', name: 'echo', arguments: { text: `the key is ${GITHUB_KEY}` } }] };
  return { text: 'Echoed.' };
}

async function withMock<T>(body: (mock: MockLlm) => Promise<T>): Promise<T> {
  const mock = await startMockLlm({ script });
  try {
    return await body(mock);
  } finally {
    await mock.close();
  }
}

function config(): string {
  const server = fixtureServer('--tools', 'echo', '--stderr-lines', '2', '--echo-env', 'DB_URL', '--echo-argv', '--token', HF_TOKEN_ECHOED);
  return h.file('log.json', { mcpServers: { secretive: { ...server, env: { DB_URL: ENV_SECRET } } } });
}

describe('--log-file', () => {
  it('holds the events, server stderr lines with the server name, and the retry; never a secret; mode 0600; appends', async () => {
    const cfg = config();
    const log = join(h.dir(), 'run.log');
    await withMock(async (mock) => {
      const args = ['chat', '--config', cfg, '--endpoint-url', mock.url, '--model', 'test-model', '--yes', '--log-file', log, '--log-level', 'debug', 'Echo my key'];
      const r = await h.run(args, { cwd: h.dir() });
      expect(r.code, r.stderr).toBe(0);
      expect(r.stdout).toBe('Echoed.\n');

      const text = readFileSync(log, 'utf8');
      expect(statSync(log).mode & 0o777).toBe(0o600);
      const records = readLog(log);
      expect(records.every((rec) => ['debug', 'info', 'warn', 'error'].includes(rec.level) && !Number.isNaN(Date.parse(rec.time)))).toBe(true);
      const types = records.filter((rec) => rec.kind === 'event').map((rec) => rec.event!.type);
      // In order: the start, the failed request and its retry, the call and its result, the answer.
      const order = ['session_start', 'model_request', 'model_retry', 'tool_call', 'tool_result', 'final'].map((type) => types.indexOf(type));
      expect(order.every((i) => i >= 0), types.join(',')).toBe(true);
      expect([...order].sort((a, b) => a - b)).toEqual(order);
      expect(records.find((rec) => rec.event?.type === 'model_retry')?.level).toBe('warn');
      // Server stderr, line by line, with the server's name.
      expect(records).toContainEqual(expect.objectContaining({ level: 'debug', kind: 'stderr', server: 'secretive', line: 'fixture stderr line 1' }));
      const echoed = records.filter((rec) => rec.kind === 'stderr' && /fixture (env|argv)/.test(rec.line ?? ''));
      expect(echoed.map((rec) => rec.line).sort()).toEqual([expect.stringMatching(/fixture argv: .*--token \*\*\*$/), 'fixture env DB_URL=***']);
      // Secrets: none, anywhere in the file.
      for (const secret of [ENV_SECRET, 'hunter2-db-password', HF_TOKEN_ECHOED, GITHUB_KEY]) expect(text).not.toContain(secret);
      expect(records.find((rec) => rec.event?.type === 'tool_call')?.event).toMatchObject({ arguments: { text: 'the key is ***' } });

      // A second run appends.
      const again = await h.run(args, { cwd: h.dir() });
      expect(again.code, again.stderr).toBe(0);
      const after = readLog(log);
      expect(after.slice(0, records.length)).toEqual(records);
      expect(after.filter((rec) => rec.event?.type === 'session_start')).toHaveLength(2);
    });
  });

  it('--log-level warn keeps the retry and drops info and debug lines', async () => {
    const cfg = config();
    const log = join(h.dir(), 'warn.log');
    await withMock(async (mock) => {
      const r = await h.run(['chat', '--config', cfg, '--endpoint-url', mock.url, '--model', 'test-model', '--yes', '--log-file', log, '--log-level', 'warn', 'Echo my key'], { cwd: h.dir() });
      expect(r.code, r.stderr).toBe(0);
      const records = readLog(log);
      expect(records.map((rec) => rec.event?.type)).toContain('model_retry');
      expect(records.filter((rec) => rec.level === 'debug' || rec.level === 'info')).toEqual([]);
    });
  });

  it('a bad --log-level or a log file that cannot be opened is a usage error (exit 2), nothing started', async () => {
    const bad = await h.run(['tools', '--log-file', join(h.dir(), 'x.log'), '--log-level', 'loud'], { cwd: h.dir() });
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/--log-level must be one of debug, info, warn, error, not "loud"/);
    const missing = await h.run(['tools', '--log-file', join(h.dir(), 'no', 'such', 'folder', 'x.log')], { cwd: h.dir() });
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/Cannot open the log file .*ENOENT/);
    expect(missing.stderr).not.toMatch(/\n\s+at /);
  });
});
