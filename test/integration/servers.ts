/**
 * Shared helpers for the integration tests: the real MCP servers as `ServerSpec`s, and a
 * tracker that closes every hub a test created and checks that their processes are gone.
 *
 * Child processes run from dist/ (build first: `npx tsc -p tsconfig.json`).
 */
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { ServerSpec } from '../../src/config/schema.js';
import { ToolHub, type HubOptions } from '../../src/mcp/hub.js';
import { FIXTURE_SERVER_PATH, REPO_ROOT, TEMPERATURE_SERVER_PATH } from '../support/paths.js';
import { killIfAlive, waitForGone } from '../support/processes.js';

/** The script a package's `bin` points at, read from its package.json. */
function binOf(packageName: string): string {
  const packageJsonPath = join(REPO_ROOT, 'node_modules', packageName, 'package.json');
  const pkg = JSON.parse(readFileSync(packageJsonPath, 'utf8')) as { bin?: string | Record<string, string> };
  const bin = typeof pkg.bin === 'string' ? pkg.bin : Object.values(pkg.bin ?? {})[0];
  if (!bin) throw new Error(`${packageName} has no bin in ${packageJsonPath}`);
  return join(dirname(packageJsonPath), bin);
}

export const FILESYSTEM_SERVER = binOf('@modelcontextprotocol/server-filesystem');
export const EVERYTHING_SERVER = binOf('@modelcontextprotocol/server-everything');

export function nodeServer(name: string, script: string, args: string[] = []): ServerSpec {
  return { name, transport: 'stdio', command: process.execPath, args: [script, ...args], env: {} };
}

export const temperatureSpec = (name = 'temperature'): ServerSpec => nodeServer(name, TEMPERATURE_SERVER_PATH);
/** The fault-injecting fixture server; `--name` is the spec's name. */
export const fixtureSpec = (name: string, ...flags: string[]): ServerSpec => nodeServer(name, FIXTURE_SERVER_PATH, ['--name', name, ...flags]);
/** server-filesystem takes its allowed directories as arguments, and as MCP roots (which win). */
export const filesystemSpec = (dir: string, name = 'filesystem'): ServerSpec => ({ ...nodeServer(name, FILESYSTEM_SERVER, [dir]), roots: [dir] });
/** server-everything's first argument picks the transport. */
export const everythingSpec = (name = 'everything'): ServerSpec => nodeServer(name, EVERYTHING_SERVER, ['stdio']);

export const HUB_OPTIONS: HubOptions = {
  startupTimeoutMs: 20_000,
  toolTimeoutMs: 20_000,
  maxToolOutputChars: 20_000,
  restartBackoffMs: 50,
};

/** How long a hub's close() may take: the staged shutdown is at most about 3.5 s plus reaping. */
export const CLOSE_BOUND_MS = 8_000;

export type CloseResult = 'closed' | 'close() did not complete';

/**
 * Creates hubs and remembers every server pid it saw, so `closeAll()` can close them
 * all and report the pids that are still alive (the test asserts that list is empty).
 * Closing is bounded, so a close() that never settles fails the test instead of hanging it.
 */
export class HubTracker {
  private hubs: ToolHub[] = [];
  private readonly closing = new Map<ToolHub, Promise<CloseResult>>();
  private readonly pids = new Set<number>();

  create(specs: ServerSpec[], options: Partial<HubOptions> = {}): ToolHub {
    const hub = new ToolHub(specs, { ...HUB_OPTIONS, ...options });
    this.hubs.push(hub);
    return hub;
  }

  /** Records the current pid of every connection (call after start, and after restarts). */
  notePids(hub: ToolHub): number[] {
    const pids = hub.connections.map((c) => c.pid).filter((pid): pid is number => pid !== undefined);
    for (const pid of pids) this.pids.add(pid);
    return pids;
  }

  /** Also watch a pid the hub does not know (e.g. a grandchild). */
  notePid(pid: number | undefined): void {
    if (pid !== undefined) this.pids.add(pid);
  }

  /** hub.close(), bounded by CLOSE_BOUND_MS; the same promise on later calls. */
  close(hub: ToolHub): Promise<CloseResult> {
    this.notePids(hub);
    let result = this.closing.get(hub);
    if (!result) {
      let timer: NodeJS.Timeout | undefined;
      const bound = new Promise<CloseResult>((resolve) => {
        timer = setTimeout(() => resolve('close() did not complete'), CLOSE_BOUND_MS);
      });
      result = Promise.race([hub.close().then(() => 'closed' as const), bound]).finally(() => clearTimeout(timer));
      this.closing.set(hub, result);
    }
    return result;
  }

  /**
   * Closes every hub; resolves with what is wrong afterwards: hubs whose close() did not
   * complete and pids still alive (those are SIGKILLed so nothing leaks). Empty when all is well.
   */
  async closeAll(): Promise<string[]> {
    const hubs = this.hubs;
    this.hubs = [];
    const results = await Promise.all(hubs.map((hub) => this.close(hub)));
    this.closing.clear();
    const problems = results
      .map((result, i) => (result === 'closed' ? '' : `hub ${i} (${hubs[i]!.connections.map((c) => c.name).join(', ')}): ${result}`))
      .filter(Boolean);
    const pids = [...this.pids];
    this.pids.clear();
    // close() resolves once the group is gone; a short settle only covers SIGKILL delivery.
    const survivors = await waitForGone(pids, { timeoutMs: 2000 });
    killIfAlive(survivors);
    for (const { pid } of survivors) problems.push(`pid ${pid} still alive`);
    return problems;
  }
}

/**
 * A fixture server that starts normally the first time and with `laterFlags` on every
 * later start (a restart): a real wrapper process, as a server whose dependency vanished
 * (`--crash-at-start`) or that hangs before answering initialize (`--slow-start`).
 * `dir` holds the marker file; the fixture writes its pid to `pidFile` each start.
 */
export function changesOnRestartSpec(name: string, dir: string, pidFile: string, firstFlags: string[], laterFlags: string[]): ServerSpec {
  const wrapper = [
    'const fs = require("node:fs");',
    'const [fixture, marker, pidFile, first, later] = process.argv.slice(1);',
    'const again = fs.existsSync(marker);',
    'fs.writeFileSync(marker, "1");',
    'process.argv = [process.argv[0], fixture, "--pidfile", pidFile, ...JSON.parse(first), ...(again ? JSON.parse(later) : [])];',
    'import(require("node:url").pathToFileURL(fixture).href);',
  ].join('\n');
  const marker = join(dir, `${name}-started-once`);
  const args = ['-e', wrapper, FIXTURE_SERVER_PATH, marker, pidFile, JSON.stringify(firstFlags), JSON.stringify(laterFlags)];
  return { name, transport: 'stdio', command: process.execPath, args, env: {} };
}
