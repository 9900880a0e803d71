import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts', 'test/**/*.test.tsx'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    pool: 'forks',
    // Two cores: fault tests measure timings, so don't run more than two files at once.
    maxWorkers: 2,
    fileParallelism: true,
  },
});
