/**
 * A server process spawned ahead of its transport (server-process.ts `prelaunch`) may exit
 * before the transport adopts it: what it wrote must still reach the transport. Node throws
 * away the output of a child's pipes that nobody listens to when the child exits, so a
 * crashed server's last stderr line (the reason it crashed) was lost from the start-failure
 * report, now and then, depending on how fast the host loaded its modules.
 */
import { describe, expect, it } from 'vitest';
import { groupAlive, launchServerProcess, liveGroups, prelaunch } from '../../src/mcp/server-process.js';
import { ProcessTreeStdioTransport } from '../../src/mcp/stdio-transport.js';
import { FIXTURE_SERVER_PATH } from '../support/paths.js';

const crashing = { command: process.execPath, args: [FIXTURE_SERVER_PATH, '--crash-at-start'], env: { PATH: process.env.PATH ?? '' } };

describe('output of a server process before it is adopted', () => {
  it('is handed to the adopter in order, after the process has exited and Node has flushed its pipes', async () => {
    const launched = launchServerProcess(crashing);
    await launched.exit;
    await new Promise((resolve) => setImmediate(resolve)); // Node's flush of unread pipes runs on exit
    const stderr: string[] = [];
    launched.attach({ stdout: () => undefined, stderr: (chunk) => stderr.push(chunk.toString('utf8')) });
    await launched.closed;
    expect(stderr.join('')).toBe('fixture: fatal start error\n');
  });

  it('reaches the transport that adopts a prelaunched process which already crashed', async () => {
    const before = new Set(liveGroups);
    prelaunch(crashing);
    const pid = [...liveGroups].find((group) => !before.has(group))!;
    // It has exited before the transport takes it (the order that lost the line).
    while (groupAlive(pid)) await new Promise((resolve) => setTimeout(resolve, 20));
    await new Promise((resolve) => setImmediate(resolve));
    const lines: string[] = [];
    const transport = new ProcessTreeStdioTransport({ ...crashing, onStderrLine: (line) => lines.push(line) });
    const closed = new Promise<void>((resolve) => (transport.onclose = () => resolve()));
    transport.onerror = () => undefined;
    await transport.start();
    await closed;
    expect(lines).toContain('fixture: fatal start error');
  });
});
