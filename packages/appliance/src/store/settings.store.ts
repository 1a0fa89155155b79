import type { Database } from 'better-sqlite3';

/** Small key/value settings that survive restarts (e.g. values set by central's orders later). */
export function createSettingsStore(db: Database) {
  const select = db.prepare('SELECT value FROM settings WHERE key = ?');
  const upsert = db.prepare(`
    INSERT INTO settings (key, value, updated_at) VALUES (?, ?, ?)
    ON CONFLICT (key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at`);
  return {
    get(key: string): string | null {
      const row = select.get(key) as { value: string } | undefined;
      return row?.value ?? null;
    },
    set(key: string, value: string): void {
      upsert.run(key, value, new Date().toISOString());
    },
  };
}
