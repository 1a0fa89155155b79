import { execFile } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';

const run = promisify(execFile);
const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');
const TSX = join(ROOT, 'node_modules/.bin/tsx');
const MIGRATE = join(ROOT, 'packages/central/src/migrate.ts');
const VERSIONS = readdirSync(join(ROOT, 'packages/central/src/migrations'))
  .filter((f) => f.endsWith('.sql'))
  .map((f) => Number(f.slice(0, 4)))
  .sort((a, b) => a - b);

/** `npm run migrate` as an operator runs it before a deploy. */
describe('the migrate command', { timeout: 120_000 }, () => {
  const workDir = mkdtempSync(join(tmpdir(), 'osiris-migrate-'));
  const env = { PATH: process.env.PATH ?? '/usr/bin:/bin', DATA_DIR: join(workDir, 'data') };
  afterAll(() => rmSync(workDir, { recursive: true, force: true }));

  it('applies every migration to a new database, then reports it up to date', async () => {
    const first = await run(TSX, [MIGRATE], { cwd: workDir, env });
    expect(VERSIONS.length).toBeGreaterThanOrEqual(5);
    expect(first.stdout.trim()).toBe(`Applied migrations: ${VERSIONS.join(', ')}`);
    const second = await run(TSX, [MIGRATE], { cwd: workDir, env });
    expect(second.stdout.trim()).toBe('Database is up to date.');
  });

  it('stops with a clear message and a non-zero exit on a bad setting', async () => {
    const failed = run(TSX, [MIGRATE], { cwd: workDir, env: { ...env, DATABASE_URL: 'mysql://nope' } });
    await expect(failed).rejects.toMatchObject({
      code: 1,
      stderr: expect.stringMatching(/DATABASE_URL: must be a postgres:\/\/ URL/),
    });
  });
});
