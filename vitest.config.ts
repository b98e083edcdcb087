import { defineConfig } from 'vitest/config';

// One vitest run covers every package: unit tests sit beside the code, cross-package suites in tests/.
// Integration suites start their own services through packages/local-stack, so files may run in parallel.
export default defineConfig({
  test: {
    include: ['apps/*/src/**/*.test.ts', 'packages/*/src/**/*.test.ts', 'tests/**/*.test.ts'],
    exclude: ['**/node_modules/**'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    maxWorkers: 2,
    globalSetup: ['./tests/global-setup.ts'],
    reporters: ['default', './tests/summary-reporter.ts'],
  },
});
