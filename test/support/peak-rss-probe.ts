/**
 * Preload that records a process's peak RSS when it exits, for tests that bound the memory of
 * the built CLI:
 *
 *   NODE_OPTIONS="--import file:///.../dist/test/support/peak-rss-probe.js" PEAK_RSS_DIR=/tmp/x
 *
 * On exit (also through process.exit) writes `PEAK_RSS_DIR/<pid>.json`:
 * `{ "script": process.argv[1], "maxRssKb": process.resourceUsage().maxRSS }` (the kernel's
 * high-water mark, VmHWM in /proc/PID/status). NODE_OPTIONS is inherited by Node children
 * that get the parent's environment (the watchdog does), so each process writes its own file
 * and the test picks the CLI's by its script.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';

const dir = process.env.PEAK_RSS_DIR;
if (dir) {
  process.on('exit', () => {
    writeFileSync(join(dir, `${process.pid}.json`), JSON.stringify({ script: process.argv[1], maxRssKb: process.resourceUsage().maxRSS }));
  });
}
