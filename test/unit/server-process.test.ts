/**
 * server-process.ts repeats the MCP SDK's list of inherited environment variables (to spawn a
 * server before the SDK is loaded): the two must give the same environment.
 */
import { getDefaultEnvironment } from '@modelcontextprotocol/sdk/client/stdio.js';
import { describe, expect, it } from 'vitest';
import { serverEnvironment } from '../../src/mcp/server-process.js';

describe('serverEnvironment', () => {
  it('inherits exactly what the SDK stdio transport inherits, then the config env, then the marker', () => {
    expect(serverEnvironment({}, {})).toEqual(getDefaultEnvironment());
    expect(serverEnvironment({ PATH: '/only/this', KEY: 'v' }, { MARK: 'm' })).toEqual({ ...getDefaultEnvironment(), PATH: '/only/this', KEY: 'v', MARK: 'm' });
  });

  it('never passes on an exported shell function', () => {
    expect(serverEnvironment({}, {}, { HOME: '/h', SHELL: '() { :; }' })).toEqual({ HOME: '/h' });
  });
});
