import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

// Tests run the TypeScript sources directly; child processes they start (the CLI,
// the bundled server, fixture servers) run from `dist/`, which `npm test` builds first.
export default defineConfig({
  // This file lives in test/ to keep the repository's top level small; the root is the repo.
  root: fileURLToPath(new URL('..', import.meta.url)),
  test: {
    include: ['test/**/*.test.ts'],
    exclude: ['dist/**', 'node_modules/**'],
    // Generous: on a busy 2-core machine a test that runs the CLI several times in a row can take
    // tens of seconds; a hang is still caught, and no test asserts on durations.
    testTimeout: 90_000,
    hookTimeout: 30_000,
    // 2 cores: many tests spawn child processes; keep the pool small to avoid starvation.
    maxWorkers: 2,
    pool: 'forks',
  },
});
