import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['tests/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    // Integration suites share one MariaDB; two workers keep the 2-core machine responsive.
    maxWorkers: 2,
    // Tests run in a random order within each file, so none can lean on what an earlier one left
    // (#21); files keep vitest's slowest-first order, which packs the two workers best. The seed is
    // printed at the start ("Running tests with seed …"): `npx vitest run --sequence.seed=<seed>`
    // replays that order.
    sequence: { shuffle: { files: false, tests: true } },
  },
});
