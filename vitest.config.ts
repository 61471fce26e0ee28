import { defineConfig } from 'vitest/config';

// One runner for everything: `unit` holds unit and integration tests (real PostgreSQL, rsyslog,
// xorriso…), `e2e` drives the built server in real headless Chromium.
export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: 'unit',
          include: ['contract/**/*.test.ts', 'iso/**/*.test.ts', 'server/**/*.test.ts', 'web/**/*.test.ts'],
          testTimeout: 60_000,
          hookTimeout: 120_000,
        },
      },
      {
        test: {
          name: 'e2e',
          include: ['e2e/specs/**/*.spec.ts'],
          testTimeout: 120_000,
          hookTimeout: 180_000,
          fileParallelism: false,
        },
      },
    ],
  },
});
