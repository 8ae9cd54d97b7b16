/**
 * Issue 7, tool results and the `call`/`tools` commands, end to end through the built CLI:
 * no base64 in tool text (server-filesystem's read_media_file on a real PNG), images to a
 * model that takes them, --save-media, empty text parts, code-point cuts, `server/tool`,
 * arguments on stdin, the schema-based hint, `tools NAME`, `call --json`, a closed stdout.
 */
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync, realpathSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { FILESYSTEM_SERVER } from '../integration/servers.js';
import { startMockLlm } from '../support/mock-llm.js';
import { expectNoStackTrace, fixtureServer, temperatureServer, useE2eHarness } from './harness.js';

const h = useE2eHarness();

/** A run of base64 no placeholder could contain. */
const BASE64_RUN = /[A-Za-z0-9+/]{100,}/;
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

/** A PNG of `bytes` bytes that says it is `width` x `height` (header real, the rest random: servers do not decode it). */
function pngFile(width: number, height: number, bytes: number): Buffer {
  const head = Buffer.from('89504e470d0a1a0a0000000d49484452', 'hex');
  const size = Buffer.alloc(8);
  size.writeUInt32BE(width, 0);
  size.writeUInt32BE(height, 4);
  return Buffer.concat([head, size, randomBytes(bytes - head.length - size.length)]);
}

/** A folder holding photo.png (60 KB, 640x480) and a config with server-filesystem on it. */
function mediaSetup(settings: Record<string, unknown> = {}) {
  const dir = realpathSync(h.dir()); // server-filesystem compares resolved paths
  const png = pngFile(640, 480, 60 * 1024);
  const path = join(dir, 'photo.png');
  writeFileSync(path, png);
  const config = h.file('media.json', { ...settings, mcpServers: { filesystem: { command: process.execPath, args: [FILESYSTEM_SERVER, dir], roots: [dir] } } });
  return { dir, png, path, config };
}

describe('tool results carry no base64 text', () => {
  it('call read_media_file on a 60 KB PNG prints a placeholder with type, size and dimensions', async () => {
    const { path, config } = mediaSetup();
    const r = await h.run(['call', '--config', config, 'read_media_file', JSON.stringify({ path })]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toBe('[image: image/png, 60.0 KB, 640x480 px]\n');
    expectNoStackTrace(r.stderr);
  });

  it('the model gets the placeholder; with "images": true the image follows in a user message as a data: URL, off by default', async () => {
    for (const images of [false, true]) {
      const { path, png, config } = mediaSetup(images ? { images: true } : {});
      const mock = await startMockLlm({ script: [{ toolCalls: [{ id: 'call_img', name: 'read_media_file', arguments: { path } }] }, { text: 'a photo' }] });
      try {
        const r = await h.run(['chat', '--config', config, '--endpoint-url', mock.url, '--model', 'm', '--yes', 'what is in photo.png?']);
        expect(r.code, r.stderr).toBe(0);
        expect(r.stdout).toBe('a photo\n');
        const messages = mock.requests[1]!.body.messages as Array<{ role: string; content: unknown; tool_call_id?: string }>;
        const toolIndex = messages.findIndex((m) => m.role === 'tool');
        expect(messages[toolIndex]).toMatchObject({ tool_call_id: 'call_img', content: '[image: image/png, 60.0 KB, 640x480 px]' });
        const after = messages.slice(toolIndex + 1);
        if (!images) {
          expect(after).toEqual([]);
          expect(JSON.stringify(messages)).not.toMatch(BASE64_RUN);
        } else {
          expect(after).toHaveLength(1);
          expect(after[0]!.role).toBe('user');
          const parts = after[0]!.content as Array<{ type: string; text?: string; image_url?: { url: string } }>;
          expect(parts.map((p) => p.type)).toEqual(['text', 'image_url']);
          expect(parts[0]!.text).toContain('read_media_file');
          expect(parts[1]!.image_url!.url).toBe(`data:image/png;base64,${png.toString('base64')}`);
        }
      } finally {
        await mock.close();
      }
    }
  });

  it('--save-media writes the image to a file and prints its path', async () => {
    const { path, png, config } = mediaSetup();
    const out = join(h.dir(), 'saved');
    const r = await h.run(['call', '--config', config, '--save-media', out, 'read_media_file', JSON.stringify({ path })]);
    expect(r.code, r.stderr).toBe(0);
    const saved = join(out, 'read_media_file-1.png');
    expect(r.stdout).toBe(`[image: image/png, 60.0 KB, 640x480 px]\nsaved: ${saved}\n`);
    expect(readFileSync(saved).equals(png)).toBe(true);
  });

  it('an empty text part does not hide structuredContent', async () => {
    const config = h.file('raw.json', { mcpServers: { fixture: fixtureServer('--tools', 'raw') } });
    const result = { content: [{ type: 'text', text: '' }], structuredContent: { sum: 3 } };
    const r = await h.run(['call', '--config', config, 'raw', JSON.stringify({ result })]);
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout)).toEqual({ sum: 3 });
  });

  it('cutting output to maxToolOutputChars never splits an emoji (no U+FFFD from call, no lone surrogate to the model)', async () => {
    const config = h.file('emoji.json', { maxToolOutputChars: 200, mcpServers: { fixture: fixtureServer('--tools', 'raw') } });
    const args = JSON.stringify({ result: { content: [{ type: 'text', text: '😀'.repeat(400) }] } });
    const r = await h.run(['call', '--config', config, 'raw', args]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/characters cut/);
    expect(r.stdout).not.toContain('\ufffd');

    const mock = await startMockLlm({ script: [{ toolCalls: [{ name: 'raw', arguments: args }] }, { text: 'done' }] });
    try {
      const chat = await h.run(['chat', '--config', config, '--endpoint-url', mock.url, '--model', 'm', '--yes', 'go']);
      expect(chat.code, chat.stderr).toBe(0);
      const tool = (mock.requests[1]!.body.messages as Array<{ role: string; content: string }>).find((m) => m.role === 'tool')!;
      expect(tool.content).toMatch(/characters cut/);
      expect(tool.content).not.toMatch(LONE_SURROGATE);
    } finally {
      await mock.close();
    }
  });
});

describe('call', () => {
  /** temperature, and a fixture server that would take a minute to start and leaves a pidfile when started at all. */
  function twoServers() {
    const pidfile = h.pidfile('slow.pid');
    const config = h.file('two.json', {
      startupTimeout: 60,
      mcpServers: { temperature: temperatureServer(), slow: fixtureServer('--pidfile', pidfile, '--slow-start', '60000') },
    });
    return { config, pidfile };
  }

  it('server/tool and --server start only that server', async () => {
    const { config, pidfile } = twoServers();
    const slash = await h.run(['call', '--config', config, 'temperature/get_temperature', '{"city":"Paris"}']);
    expect(slash.code, slash.stderr).toBe(0);
    expect(slash.stdout).toMatch(/Paris/);
    const flag = await h.run(['call', '--config', config, '--server', 'temperature', 'get_temperature', '{"city":"Oslo"}']);
    expect(flag.code, flag.stderr).toBe(0);
    expect(flag.stdout).toMatch(/Oslo/);
    expect(existsSync(pidfile), 'the other server was started').toBe(false);
  });

  it('an unknown server is a usage error listing the servers, and starts nothing', async () => {
    const { config, pidfile } = twoServers();
    for (const args of [['weather/get_temperature'], ['--server', 'weather', 'get_temperature']]) {
      const r = await h.run(['call', '--config', config, ...args, '{}']);
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(/weather/);
      expect(r.stderr).toMatch(/temperature, slow/);
      expectNoStackTrace(r.stderr);
      expect(r.processes).toEqual([]);
    }
    expect(existsSync(pidfile)).toBe(false);
  });

  it('reads the arguments from stdin with - or when none are given', async () => {
    const dash = await h.run(['call', 'get_temperature', '-'], { cwd: h.dir(), input: '{"city": "Tokyo"}\n' });
    expect(dash.code, dash.stderr).toBe(0);
    expect(dash.stdout).toMatch(/Tokyo/);
    const piped = await h.run(['call', 'get_temperature'], { cwd: h.dir(), input: '{"city": "Lima"}' });
    expect(piped.code, piped.stderr).toBe(0);
    expect(piped.stdout).toMatch(/Lima/);
  });

  it("bad JSON is reported with the tool's own required arguments", async () => {
    const config = h.file('fixture.json', { mcpServers: { fixture: fixtureServer('--tools', 'add') } });
    const r = await h.run(['call', '--config', config, 'add', '{a: 1}']);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(/not valid JSON/);
    expect(r.stderr).toContain(`Required: a (number), b (number).`);
    expect(r.stderr).toContain(`switchboard call add '{"a":0,"b":0}'`);
    expect(r.stderr).not.toMatch(/city/);
    expectNoStackTrace(r.stderr);
  });

  it('--json prints the raw MCP result', async () => {
    const config = h.file('fixture.json', { mcpServers: { fixture: fixtureServer('--tools', 'add') } });
    const r = await h.run(['call', '--config', config, '--json', 'add', '{"a": 1, "b": 2}']);
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout)).toEqual({ content: [{ type: 'text', text: '3' }], structuredContent: { sum: 3 } });
  });

  it('a reader that closes stdout early ends the run quietly (no EPIPE stack trace)', async () => {
    const config = h.file('big.json', { maxToolOutputChars: 4_000_000, mcpServers: { fixture: fixtureServer('--tools', 'big') } });
    const cli = h.start(['call', '--config', config, 'big', '{"chars": 3000000}']);
    // Like `| head -c1`: take the first chunk, then close the pipe.
    await new Promise<void>((resolve) => cli.child.stdout!.once('data', () => resolve()));
    cli.child.stdout!.destroy();
    const r = await cli.done;
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).not.toMatch(/EPIPE/);
    expectNoStackTrace(r.stderr);
  });
});

describe('tools NAME', () => {
  it('shows one tool in full: server, description, input schema, annotations', async () => {
    const cwd = h.dir();
    for (const name of ['get_temperature', 'temperature/get_temperature']) {
      const r = await h.run(['tools', name], { cwd });
      expect(r.code, r.stderr).toBe(0);
      expect(r.stdout).toMatch(/^get_temperature\n\s+server:\s+temperature\n\s+original name:\s+get_temperature/);
      expect(r.stdout).toMatch(/Description:\n\s+Get the current temperature in a city\./);
      expect(r.stdout).toMatch(/Input schema[^\n]*\n\s+\{\n\s+"type": "object"/);
      expect(r.stdout).toContain('"required": [');
      expect(r.stdout).toMatch(/Annotations:\n\s+\{\n\s+"readOnlyHint": true/);
    }
  });

  it('an unknown tool is a usage error naming the tools', async () => {
    const r = await h.run(['tools', 'nope'], { cwd: h.dir() });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/"nope".*get_temperature/);
    expectNoStackTrace(r.stderr);
  });

  it('the piped table keeps long names whole', async () => {
    const config = h.file('long.json', { mcpServers: { fixture: fixtureServer('--tools', 'echo', '--long-names') } });
    const r = await h.run(['tools', '--config', config]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain(`long_tool_name_${'x'.repeat(49)}`);
  });
});
