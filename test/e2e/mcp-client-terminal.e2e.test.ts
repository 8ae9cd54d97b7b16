/**
 * The MCP client's questions in a real pseudo-terminal, against server-everything: the
 * elicitation form (each field by its type, validated before the answer goes), sampling
 * approval (what the server asks, once / always / deny), and the chat's /resources,
 * /prompt and @server:uri, with a server's question read through the chat's own reader.
 */
import { chmodSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { EVERYTHING_SERVER } from '../integration/servers.js';
import { startMockLlm, type MockLlm } from '../support/mock-llm.js';
import { closeTerminals, openTerminal, TERMINAL_MISSING, type Terminal } from '../support/terminal.js';
import { waitUntil } from '../support/processes.js';
import { fixtureServer, useE2eHarness } from './harness.js';

const h = useE2eHarness();
const mocks: MockLlm[] = [];
afterEach(async () => {
  closeTerminals();
  await Promise.all(mocks.splice(0).map((m) => m.close()));
});

function config(entry: Record<string, unknown> = {}): string {
  return h.file('switchboard.json', { mcpServers: { everything: { command: process.execPath, args: [EVERYTHING_SERVER, 'stdio'], ...entry } } });
}

/** The screen without terminal escape sequences (readline's cursor moves after a prompt). */
const plain = (t: Terminal) => t.screen().replace(/\u001b\[[0-9;?]*[A-Za-z]/g, '');

/** Waits until the plain screen after `from` matches. */
async function waitPlain(t: Terminal, pattern: RegExp, from = 0): Promise<void> {
  if (!(await waitUntil(() => pattern.test(plain(t).slice(from)), 20_000))) throw new Error(`the terminal never showed ${pattern}; it shows:\n${plain(t)}`);
}

/** Waits for `prompt` (after what was already answered), then types `keys` and Enter. */
function answerer(t: Terminal) {
  let from = 0;
  return async (prompt: RegExp, keys: string) => {
    await waitPlain(t, prompt, from);
    from = plain(t).length;
    t.type(`${keys}\r`);
  };
}

const toolMessage = (mock: MockLlm, request: number) => (mock.requests[request]!.body.messages as Array<{ role: string; content: string }>).find((m) => m.role === 'tool')!.content;

describe.skipIf(TERMINAL_MISSING)('MCP client questions in a terminal', () => {
  it('elicitation form: every field asked by its type, bad answers asked again, the answers sent', async () => {
    const mock = await startMockLlm({ script: [{ toolCalls: [{ id: 'c1', name: 'trigger-elicitation-request', arguments: {} }] }, { text: 'thanks' }] });
    mocks.push(mock);
    const t = openTerminal(['chat', '--config', config(), '--endpoint-url', mock.url, '--model', 'm', '--yes', 'ask me']);
    const answer = answerer(t);
    await answer(/asks for input:\s+Please provide inputs[\s\S]*Answer it\? \[a\]ccept \/ \[d\]ecline \/ \[c\]ancel: $/, 'a');
    await answer(/String \(required\): $/, '');
    await answer(/This field is required\.\s+String \(required\): $/, 'Ada');
    await answer(/Boolean \(y\/n, optional\): $/, 'maybe');
    await answer(/Answer y or n\.\s+Boolean \(y\/n, optional\): $/, 'y');
    await answer(/String with default \(optional\) \[It was a dark and stormy night\.\]: $/, '');
    await answer(/String with email format \(email, optional\): $/, 'nope');
    await answer(/not a valid email[\s\S]*\(email, optional\): $/, 'ada@example.com');
    await answer(/String with uri format \(uri, optional\): $/, '');
    await answer(/String with date format \(date, optional\): $/, '');
    await answer(/Integer \(whole number, 1\.\.100, optional\) \[42\]: $/, '500');
    await answer(/It must be at most 100\.\s+Integer[^\n]*: $/, '7');
    await answer(/Number in range 1-1000 \(number, 0\.\.1000, optional\) \[3\.14\]: $/, '');
    await answer(/3\. Joey[\s\S]*Untitled Single Select Enum \(number, optional\) \[Monica\]: $/, '3');
    await answer(/Untitled Multiple Select Enum \(numbers, comma-separated, optional\) \[Guitar\]: $/, '1,2');
    await answer(/2\. Green Lantern[\s\S]*Titled Single Select Enum \(number, optional\) \[hero-1\]: $/, '2');
    await answer(/Titled Multiple Select Enum[^\n]*\[fish-1\]: $/, '');
    await answer(/2\. Dogs[\s\S]*Legacy Titled Single Select Enum \(number, optional\) \[pet-1\]: $/, '2');
    expect(await t.exit).toBe(0);
    const result = toolMessage(mock, 1);
    expect(result).toMatch(/"action": "accept"/);
    const content = JSON.parse(result.slice(result.indexOf('{'))).content as Record<string, unknown>;
    expect(content).toEqual({
      name: 'Ada',
      check: true,
      firstLine: 'It was a dark and stormy night.',
      email: 'ada@example.com',
      integer: 7,
      number: 3.14,
      untitledSingleSelectEnum: 'Joey',
      untitledMultipleSelectEnum: ['Guitar', 'Piano'],
      titledSingleSelectEnum: 'hero-2',
      titledMultipleSelectEnum: ['fish-1'],
      legacyTitledEnum: 'pet-2',
    });
  });

  it('elicitation declined in the terminal: the server reads "decline"', async () => {
    const mock = await startMockLlm({ script: [{ toolCalls: [{ id: 'c1', name: 'trigger-elicitation-request', arguments: {} }] }, { text: 'ok' }] });
    mocks.push(mock);
    const t = openTerminal(['chat', '--config', config(), '--endpoint-url', mock.url, '--model', 'm', '--yes', 'ask me']);
    await answerer(t)(/Answer it\? [^\n]*: $/, 'd');
    expect(await t.exit).toBe(0);
    expect(toolMessage(mock, 1)).toMatch(/"action": "decline"/);
  });

  it('URL mode: the full URL and the server are shown (made terminal-safe), the browser started only after consent, the completion shown', async () => {
    const mock = await startMockLlm({
      script: [{ toolCalls: [{ id: 'c1', name: 'open_url', arguments: { url: 'https://example.com/auth?state=42', message: 'Sign in \u001b]0;pwned\u0007now' } }] }, { text: 'ok' }],
    });
    mocks.push(mock);
    const opened = join(h.dir(), 'opened.txt');
    // A stand-in browser that records what it was asked to open (Switchboard itself never fetches it).
    const browser = h.file('browser.sh', `#!/bin/sh\necho "$1" > '${opened}'\n`);
    chmodSync(browser, 0o755);
    const config = h.file('url.json', { mcpServers: { fixture: fixtureServer('--url-elicit-tool') } });
    const t = openTerminal(['chat', '--config', config, '--endpoint-url', mock.url, '--model', 'm', '--yes', 'sign in'], { env: { BROWSER: browser } });
    await answerer(t)(/Server "fixture" asks you to open a web page:\s+Sign in [^\n]*now\s+URL: https:\/\/example\.com\/auth\?state=42\s+Open it in your browser\? [^\n]*: $/, 'y');
    expect(await t.exit).toBe(0);
    // The notification arrived before the tool's result, and was shown before it (the tool's
    // activity line may be drawn and erased between the two: the raw screen keeps its text).
    expect(plain(t)).toMatch(/Opened\. Waiting for server "fixture" to say the page flow is done\.\.\.\r?\n[\s\S]*Server "fixture" says the page flow is done\.\r?\n[\s\S]*← open_url/);
    expect(t.screen()).not.toContain('\u001b]0;pwned');
    expect(readFileSync(opened, 'utf8')).toBe('https://example.com/auth?state=42\n');
    expect(toolMessage(mock, 1)).toBe('action: accept');
  });

  it('sampling approval shows the server, the messages and max tokens; allowed once, the model serves it', async () => {
    const mock = await startMockLlm({
      script: [{ toolCalls: [{ id: 'c1', name: 'trigger-sampling-request', arguments: { prompt: 'a haiku', maxTokens: 33 } }] }, { text: 'old pond' }, { text: 'done' }],
    });
    mocks.push(mock);
    const t = openTerminal(['chat', '--config', config(), '--endpoint-url', mock.url, '--model', 'm', '--yes', 'sample']);
    await answerer(t)(
      /Server "everything" asks the model for a completion \(at most 33 tokens\):\s+system: You are a helpful test server\.\s+user: Resource trigger-sampling-request context: a haiku\s+Allow it\? \[o\]nce \/ \[a\]lways for this server \/ \[d\]eny: $/,
      'o',
    );
    expect(await t.exit).toBe(0);
    expect(mock.requests).toHaveLength(3);
    expect(mock.requests[1]!.body.max_tokens).toBe(33);
    expect(toolMessage(mock, 2)).toMatch(/old pond/);
  });

  it('Tab completes a resource URI of a server after @server:', async () => {
    const mock = await startMockLlm({ script: [{ text: 'got it' }] });
    mocks.push(mock);
    const t = openTerminal(['chat', '--config', config(), '--endpoint-url', mock.url, '--model', 'm', '--yes']);
    await waitPlain(t, /you> $/);
    t.type('read @everything:demo://resource/static/document/feat\t');
    await waitPlain(t, /document\/features\.md$/);
    t.type('\r');
    await waitPlain(t, /got it[\s\S]*you> $/);
    t.type('\x04');
    expect(await t.exit).toBe(0);
    const sent = (mock.requests[0]!.body.messages as Array<{ role: string; content: string }>).at(-1)!.content;
    expect(sent).toMatch(/^read @everything:demo:\/\/resource\/static\/document\/features\.md\n\n<resource server="everything" uri="demo:\/\/resource\/static\/document\/features\.md">\n\S/);
  });

  it('sampling "always for this server": the second request of the run is served without asking', async () => {
    const sample = (id: string) => ({ toolCalls: [{ id, name: 'trigger-sampling-request', arguments: { prompt: id } }] });
    const mock = await startMockLlm({ script: [sample('c1'), { text: 'first' }, sample('c2'), { text: 'second' }, { text: 'done' }] });
    mocks.push(mock);
    const t = openTerminal(['chat', '--config', config(), '--endpoint-url', mock.url, '--model', 'm', '--yes', 'sample twice']);
    await answerer(t)(/Allow it\? [^\n]*: $/, 'a');
    expect(await t.exit).toBe(0);
    expect(plain(t).match(/Allow it\?/g)).toHaveLength(1);
    expect(mock.requests).toHaveLength(5);
    expect(toolMessage(mock, 4)).toMatch(/first|second/);
  });

  it('read of a binary resource on a terminal: refused with how to write it to a file, nothing printed', async () => {
    const t = openTerminal(['read', 'demo://resource/dynamic/blob/1', '--config', config()]);
    expect(await t.exit).toBe(2);
    expect(plain(t)).toMatch(/"demo:\/\/resource\/dynamic\/blob\/1" is binary \([^)]+\); it is not printed on a terminal\. Write it to a file: switchboard read demo:\/\/resource\/dynamic\/blob\/1 --out FILE/);
    expect(plain(t)).not.toMatch(/UmVzb3VyY2/); // "Resource" in base64
  });

  it('the chat: /resources, @server:uri attaches the resource, /prompt sends a prompt, a denied sampling request asked through the chat', async () => {
    const mock = await startMockLlm({
      script: [
        { text: 'read it' },
        { text: 'weather noted' },
        { toolCalls: [{ id: 'c1', name: 'trigger-sampling-request', arguments: { prompt: 'x' } }] },
        { text: 'denied, fine' },
      ],
    });
    mocks.push(mock);
    const t = openTerminal(['chat', '--config', config(), '--endpoint-url', mock.url, '--model', 'm', '--yes']);
    const answer = answerer(t);
    await answer(/you> $/, '/resources');
    await waitPlain(t, /everything\s+demo:\/\/resource\/static\/document\/features\.md[\s\S]*you> $/);
    await answer(/you> $/, 'summarize @everything:demo://resource/dynamic/text/5 please');
    await answer(/read it[\s\S]*you> $/, '/prompt args-prompt city=Oslo');
    await answer(/weather noted[\s\S]*you> $/, 'sample something');
    await answer(/Allow it\? [^\n]*: $/, 'd');
    await waitPlain(t, /denied, fine[\s\S]*you> $/);
    t.type('\x04');
    expect(await t.exit).toBe(0);
    const first = (mock.requests[0]!.body.messages as Array<{ role: string; content: string }>).at(-1)!.content;
    expect(first).toMatch(/^summarize @everything:demo:\/\/resource\/dynamic\/text\/5 please\n\n<resource server="everything" uri="demo:\/\/resource\/dynamic\/text\/5">\nResource 5: This is a plaintext resource/);
    expect((mock.requests[1]!.body.messages as Array<{ role: string; content: string }>).at(-1)).toEqual({ role: 'user', content: "What's weather in Oslo?" });
    expect(mock.requests).toHaveLength(4); // the denied sampling request never reached the model
    expect(toolMessage(mock, 3)).toMatch(/sampling refused by the user's host \(Switchboard\): the user denied it/);
  });
});
