import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Database, RunScript } from './db';

export interface Migration {
  version: number;
  name: string;
  sql: string;
  checksum: string;
}

const MIGRATIONS_DIR = join(dirname(fileURLToPath(import.meta.url)), '..', 'migrations');
const FILE_PATTERN = /^(\d{4})_([a-z0-9_]+)\.sql$/;
/** Arbitrary constant naming the migration advisory lock, so replicas starting together take turns. */
const LOCK_KEY = 72_616_001;

function loadMigrations(dir = MIGRATIONS_DIR): Migration[] {
  const migrations = readdirSync(dir)
    .filter((file) => file.endsWith('.sql'))
    .map((file) => {
      const match = FILE_PATTERN.exec(file);
      if (!match?.[1] || !match[2]) throw new Error(`Migration file name ${file} must look like 0001_what.sql`);
      const text = readFileSync(join(dir, file), 'utf8');
      return {
        version: Number(match[1]),
        name: match[2],
        sql: text,
        checksum: createHash('sha256').update(text).digest('hex'),
      };
    })
    .sort((a, b) => a.version - b.version);
  migrations.forEach((m, index) => {
    if (m.version !== index + 1) throw new Error(`Migrations must be numbered 1..n without gaps; found ${m.version}`);
  });
  return migrations;
}

const BOOTSTRAP = `CREATE TABLE IF NOT EXISTS schema_migrations (
  version integer PRIMARY KEY,
  name text NOT NULL,
  checksum text NOT NULL,
  applied_at timestamptz NOT NULL DEFAULT now()
)`;

interface AppliedRow {
  version: number;
  checksum: string;
}

async function readApplied(run: RunScript): Promise<AppliedRow[]> {
  const rows = await run('SELECT version, checksum FROM schema_migrations ORDER BY version');
  return rows.map((row) => ({ version: Number(row.version), checksum: String(row.checksum) }));
}

function assertUnchanged(applied: AppliedRow[], migrations: Migration[]): void {
  for (const row of applied) {
    const file = migrations.find((m) => m.version === row.version);
    if (!file)
      throw new Error(`Database has migration ${row.version}, which this build does not know (newer build ran?)`);
    if (file.checksum !== row.checksum) {
      throw new Error(
        `Migration ${row.version}_${file.name} was edited after it was applied; migrations are forward-only`,
      );
    }
  }
}

/** Apply every pending migration, each in its own transaction. Returns the versions applied. */
export async function migrate(database: Database, migrations = loadMigrations()): Promise<number[]> {
  return database.withConnection(async (run) => {
    await run(`SELECT pg_advisory_lock(${LOCK_KEY})`);
    try {
      await run(BOOTSTRAP);
      const applied = await readApplied(run);
      assertUnchanged(applied, migrations);
      const done = new Set(applied.map((row) => row.version));
      const newlyApplied: number[] = [];
      for (const migration of migrations.filter((m) => !done.has(m.version))) {
        try {
          await run(
            `BEGIN;\n${migration.sql}\n;INSERT INTO schema_migrations (version, name, checksum) VALUES (${migration.version}, '${migration.name}', '${migration.checksum}');\nCOMMIT;`,
          );
        } catch (error) {
          await run('ROLLBACK').catch(() => undefined);
          throw new Error(`Migration ${migration.version}_${migration.name} failed: ${(error as Error).message}`, {
            cause: error,
          });
        }
        newlyApplied.push(migration.version);
      }
      return newlyApplied;
    } finally {
      await run(`SELECT pg_advisory_unlock(${LOCK_KEY})`);
    }
  });
}

/** For /readyz: how many migrations are applied and how many are still pending. */
export async function migrationStatus(
  database: Database,
  migrations = loadMigrations(),
): Promise<{ applied: number; pending: number }> {
  const rows = await database.db
    .selectFrom('schema_migrations')
    .select('version')
    .execute()
    .catch((error: { code?: string }) => {
      if (error.code === '42P01') return [];
      throw error;
    });
  const applied = new Set(rows.map((r) => Number(r.version)));
  return { applied: applied.size, pending: migrations.filter((m) => !applied.has(m.version)).length };
}
