/**
 * The trace page in a real headless browser (Debian's chromium, driven by playwright-core):
 * recorded from a real run (test/support/record-session.ts), rendered, loaded from a file://
 * URL. The page must load without a console error or any network request, draw one
 * tool-call arrow per recorded tool call, mark the failed call and the retry, keep hostile
 * text inert, and expand its details. A screenshot is written (path printed) for the README.
 *
 * Without /usr/bin/chromium the test is skipped and says why (CI installs it: .ci/run).
 */
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium } from 'playwright-core';
import { afterAll, describe, expect, it } from 'vitest';
import { renderTraceHtml } from '../../src/trace/html.js';
import { HOSTILE_ANSWER, HOSTILE_PROMPT, recordRealSession } from '../support/record-session.js';

const CHROMIUM = '/usr/bin/chromium';
const hasChromium = existsSync(CHROMIUM);
if (!hasChromium) console.warn(`trace-browser.test.ts: SKIPPED: ${CHROMIUM} is missing (apt-get install -y chromium; .ci/run does it in CI).`);

const dir = mkdtempSync(join(tmpdir(), 'switchboard-trace-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('the trace page in headless chromium', () => {
  it.skipIf(!hasChromium)(`loads cleanly, draws every tool call, keeps hostile text inert${hasChromium ? '' : ` (skipped: ${CHROMIUM} is missing)`}`, { timeout: 90_000 }, async () => {
    const run = await recordRealSession(join(dir, 'session.jsonl'));
    const recordedCalls = run.records.filter((r) => r.type === 'tool_call').length;
    expect(recordedCalls).toBe(run.toolCalls);
    expect(recordedCalls).toBe(4);
    const page = join(dir, 'trace.html');
    writeFileSync(page, renderTraceHtml(run.records));
    const url = pathToFileURL(page).href;

    const browser = await chromium.launchPersistentContext(join(dir, 'profile'), {
      executablePath: CHROMIUM,
      headless: true,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
      viewport: { width: 1100, height: 900 },
    });
    try {
      const tab = await browser.newPage();
      const consoleErrors: string[] = [];
      const failed: string[] = [];
      const requests: string[] = [];
      tab.on('console', (message) => {
        if (message.type() === 'error') consoleErrors.push(message.text());
      });
      tab.on('pageerror', (error) => consoleErrors.push(error.message));
      tab.on('requestfailed', (request) => failed.push(`${request.url()}: ${request.failure()?.errorText ?? ''}`));
      tab.on('request', (request) => requests.push(request.url()));
      await tab.goto(url, { waitUntil: 'load' });

      expect(consoleErrors, 'console errors').toEqual([]);
      expect(failed, 'failed requests').toEqual([]);
      expect(requests, 'the page requests nothing but itself').toEqual([url]);

      expect(await tab.locator('svg.diagram [data-kind="tool-call"]').count()).toBe(recordedCalls);
      expect(await tab.locator('svg.diagram [data-kind="tool-result"]').count()).toBe(recordedCalls);
      expect(await tab.locator('svg.diagram .arrow.tool-result.error').count(), 'the failed call (empty city) is marked').toBe(1);
      expect(await tab.locator('svg.diagram [data-kind="retry"]').count(), 'the HTTP 503 retry is marked').toBe(1);
      expect(await tab.locator('svg.diagram [data-kind="prompt"]').count()).toBe(2);
      expect(await tab.locator('svg.diagram [data-kind="answer"]').count()).toBe(2);

      // Hostile text is shown as text: nothing ran, nothing was embedded, the layout held.
      expect(await tab.title()).toMatch(/^Switchboard trace/);
      expect(await tab.locator('body img, body iframe, script').count()).toBe(0);
      const text = await tab.locator('body').innerText();
      expect(text).toContain(HOSTILE_PROMPT);
      expect(text).toContain(HOSTILE_ANSWER);
      expect(await tab.locator('section.turn').count()).toBe(2);

      // Arguments and results are expandable.
      const details = tab.locator('details.tool-call').first();
      expect(await details.getAttribute('open')).toBeNull();
      await details.locator('summary').click();
      expect(await details.getAttribute('open')).not.toBeNull();
      await expect.poll(() => details.locator('pre').first().isVisible()).toBe(true);
      expect(await details.locator('pre').first().innerText()).toContain('Paris');

      const screenshot = process.env.SWITCHBOARD_TRACE_SCREENSHOT || join(dir, 'trace.png');
      await tab.screenshot({ path: screenshot, fullPage: true });
      expect(readFileSync(screenshot).subarray(1, 4).toString()).toBe('PNG');
      console.log(`trace screenshot: ${screenshot}`);
    } finally {
      await browser.close();
    }
  });
});
