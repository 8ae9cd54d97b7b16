/**
 * Third-party MCP servers as a user would configure them: server-filesystem and
 * server-everything listed beside the bundled temperature server in an `mcpServers`
 * config file (with `${env:VAR}` for the directory), loaded with loadConfig, and driven
 * through the agent loop with the real @huggingface/inference client against the mock LLM.
 */
import { existsSync, mkdirSync, mkdtempSync, readFileSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { Agent } from '../../src/agent/loop.js';
import type { AgentEvent } from '../../src/agent/events.js';
import { loadConfig } from '../../src/config/load.js';
import { HfChatModel } from '../../src/llm/hf.js';
import { startMockLlm, type MockLlm } from '../support/mock-llm.js';
import { TEMPERATURE_SERVER_PATH } from '../support/paths.js';
import { EVERYTHING_SERVER, FILESYSTEM_SERVER, HubTracker } from './servers.js';

const tracker = new HubTracker();
let mock: MockLlm;
let dir: string;

beforeEach(async () => {
  dir = realpathSync(mkdtempSync(join(tmpdir(), 'switchboard-3p-')));
  mock = await startMockLlm();
});

afterEach(async () => {
  vi.unstubAllEnvs();
  await mock.close();
  expect(await tracker.closeAll(), 'hubs that did not close, or server processes still alive').toEqual([]);
  rmSync(dir, { recursive: true, force: true });
});

function writeConfig(): string {
  // server-filesystem refuses allowed directories that do not exist.
  const workspace = join(dir, 'workspace');
  mkdirSync(workspace);
  const config = {
    mcpServers: {
      temperature: { command: process.execPath, args: [TEMPERATURE_SERVER_PATH] },
      // Roots the client offers replace server-filesystem's folder arguments: the same folder in both.
      filesystem: { command: process.execPath, args: [FILESYSTEM_SERVER, '${env:SWITCHBOARD_TEST_WORKSPACE}'], roots: ['${env:SWITCHBOARD_TEST_WORKSPACE}'] },
      everything: { command: process.execPath, args: [EVERYTHING_SERVER, 'stdio'] },
    },
    maxSteps: 6,
  };
  const path = join(dir, 'switchboard.json');
  writeFileSync(path, JSON.stringify(config, null, 2));
  return workspace;
}

describe('third-party servers from a config file, through the agent loop', () => {
  it('writes a file with server-filesystem, reads it back, echoes with server-everything', async () => {
    const workspace = writeConfig();
    vi.stubEnv('SWITCHBOARD_TEST_WORKSPACE', workspace);

    const config = loadConfig({ configPath: join(dir, 'switchboard.json') });
    expect(config.isBundledDefault).toBe(false);
    expect(config.servers.map((s) => s.name)).toEqual(['temperature', 'filesystem', 'everything']);
    const filesystem = config.servers.find((s) => s.name === 'filesystem')!;
    expect(filesystem).toMatchObject({ transport: 'stdio', command: process.execPath, args: [FILESYSTEM_SERVER, workspace] });

    const hub = tracker.create(config.servers);
    const report = await hub.start();
    tracker.notePids(hub);
    expect(report.failed.map((e) => e.message)).toEqual([]);
    const names = hub.functionTools.map((t) => t.function.name);
    for (const name of ['get_temperature', 'write_file', 'read_file', 'echo']) expect(names).toContain(name);

    const notes = join(workspace, 'notes.md');
    const content = '# Notes\nSwitchboard wrote this through server-filesystem.\n';
    mock.enqueue(
      { toolCalls: [{ id: 'call_write', name: 'write_file', arguments: { path: notes, content } }], chunkSize: 16 },
      {
        toolCalls: [
          { id: 'call_read', name: 'read_file', arguments: { path: notes } },
          { id: 'call_echo', name: 'echo', arguments: { message: 'file saved' } },
        ],
        interleave: true,
        chunkSize: 5,
      },
      { text: 'I saved the notes and read them back.' },
    );
    const model = new HfChatModel({ model: 'test-model', endpointUrl: mock.url, retries: 0, timeoutMs: 10_000 });
    const agent = new Agent({ model, tools: hub, maxSteps: config.settings.maxSteps ?? 6 });
    const events: AgentEvent[] = [];
    for await (const event of agent.send('Save my notes, read them back, and say so.')) events.push(event);

    expect(events.at(-1)).toEqual({ type: 'final', text: 'I saved the notes and read them back.', steps: 3 });
    const results = events.filter((e) => e.type === 'tool_result') as Array<Extract<AgentEvent, { type: 'tool_result' }>>;
    expect(results.map((r) => [r.id, r.server, r.isError]).sort()).toEqual([
      ['call_echo', 'everything', false],
      ['call_read', 'filesystem', false],
      ['call_write', 'filesystem', false],
    ]);

    // The file really is on disk, with the content the model asked for.
    expect(existsSync(notes)).toBe(true);
    expect(readFileSync(notes, 'utf8')).toBe(content);

    // The tool messages sent back to the model carry the servers' results.
    expect(mock.requests).toHaveLength(3);
    const afterWrite = mock.requests[1]!.body.messages as any[];
    expect(afterWrite.at(-1)).toMatchObject({ role: 'tool', tool_call_id: 'call_write' });
    expect(afterWrite.at(-1).content).toContain('Successfully wrote to');
    expect(afterWrite.at(-1).content).toContain(notes);
    const afterRead = mock.requests[2]!.body.messages as any[];
    expect(afterRead.slice(-2)).toEqual([
      { role: 'tool', tool_call_id: 'call_read', content },
      { role: 'tool', tool_call_id: 'call_echo', content: 'Echo: file saved' },
    ]);
    // The model was offered the third-party tools' schemas, minus "$schema".
    const tools = mock.requests[0]!.body.tools as Array<{ function: { name: string; parameters: any } }>;
    const writeFile = tools.find((t) => t.function.name === 'write_file')!;
    expect(writeFile.function.parameters.required).toEqual(['path', 'content']);
    expect(JSON.stringify(tools)).not.toContain('$schema');
  });
});
