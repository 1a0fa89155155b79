import { chmodSync, mkdirSync } from 'node:fs';
import { PGlite } from '@electric-sql/pglite';
import { Kysely, PostgresDialect, type PostgresPool, type PostgresPoolClient, sql } from 'kysely';
import pg from 'pg';
import type { DB } from './db-schema';
import { acquireDataDirLock } from './data-dir-lock';

type DatabaseKind = 'postgres' | 'pglite';

export interface Database {
  kind: DatabaseKind;
  db: Kysely<DB>;
  /**
   * Hold one connection for fn; `run` executes a multi-statement script on it and returns the
   * rows of a single-statement query. Used by the migrator.
   */
  withConnection<T>(fn: (run: RunScript) => Promise<T>): Promise<T>;
  ping(): Promise<void>;
  close(): Promise<void>;
}

export type RunScript = (script: string) => Promise<Record<string, unknown>[]>;

export interface DatabaseOptions {
  databaseUrl?: string | undefined;
  dataDir?: string | undefined;
  /** In-memory PGlite (tests). */
  memory?: boolean;
  poolSize?: number;
  onPoolError?: (error: Error) => void;
}

export async function openDatabase(options: DatabaseOptions): Promise<Database> {
  if (options.databaseUrl) return openPostgres(options.databaseUrl, options);
  return openPglite(options);
}

function openPostgres(url: string, options: DatabaseOptions): Database {
  const pool = new pg.Pool({
    connectionString: url,
    max: options.poolSize ?? 10,
    connectionTimeoutMillis: 5_000,
    idleTimeoutMillis: 30_000,
  });
  // An idle client losing its server must not crash the process; the pool replaces it.
  pool.on('error', (error) => options.onPoolError?.(error));
  // pg-pool watches only idle clients; a connection that dies while checked out emits 'error'
  // on the client itself, which would crash the process without a listener of its own. The
  // query still fails, so the request still gets its 503.
  pool.on('connect', (client) => {
    client.on('error', (error) => options.onPoolError?.(error));
  });
  const db = new Kysely<DB>({ dialect: new PostgresDialect({ pool }) });
  return {
    kind: 'postgres',
    db,
    withConnection(fn) {
      return db
        .connection()
        .execute((conn) => fn(async (script) => (await sql.raw<Record<string, unknown>>(script).execute(conn)).rows));
    },
    async ping() {
      await sql`select 1`.execute(db);
    },
    async close() {
      await db.destroy();
    },
  };
}

async function openPglite(options: DatabaseOptions): Promise<Database> {
  let releaseLock: (() => void) | undefined;
  let pglite: PGlite;
  if (options.memory) {
    pglite = await PGlite.create();
  } else {
    const dir = options.dataDir ?? './data';
    // PGlite writes its files with mode 0666 whatever the umask: only the owner may enter the
    // directories that hold them (the database holds password hashes and the secrets keyring).
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    chmodSync(dir, 0o700);
    releaseLock = acquireDataDirLock(dir);
    mkdirSync(`${dir}/pgdata`, { recursive: true, mode: 0o700 });
    chmodSync(`${dir}/pgdata`, 0o700);
    pglite = await PGlite.create(`${dir}/pgdata`);
  }
  const pool = createPglitePool(pglite);
  const db = new Kysely<DB>({ dialect: new PostgresDialect({ pool }) });
  return {
    kind: 'pglite',
    db,
    withConnection(fn) {
      return pool.exclusive(() =>
        fn(async (script) => {
          const results = await pglite.exec(script);
          return (results.at(-1)?.rows ?? []) as Record<string, unknown>[];
        }),
      );
    },
    async ping() {
      await sql`select 1`.execute(db);
    },
    async close() {
      try {
        await db.destroy();
        await pglite.close();
      } finally {
        releaseLock?.();
      }
    },
  };
}

/**
 * PGlite is one connection. This pool hands it out to one borrower at a time, so a Kysely
 * transaction holds it exclusively and other queries wait their turn.
 */
function createPglitePool(pglite: PGlite): PostgresPool & { exclusive<T>(fn: () => Promise<T>): Promise<T> } {
  let tail: Promise<void> = Promise.resolve();
  const acquire = async (): Promise<() => void> => {
    let release!: () => void;
    const next = new Promise<void>((resolve) => {
      release = resolve;
    });
    const previous = tail;
    tail = previous.then(() => next);
    await previous;
    return release;
  };
  const client = (release: () => void): PostgresPoolClient =>
    ({
      async query(sqlText: string, parameters: readonly unknown[]) {
        const result = await pglite.query<Record<string, unknown>>(sqlText, parameters as unknown[]);
        const command = sqlText.trimStart().split(/\s+/, 1)[0]?.toUpperCase();
        return { command, rowCount: result.affectedRows ?? result.rows.length, rows: result.rows };
      },
      release,
    }) as unknown as PostgresPoolClient;
  return {
    async connect() {
      return client(await acquire());
    },
    async end() {
      const release = await acquire();
      release();
    },
    async exclusive(fn) {
      const release = await acquire();
      try {
        return await fn();
      } finally {
        release();
      }
    },
  };
}
