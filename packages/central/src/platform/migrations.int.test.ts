import { createHash } from 'node:crypto';
import { sql } from 'kysely';
import { afterEach, describe, expect, it } from 'vitest';
import { type Backend, createTestDatabase, type TestDatabase, testBackends } from '../testing';
import { openDatabase } from './db';
import { type Migration, migrate, migrationStatus } from './migrations';

function migration(version: number, name: string, text: string): Migration {
  return { version, name, sql: text, checksum: createHash('sha256').update(text).digest('hex') };
}

const ONE = migration(1, 'widgets', 'CREATE TABLE widgets (id int PRIMARY KEY); INSERT INTO widgets VALUES (1);');
const TWO = migration(2, 'gadgets', 'CREATE TABLE gadgets (id int PRIMARY KEY);');
const BROKEN = migration(3, 'broken', 'CREATE TABLE half_done (id int); SELECT no_such_function();');

/** A fresh database with no migrations applied. */
const emptyDatabase = (backend: Backend) => createTestDatabase(backend, { migrate: false });

describe.each(testBackends)('migrations on %s', (backend) => {
  let testDb: TestDatabase | undefined;
  afterEach(async () => {
    await testDb?.drop();
    testDb = undefined;
  });

  it('applies pending migrations once, in order, and reports them in readiness', async () => {
    testDb = await emptyDatabase(backend);
    const { database } = testDb;
    expect(await migrate(database, [ONE])).toEqual([1]);
    expect(await migrationStatus(database, [ONE, TWO])).toEqual({ applied: 1, pending: 1 });
    expect(await migrate(database, [ONE, TWO])).toEqual([2]);
    expect(await migrate(database, [ONE, TWO])).toEqual([]);
    const rows = await sql<{ n: number }>`SELECT count(*)::int AS n FROM widgets`.execute(database.db);
    expect(rows.rows[0]?.n).toBe(1);
  });

  it('refuses to start when an applied migration was edited', async () => {
    testDb = await emptyDatabase(backend);
    await migrate(testDb.database, [ONE]);
    const edited = migration(1, 'widgets', `${ONE.sql} -- edited`);
    await expect(migrate(testDb.database, [edited])).rejects.toThrow(/edited after it was applied/);
  });

  it('refuses a database that has migrations this build does not know', async () => {
    testDb = await emptyDatabase(backend);
    await migrate(testDb.database, [ONE, TWO]);
    await expect(migrate(testDb.database, [ONE])).rejects.toThrow(/does not know/);
  });

  it('rolls back a failing migration completely and leaves the earlier ones', async () => {
    testDb = await emptyDatabase(backend);
    await expect(migrate(testDb.database, [ONE, TWO, BROKEN])).rejects.toThrow(/Migration 3_broken failed/);
    expect(await migrationStatus(testDb.database, [ONE, TWO, BROKEN])).toEqual({ applied: 2, pending: 1 });
    await expect(sql`SELECT * FROM half_done`.execute(testDb.database.db)).rejects.toThrow();
    // The connection is usable afterwards.
    expect(await migrate(testDb.database, [ONE, TWO])).toEqual([]);
  });

  it('lets replicas starting together apply each migration exactly once', async () => {
    testDb = await emptyDatabase(backend);
    if (backend === 'pglite') {
      const results = await Promise.all([migrate(testDb.database, [ONE, TWO]), migrate(testDb.database, [ONE, TWO])]);
      expect(results.flat().sort()).toEqual([1, 2]);
      return;
    }
    const url = testDb.url ?? '';
    const replicas = await Promise.all([1, 2, 3].map(() => openDatabase({ databaseUrl: url, poolSize: 2 })));
    try {
      const results = await Promise.all(replicas.map((replica) => migrate(replica, [ONE, TWO])));
      expect(results.flat().sort()).toEqual([1, 2]);
    } finally {
      await Promise.all(replicas.map((replica) => replica.close()));
    }
  });
});
