/**
 * Preload for measuring a whole process's peak RSS from outside, without touching it:
 *
 *   BENCH_RSS_FILE=/tmp/x node --import ./dist/test/bench/rss-probe.js dist/src/cli/main.js ...
 *
 * On exit (also through process.exit), writes process.resourceUsage().maxRSS (KiB) to
 * the file. Used for the CLI process, and for the other contenders alike.
 */
import { writeFileSync } from 'node:fs';

const file = process.env.BENCH_RSS_FILE;
if (file) {
  process.on('exit', () => {
    writeFileSync(file, `${process.resourceUsage().maxRSS}\n`);
  });
}
