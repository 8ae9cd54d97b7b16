/**
 * What the trust question shows about a project config before anything runs: every grant
 * the file makes over the user's approvals must be visible (a file that quietly says
 * "allow everything" would otherwise be approved as "it starts one server").
 */
import { describe, expect, it } from 'vitest';
import { summarizeConfig } from '../../src/config/summary.js';

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

  it('keeps control characters of a rule inert', () => {
    const text = JSON.stringify({ mcpServers: {}, permissions: { allow: ['x\u001b[2J/*'] } });
    expect(summarizeConfig(text, 'switchboard.json')).toContain('permissions: x\\u001b[2J/* runs WITHOUT asking');
  });
});
