import { defineConfig } from 'vitest/config';

// One root config for every workspace package (`npm test`, `.ci/run`).
// x.test.ts: pure logic; x.int.test.ts: real PostgreSQL (TEST_DATABASE_URL, else PGlite), real files, real HTTP.
export default defineConfig({
  test: {
    include: ['packages/*/src/**/*.test.ts', 'packages/*/test/**/*.test.ts'],
    exclude: ['**/node_modules/**', '**/dist/**', '**/coverage/**', '**/data/**'],
    environment: 'node',
    // The browser tests serve the built web app: build it once (when stale) before any test runs.
    globalSetup: ['packages/web/test/global-setup.ts'],
    // Integration tests boot databases and argon2 hashing; give them room on a 2-core machine.
    testTimeout: 60_000,
    hookTimeout: 120_000,
    teardownTimeout: 30_000,
    // Separate processes: native modules (argon2, better-sqlite3) and PGlite do not share threads well.
    pool: 'forks',
    // The machines (dev and CI) have 2 cores; one worker per core, override with VITEST_MAX_WORKERS.
    maxWorkers: Number(process.env.VITEST_MAX_WORKERS ?? 2),
    // A test file must not depend on the state another left behind.
    isolate: true,
    // Report but do not hide slow tests.
    slowTestThreshold: 2_000,
    // A run that finds no test is a failure (a broken include pattern must not pass CI).
    passWithNoTests: false,
  },
});
