import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';

export type AgentDb = Database.Database;

/** Forward-only migrations, applied in order at start-up before anything else touches the file. */
const MIGRATIONS: readonly string[] = [
  `CREATE TABLE queue_meta (key TEXT PRIMARY KEY, value INTEGER NOT NULL) STRICT;
   INSERT INTO queue_meta (key, value) VALUES ('last_seq', 0), ('dropped_total', 0);
   CREATE TABLE queued_results (
     seq INTEGER PRIMARY KEY,
     check_id TEXT NOT NULL,
     detected_at_ms INTEGER NOT NULL,
     payload BLOB NOT NULL
   ) STRICT;
   CREATE INDEX queued_results_check ON queued_results (check_id, seq);`,
  `CREATE TABLE heal_commands (
     command_id TEXT PRIMARY KEY,
     started_at_ms INTEGER NOT NULL,
     result BLOB,
     is_reported INTEGER NOT NULL DEFAULT 0
   ) STRICT;`,
];

/**
 * Opens (creating if needed) the agent's SQLite file in WAL mode and migrates it. `nativeBinding`:
 * the better-sqlite3 addon when it cannot be found in node_modules (single-executable build).
 */
export function openAgentDb(path: string, options: { nativeBinding?: object } = {}): AgentDb {
  if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
  // better-sqlite3 accepts a loaded addon object here (lib/database.js); its typings only name a path.
  const binding = options.nativeBinding as unknown as string | undefined;
  const db = new Database(path, binding ? { nativeBinding: binding } : {});
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = FULL');
  db.pragma('busy_timeout = 5000');
  const current = db.pragma('user_version', { simple: true }) as number;
  if (current > MIGRATIONS.length) {
    db.close();
    throw new Error(
      `agent database ${path} is schema version ${current}, newer than this agent (${MIGRATIONS.length})`,
    );
  }
  db.transaction(() => {
    for (let version = current; version < MIGRATIONS.length; version++) {
      db.exec(MIGRATIONS[version] ?? '');
      db.pragma(`user_version = ${version + 1}`);
    }
  })();
  return db;
}
