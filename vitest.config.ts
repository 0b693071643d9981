import { defineConfig } from 'vitest/config';

// Test tiers by file suffix. `npm test` runs every tier; `npm run test:<tier>` runs one.
// Integration and end-to-end tiers talk to real PostgreSQL, PGlite and Kafka; they run
// with few workers because the machine has two cores and the broker needs one of them.
export default defineConfig({
  test: {
    reporters: ['default', './scripts/summary-reporter.ts'],
    projects: [
      {
        test: {
          name: 'unit',
          sequence: { groupOrder: 0 },
          include: ['{packages,services}/*/src/**/*.unit.spec.ts', 'tests/**/*.unit.spec.ts'],
        },
      },
      {
        test: {
          name: 'int',
          globalSetup: ['./tests/global-setup.ts'],
          sequence: { groupOrder: 1 },
          include: ['{packages,services}/*/src/**/*.int.spec.ts', 'tests/**/*.int.spec.ts'],
          testTimeout: 60_000,
          hookTimeout: 120_000,
          maxWorkers: 2,
        },
      },
      {
        test: {
          name: 'e2e',
          globalSetup: ['./tests/global-setup.ts'],
          sequence: { groupOrder: 2 },
          include: ['{packages,services}/*/src/**/*.e2e.spec.ts', 'tests/**/*.e2e.spec.ts'],
          testTimeout: 120_000,
          hookTimeout: 120_000,
          maxWorkers: 1,
        },
      },
    ],
  },
});
