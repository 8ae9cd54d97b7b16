/** `serve`'s flags: the fast path and yargs read them alike (see command-line.test.ts). */
import { describe, expect, it } from 'vitest';
import { parseCommonInvocation } from '../../src/cli/fast-parse.js';
import { parseWithYargs } from '../../src/cli/yargs-parse.js';
import { serveFlags } from '../../src/cli/serve.js';

describe('serve command line', () => {
  it.each([
    [['serve']],
    [['serve', '--port', '0', '--host', '::1', '--token-env', 'T', '--cors', 'http://localhost:3000', '--max-concurrent', '2', '--drain-timeout', '1.5', '--yes']],
    [['serve', '--mcp', '--http', '--allow', 'fs/*', '--model', 'm']],
  ])('%j', async (argv) => {
    const fast = parseCommonInvocation(argv)!;
    expect(fast.command).toBe('serve');
    const slow = (await parseWithYargs(argv))!;
    expect(serveFlags(fast.flags)).toEqual(serveFlags(slow.flags));
  });

  it('checks the values', () => {
    expect(serveFlags({ port: '8080', maxConcurrent: '3', drainTimeout: '2' })).toMatchObject({ port: 8080, maxConcurrent: 3, drainTimeout: 2 });
    expect(() => serveFlags({ maxConcurrent: '0' })).toThrow(/--max-concurrent/);
    expect(() => serveFlags({ drainTimeout: '-1' })).toThrow(/--drain-timeout/);
    expect(() => serveFlags({ tokenEnv: 'abc def' })).toThrow(/NAME of an environment variable/);
    expect(() => serveFlags({ cors: '*' })).toThrow(/one origin/);
  });
});
