/**
 * MCP roots with the real server-filesystem started WITHOUT folder arguments: it asks the
 * client for its roots (`roots/list`) once initialized and allows exactly those. It asks
 * after answering initialize, so its first calls may come before it has the answer: the test
 * waits until list_allowed_directories reports a folder, then checks which one it is.
 */
import { mkdirSync, mkdtempSync, realpathSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/config/load.js';
import type { ServerSpec } from '../../src/config/schema.js';
import type { ToolHub } from '../../src/mcp/hub.js';
import { waitUntil } from '../support/processes.js';
import { FILESYSTEM_SERVER, HubTracker, nodeServer } from './servers.js';

const tracker = new HubTracker();
let dir: string;

beforeAll(() => {
  dir = realpathSync(mkdtempSync(join(tmpdir(), 'switchboard-roots-')));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));
afterEach(async () => {
  expect(await tracker.closeAll(), 'hubs that did not close, or server processes still alive').toEqual([]);
});

/** What the server allows, once it has any folder at all. */
async function allowedDirectories(spec: ServerSpec): Promise<string> {
  const hub: ToolHub = tracker.create([spec]);
  const report = await hub.start();
  tracker.notePids(hub);
  expect(report.failed.map((e) => e.message)).toEqual([]);
  let text = '';
  const listed = await waitUntil(async () => {
    text = (await hub.call('list_allowed_directories', {})).text;
    return text.includes('/');
  }, 10_000);
  expect(listed, text).toBe(true);
  return text;
}

describe('roots', () => {
  it('are the folder Switchboard runs in by default', async () => {
    const text = await allowedDirectories(nodeServer('fs', FILESYSTEM_SERVER));
    expect(text).toContain(realpathSync(process.cwd()));
  });

  it("are the entry's roots when it has them, relative paths resolved against the config file's folder", async () => {
    mkdirSync(join(dir, 'notes'), { recursive: true });
    const text = JSON.stringify({ mcpServers: { fs: { command: process.execPath, args: [FILESYSTEM_SERVER], roots: ['./notes'] } } });
    const config = parseConfig(text, join(dir, 'fs.json'), process.env);
    expect(config.servers[0]!.roots).toEqual([join(dir, 'notes')]);
    const allowed = await allowedDirectories(config.servers[0]!);
    expect(allowed).toContain(join(dir, 'notes'));
    expect(allowed).not.toContain(realpathSync(process.cwd()));
  });
});
