/**
 * Remote server entries in the config: transport kind, headers (expanded, recorded as
 * secrets, an empty one an error naming it), allowInsecure, auth, and the URL rule.
 */
import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/config/load.js';
import { UserInputError } from '../../src/errors.js';

const parse = (config: unknown, env: NodeJS.ProcessEnv = {}) => parseConfig(JSON.stringify(config), '/tmp/remote-config-test/switchboard.json', env);

function problem(config: unknown, env: NodeJS.ProcessEnv = {}): string {
  try {
    parse(config, env);
  } catch (error) {
    expect(error).toBeInstanceOf(UserInputError);
    return (error as Error).message;
  }
  throw new Error('expected a config error');
}

describe('remote server entries', () => {
  it('maps type to the transport kind: http/streamable-http, sse, and auto without a type', () => {
    const { servers } = parse({
      mcpServers: { a: { url: 'https://a.example/mcp' }, b: { type: 'sse', url: 'https://b.example/sse' } },
      servers: { c: { type: 'http', url: 'https://c.example/mcp' }, d: { type: 'streamable-http', url: 'https://d.example/mcp', allowInsecure: true } },
    });
    expect(servers.map((s) => [s.name, s.transport, s.remoteKind])).toEqual([
      ['a', 'http', 'auto'],
      ['b', 'http', 'sse'],
      ['c', 'http', 'streamable-http'],
      ['d', 'http', 'streamable-http'],
    ]);
    expect(servers.find((s) => s.name === 'd')!.allowInsecure).toBe(true);
  });

  it('keeps the sampling policy of a url entry, as of a command entry', () => {
    const { servers } = parse({ mcpServers: { far: { url: 'https://a.example/mcp', sampling: 'allow' }, near: { command: 'node', sampling: 'deny' }, plain: { url: 'https://b.example/mcp' } } });
    expect(servers.map((s) => [s.name, s.sampling])).toEqual([
      ['far', 'allow'],
      ['near', 'deny'],
      ['plain', undefined],
    ]);
  });

  it('expands headers and records their values (and a client secret) as secrets to mask', () => {
    const config = parse(
      {
        mcpServers: {
          a: { url: 'https://a.example/mcp', headers: { Authorization: 'Bearer ${env:A_TOKEN}', 'X-Literal': 'literal-header-value' } },
          b: { url: 'https://b.example/mcp', auth: { grant: 'client_credentials', clientId: 'sb', clientSecret: '${env:B_SECRET}' } },
        },
      },
      { A_TOKEN: 'tok-1234567', B_SECRET: 'sec-7654321' },
    );
    expect(config.servers[0]!.headers).toEqual({ Authorization: 'Bearer tok-1234567', 'X-Literal': 'literal-header-value' });
    expect(config.servers[1]!.auth).toMatchObject({ grant: 'client_credentials', clientId: 'sb', clientSecret: 'sec-7654321' });
    expect(config.secrets).toEqual(expect.arrayContaining(['tok-1234567', 'Bearer tok-1234567', 'literal-header-value', 'sec-7654321']));
  });

  it('a header that is empty after expansion is an error naming the header', () => {
    expect(problem({ mcpServers: { a: { url: 'https://a.example/mcp', headers: { Authorization: 'Bearer ${env:A_TOKEN}' } } } }, { A_TOKEN: '' })).toContain(
      'mcpServers.a.headers.Authorization: is empty',
    );
    expect(problem({ mcpServers: { a: { url: 'https://a.example/mcp', headers: { 'X-Key': '${env:A_KEY}' } } } }, { A_KEY: '' })).toContain('mcpServers.a.headers.X-Key: is empty');
  });

  it('refuses a url that is not http(s), and client_credentials without a secret', () => {
    expect(problem({ mcpServers: { a: { url: 'ftp://a.example/mcp' } } })).toMatch(/mcpServers\.a\.url: must be an http\(s\) URL/);
    expect(problem({ mcpServers: { a: { url: 'https://a.example/mcp', auth: { grant: 'client_credentials', clientId: 'x' } } } })).toMatch(/mcpServers\.a\.auth\.clientId: the client_credentials grant needs/);
  });
});
