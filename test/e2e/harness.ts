/**
 * Per-test bookkeeping for the end-to-end tests: temp folders, config files, and the check
 * that no process the CLI started (servers, their children, anything named in a pidfile)
 * outlives the test.
 *
 * `useE2eHarness()` registers an afterEach that waits (a few seconds at most) for every
 * process seen under a CLI run of the test, and every pid written to a pidfile the test
 * asked for, to be gone; survivors fail the test and are then SIGKILLed.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, expect } from 'vitest';
import { startCli, type CliOptions, type CliProcess, type CliResult } from '../support/cli.js';
import { FIXTURE_SERVER_PATH, TEMPERATURE_SERVER_PATH } from '../support/paths.js';
import { describeProcesses, killIfAlive, readPidFileNow, waitForGone, type ProcInfo } from '../support/processes.js';

export interface ServerEntry {
  command: string;
  args?: string[];
  env?: Record<string, string>;
  trust?: boolean;
}

/** The bundled temperature server, trusted as the bundled config trusts it (its read-only tool runs without a question). */
export const temperatureServer = (): ServerEntry => ({ command: 'node', args: [TEMPERATURE_SERVER_PATH], trust: true });
export const fixtureServer = (...flags: string[]): ServerEntry => ({ command: 'node', args: [FIXTURE_SERVER_PATH, ...flags] });

export interface E2eHarness {
  /** A fresh temp folder, removed after the test. */
  dir(): string;
  /** Writes `content` (an object is JSON-encoded) to a file in the test's folder; returns its path. */
  file(name: string, content: unknown): string;
  /** A pidfile path in the test's folder; after the test, the pid it holds must be dead. */
  pidfile(name: string): string;
  run(args: readonly string[], options?: CliOptions): Promise<CliResult>;
  start(args: readonly string[], options?: CliOptions): CliProcess;
}

export function useE2eHarness(): E2eHarness {
  let dirs: string[] = [];
  let pidfiles: string[] = [];
  let runs: Array<Promise<CliResult | undefined>> = [];
  let started: CliProcess[] = [];
  let mainDir: string | undefined;

  const dir = () => {
    const path = mkdtempSync(join(tmpdir(), 'switchboard-e2e-'));
    dirs.push(path);
    return path;
  };
  const testDir = () => (mainDir ??= dir());

  afterEach(async () => {
    // A CLI still running at the end of a test (the test failed or timed out) is killed with
    // everything it started, so the failure is not followed by a misleading "left behind" one.
    for (const cli of started) if (cli.child.exitCode === null && cli.child.signalCode === null) cli.killTree();
    const results = await Promise.all(runs);
    const seen: ProcInfo[] = [];
    for (const result of results) if (result) seen.push(...result.processes);
    const pidfilePids = pidfiles.map(readPidFileNow).filter((pid): pid is number => pid !== undefined);
    const survivors = await waitForGone([...seen, ...pidfilePids], { timeoutMs: 4_000 });
    killIfAlive([...survivors, ...pidfilePids]);
    for (const path of dirs) rmSync(path, { recursive: true, force: true });
    dirs = [];
    pidfiles = [];
    runs = [];
    started = [];
    mainDir = undefined;
    expect(survivors, `processes left behind by the CLI:\n${describeProcesses(survivors)}`).toEqual([]);
  });

  return {
    dir,
    file(name, content) {
      const path = join(testDir(), name);
      writeFileSync(path, typeof content === 'string' ? content : `${JSON.stringify(content, null, 2)}\n`);
      return path;
    },
    pidfile(name) {
      const path = join(testDir(), name);
      pidfiles.push(path);
      return path;
    },
    run(args, options) {
      const cli = startCli(args, options);
      started.push(cli);
      runs.push(cli.done.catch(() => undefined));
      return cli.done;
    },
    start(args, options) {
      const cli = startCli(args, options);
      started.push(cli);
      runs.push(cli.done.catch(() => undefined));
      return cli;
    },
  };
}

/** Lines of text without the trailing empty one. */
export function lines(text: string): string[] {
  return text.split('\n').filter((line, i, all) => !(i === all.length - 1 && line === ''));
}

/** No JavaScript stack trace in what the user sees. */
export function expectNoStackTrace(text: string): void {
  expect(text).not.toMatch(/^\s{4}at /m);
  expect(text).not.toMatch(/unexpected error \(please report it\)/);
}

/** What an interrupted run shows: exit 130, "Interrupted." on stderr, no stack trace, nothing on stdout. */
export function expectInterrupted(r: CliResult): void {
  expect(r.code, r.stderr).toBe(130);
  expect(r.stderr).toMatch(/^Interrupted\.$/m);
  expectNoStackTrace(r.stderr);
  expect(r.stdout).toBe('');
}
