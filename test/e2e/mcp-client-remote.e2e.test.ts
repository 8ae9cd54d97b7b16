/**
 * The MCP client features of issue 11 over Streamable HTTP, through the built CLI: server-everything
 * in its `streamableHttp` mode as a real process on loopback, reached by a `url` entry.
 * Resources, templates and `read`; prompts with arguments and `chat --prompt`; a sampling round
 * trip served by the loopback model (whose request is checked); elicitation answered without a
 * terminal (declined, and accepted with defaults). The same over stdio: mcp-client.e2e.test.ts.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { EVERYTHING_SERVER } from '../integration/servers.js';
import { startMockLlm } from '../support/mock-llm.js';
import { freePort, ServerProcesses } from '../support/server-processes.js';
import { expectSamplingServed } from './everything-sampling.js';
import { useE2eHarness } from './harness.js';

const h = useE2eHarness();
const servers = new ServerProcesses();
let url: string;

beforeEach(async () => {
  const port = await freePort();
  await servers.start([EVERYTHING_SERVER, 'streamableHttp'], { PORT: String(port) }, /listening|running/i);
  url = `http://127.0.0.1:${port}/mcp`;
});
afterEach(() => servers.killAll());

/** A config with server-everything over Streamable HTTP (and extra top-level settings / entry fields). */
function remoteConfig(settings: Record<string, unknown> = {}, entry: Record<string, unknown> = {}): string {
  return h.file('switchboard.json', { mcpServers: { everything: { url, ...entry } }, ...settings });
}

describe('resources over Streamable HTTP', () => {
  it('lists resources and templates, and reads a text resource', async () => {
    const config = remoteConfig();
    const list = await h.run(['resources', '--config', config]);
    expect(list.code, list.stderr).toBe(0);
    expect(list.stdout).toMatch(/^everything\s+demo:\/\/resource\/static\/document\/features\.md\s+features\.md\s+text\/markdown/m);
    expect(list.stdout).toMatch(/^everything\s+demo:\/\/resource\/dynamic\/text\/\{resourceId\}\s+Dynamic Text Resource\s+text\/plain$/m);
    const read = await h.run(['read', 'demo://resource/dynamic/text/3', '--config', config]);
    expect(read.code, read.stderr).toBe(0);
    expect(read.stdout).toMatch(/^Resource 3: This is a plaintext resource/);
  });
});

describe('prompts over Streamable HTTP', () => {
  it('lists prompts with their arguments', async () => {
    const r = await h.run(['prompts', '--config', remoteConfig()]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^args-prompt\s+everything\s+city state\?\s+A prompt with two arguments/m);
    expect(r.stdout).toMatch(/^simple-prompt\s+everything\s+-\s/m);
  });

  it("chat --prompt NAME --arg k=v sends the prompt's messages as the user turn", async () => {
    const mock = await startMockLlm({ script: [{ text: 'sunny' }] });
    try {
      const r = await h.run(['chat', '--endpoint-url', mock.url, '--model', 'm', '--config', remoteConfig(), '--prompt', 'args-prompt', '--arg', 'city=Paris', '--arg', 'state=Texas']);
      expect(r.code, r.stderr).toBe(0);
      expect(r.stdout).toBe('sunny\n');
      const messages = mock.requests[0]!.body.messages as Array<{ role: string; content: string }>;
      expect(messages.at(-1)).toEqual({ role: 'user', content: "What's weather in Paris, Texas?" });
    } finally {
      await mock.close();
    }
  });
});

describe('sampling over Streamable HTTP', () => {
  it('"sampling": "allow" serves the request with the model during the tool call, and the server gets the reply', async () => {
    await expectSamplingServed(h, remoteConfig({}, { sampling: 'allow' }));
  });
});

describe('elicitation over Streamable HTTP, without a terminal', () => {
  it('declines by default, naming the server and the fields it asked for', async () => {
    const r = await h.run(['call', 'trigger-elicitation-request', '--config', remoteConfig()]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/"action": "decline"/);
    expect(r.stderr).toMatch(/server "everything" asked for input: "Please provide inputs for the following fields:" \(fields: name, check, firstLine, email, .*\); declined: there is no terminal/);
  });

  it('"elicitation": "cancel" answers cancel', async () => {
    const r = await h.run(['call', 'trigger-elicitation-request', '--config', remoteConfig({ elicitation: 'cancel' })]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/"action": "cancel"/);
    expect(r.stderr).toMatch(/; cancelled: there is no terminal/);
  });
});
