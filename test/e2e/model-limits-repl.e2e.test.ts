/**
 * The model-side limits in the interactive chat, through a real pseudo-terminal: a reply whose
 * tool arguments nest 5,000 levels deep, then an endless stream cut at maxReplyChars, and the
 * session still answers the next message. The CLI's peak RSS is read from /proc/PID/status
 * (VmHWM) while it waits at the prompt.
 */
import { readFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { startMockLlm } from '../support/mock-llm.js';
import { CLI_PATH } from '../support/paths.js';
import { subtreeOf } from '../support/processes.js';
import { closeTerminals, openTerminal, TERMINAL_MISSING } from '../support/terminal.js';
import { temperatureServer, useE2eHarness } from './harness.js';

afterEach(closeTerminals);

/** Peak resident memory of `pid` in MB (VmHWM in /proc/PID/status). */
function peakRssMb(pid: number): number {
  const match = /^VmHWM:\s+(\d+) kB$/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  if (!match) throw new Error(`no VmHWM in /proc/${pid}/status`);
  return Number(match[1]) / 1024;
}

describe.skipIf(TERMINAL_MISSING)('limits in the interactive chat', () => {
  const h = useE2eHarness();

  it('deep arguments, then an endless stream: each turn ends with one clear line, and the next message is answered', async () => {
    const deep = `{"city":"Paris","x":${'['.repeat(5000)}${']'.repeat(5000)}}`;
    const mock = await startMockLlm({
      script: [
        { toolCalls: [{ id: 'call_deep', name: 'get_temperature', arguments: deep }] },
        { text: 'Survived the deep call.' },
        { fault: 'endless' },
        { text: 'Still here.' },
      ],
    });
    try {
      const config = h.file('limits.json', { mcpServers: { temperature: temperatureServer() }, maxReplyChars: 200_000 });
      // --yes: this test is about limits, not approvals.
      const t = openTerminal(['chat', '--config', config, '--endpoint-url', mock.url, '--model', 'test-model', '--yes']);
      await t.waitFor(/you> /);

      let mark = t.screen().length;
      t.type('Deep?\r');
      await t.waitFor(/Survived the deep call\.[\s\S]*you> /, mark);
      expect(t.screen().slice(mark)).toMatch(/→ (temperature\/)?get_temperature/);

      mark = t.screen().length;
      t.type('Endless?\r');
      await t.waitFor(/✗ The model request failed: the model's reply passed 200,000 characters[\s\S]*"maxReplyChars"[\s\S]*you> /, mark);

      mark = t.screen().length;
      t.type('Still there?\r');
      await t.waitFor(/Still here\.[\s\S]*you> /, mark);
      expect(mock.requests).toHaveLength(4);
      expect(t.screen()).not.toMatch(/^\s{4}at /m);

      // The terminal tests run on Linux only (see TERMINAL_MISSING): /proc is there.
      const cli = subtreeOf(t.child.pid!).find((p) => p.cmdline.includes(CLI_PATH));
      expect(cli, 'the CLI process under `script`').toBeDefined();
      expect(peakRssMb(cli!.pid)).toBeLessThan(400);

      t.type('\x04');
      expect(await t.exit).toBe(0);
    } finally {
      await mock.close();
    }
  });
});
