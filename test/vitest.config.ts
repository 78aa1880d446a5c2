import { defineConfig } from 'vitest/config';

export default defineConfig({
  root: new URL('..', import.meta.url).pathname,
  test: {
    include: ['runtime/**/*.test.ts', 'packages/**/*.test.ts', 'connectors/**/*.test.ts', 'test/**/*.test.ts'],
    exclude: ['**/node_modules/**', '**/dist/**', '**/.switchboard/**'],
    globalSetup: ['test/support/global-setup.ts'],
    pool: 'forks',
    // isolated-vm needs this flag, and vitest refuses it in NODE_OPTIONS.
    execArgv: ['--no-node-snapshot'],
    maxWorkers: 3,
    testTimeout: 30_000,
    hookTimeout: 60_000,
  },
});
