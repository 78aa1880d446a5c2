import { availableParallelism } from 'node:os';
import { resolve } from 'node:path';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  // The config lives in test/ because the repository's top level is fixed; paths are from the root.
  root: resolve(import.meta.dirname, '..'),
  test: {
    include: ['runtime/**/*.test.ts', 'packages/**/*.test.ts', 'connectors/**/*.test.ts', 'test/**/*.test.ts'],
    exclude: ['**/node_modules/**', '**/dist/**', '**/.switchboard/**'],
    globalSetup: ['test/support/global-setup.ts'],
    pool: 'forks',
    // isolated-vm needs this flag, and vitest refuses it in NODE_OPTIONS.
    execArgv: ['--no-node-snapshot'],
    // Most files wait on PostgreSQL and child processes, so one worker more than there are cores;
    // beyond that, CPU contention only slows the timing-sensitive tests (3 on a 2-core machine).
    maxWorkers: Math.min(availableParallelism() + 1, 8),
    testTimeout: 30_000,
    // Waiting for something to arrive (a delivery, a socket frame) may take a while on a loaded
    // 2-core machine; a poll still fails the moment its time is up.
    expect: { poll: { timeout: 5_000, interval: 20 } },
    hookTimeout: 60_000,
  },
});
