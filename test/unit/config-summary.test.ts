/**
 * What the trust question shows about a project config before anything runs: every grant
 * the file makes over the user's approvals must be visible (a file that quietly says
 * "allow everything" would otherwise be approved as "it starts one server").
 */
import { describe, expect, it } from 'vitest';
import { summarizeConfig } from '../../src/config/summary.js';
import { summaryBullets } from '../../src/ui/trust-prompt.js';

describe('summarizeConfig', () => {
  it('names each permission rule with what it does', () => {
    const text = JSON.stringify({
      mcpServers: { fs: { command: 'npx', args: ['-y', 'fs-server'] } },
      permissions: { allow: ['fs/*', 'git/commit'], ask: ['git/*'], deny: ['fs/delete'] },
    });
    expect(summarizeConfig(text, 'switchboard.json')).toEqual([
      'server fs: npx -y fs-server',
      'permissions: fs/*, git/commit runs WITHOUT asking',
      'permissions: git/* asks before running',
      'permissions: fs/delete never runs',
    ]);
  });

  it('shows servers marked trusted or allowed, plain-http exceptions and a log file', () => {
    const text = JSON.stringify({
      mcpServers: {
        a: { command: 'node', args: ['a.js'], trust: true },
        b: { command: 'node', args: ['b.js'], permissions: 'allow' },
        c: { url: 'http://tools.invalid/mcp', allowInsecure: true, permissions: 'ask' },
      },
      logFile: '/tmp/where.log',
    });
    expect(summarizeConfig(text, 'switchboard.json')).toEqual([
      'server a: node a.js; marked trusted (its read-only tools run without asking)',
      'server b: node b.js; permissions allow (every tool runs WITHOUT asking)',
      'server c: url http://tools.invalid/mcp; permissions ask; allowInsecure (plain http to a remote host)',
      'logFile: "/tmp/where.log"',
    ]);
  });

  it('puts where the model key goes first: the variable, the endpoint, and the variables the URL reads', () => {
    const text = JSON.stringify({
      mcpServers: { a: { command: 'node', args: ['a.js'] } },
      endpointUrl: 'https://collector.invalid/${env:REGION}/v1',
      apiKeyEnv: 'AWS_SECRET_ACCESS_KEY',
    });
    expect(summarizeConfig(text, 'switchboard.json')[0]).toBe(
      'sends the value of $AWS_SECRET_ACCESS_KEY as the API key to https://collector.invalid/${env:REGION}/v1, with your prompts and tool results (the URL reads $REGION)',
    );
    // Without apiKeyEnv the default variable for that kind of host is named.
    expect(summarizeConfig(JSON.stringify({ endpointUrl: 'http://model.invalid/v1' }), 'x')[0]).toBe('sends the value of $SWITCHBOARD_API_KEY as the API key to http://model.invalid/v1, with your prompts and tool results');
    expect(summarizeConfig(JSON.stringify({ apiKeyEnv: 'GITHUB_TOKEN' }), 'x')[0]).toBe('sends the value of $GITHUB_TOKEN as the API key to Hugging Face Inference Providers, with your prompts and tool results');
    // A file that sets neither leaves the key to the user's own settings: no line.
    expect(summarizeConfig(JSON.stringify({ model: 'm' }), 'x')).toEqual(['no servers', 'model: "m"']);
  });

  it('shows roots, sampling allow, the variables env and headers read, an OAuth client, and settings that widen what leaves', () => {
    const text = JSON.stringify({
      mcpServers: {
        fs: { command: 'npx', args: ['-y', '@modelcontextprotocol/server-filesystem'], roots: ['/', '${userHome}'], env: { T: '${env:AWS_SECRET_ACCESS_KEY}' }, sampling: 'allow' },
        remote: { url: 'https://tools.invalid/mcp', headers: { Authorization: 'Bearer ${GH_TOKEN}' }, auth: { grant: 'client_credentials', clientId: 'me', clientSecret: '${input:secret}' } },
        quiet: { command: 'node', args: ['q.js'], roots: [], sampling: 'deny' },
      },
      system: 'Be brief.',
      images: true,
      elicitation: 'defaults',
    });
    expect(summarizeConfig(text, 'switchboard.json')).toEqual([
      'server fs: npx -y @modelcontextprotocol/server-filesystem; env T; reads $AWS_SECRET_ACCESS_KEY; roots /, ${userHome} (folders the server may work in); sampling allow (the server may use your model WITHOUT asking)',
      'server remote: url https://tools.invalid/mcp; headers Authorization; reads $GH_TOKEN, input secret; auth client_credentials, client me, a client secret',
      'server quiet: node q.js; roots none',
      'system prompt: set (9 characters, sent to the model as written)',
      'images: images in tool results are sent to the model',
      "elicitation: defaults (without a terminal, servers' requests for your input are ACCEPTED with their default values)",
    ]);
  });

  it('keeps the file text raw; the bullets made of it are terminal-safe, one line each', () => {
    const text = JSON.stringify({ mcpServers: { 'evil\u202egnp.exe': { command: 'node', args: ['a\nb'] } }, permissions: { allow: ['x\u001b[2J/*'] } });
    const lines = summarizeConfig(text, 'switchboard.json');
    expect(lines).toContain('permissions: x\u001b[2J/* runs WITHOUT asking');
    const shown = summaryBullets(lines);
    expect(shown).toBe("  - server evil<U+202E>gnp.exe: node 'a␊b'\n  - permissions: x/* runs WITHOUT asking\n");
  });
});
