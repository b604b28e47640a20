import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['tests/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    // Integration suites share one MariaDB; two workers keep the 2-core machine responsive.
    maxWorkers: 2,
  },
});
