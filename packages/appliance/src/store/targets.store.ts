import { OrderTarget } from '@osiris/protocol';
import type { Database } from 'better-sqlite3';

/** Targets central assigned with `set_targets`; each order replaces the whole list. */
export function createOrderTargetsStore(db: Database) {
  const selectAll = db.prepare('SELECT definition FROM order_targets ORDER BY host_id');
  const deleteAll = db.prepare('DELETE FROM order_targets');
  const insert = db.prepare('INSERT INTO order_targets (host_id, definition, updated_at) VALUES (?, ?, ?)');
  const replace = db.transaction((targets: readonly OrderTarget[]) => {
    deleteAll.run();
    const now = new Date().toISOString();
    for (const target of targets) insert.run(target.hostId, JSON.stringify(target), now);
  });
  return {
    list(): OrderTarget[] {
      // Parsed again so a row edited by hand cannot smuggle in something the order schema refuses.
      return (selectAll.all() as { definition: string }[]).flatMap((row) => {
        const parsed = OrderTarget.safeParse(JSON.parse(row.definition));
        return parsed.success ? [parsed.data] : [];
      });
    },
    replace(targets: readonly OrderTarget[]): void {
      replace(targets);
    },
  };
}

export interface ScheduledCheck {
  checkId: string;
  intervalSeconds: number;
  isEnabled: boolean;
}

const DEFAULT_INTERVAL_KEY = 'schedule.defaultIntervalSeconds';

/** The schedule central set with `set_schedule` (none until the first such order). */
export function createScheduleStore(db: Database) {
  const selectAll = db.prepare('SELECT check_id, interval_seconds, is_enabled FROM check_schedule');
  const deleteAll = db.prepare('DELETE FROM check_schedule');
  const insert = db.prepare('INSERT INTO check_schedule (check_id, interval_seconds, is_enabled) VALUES (?, ?, ?)');
  const selectDefault = db.prepare('SELECT value FROM settings WHERE key = ?');
  const upsertDefault = db.prepare(`
    INSERT INTO settings (key, value, updated_at) VALUES (?, ?, ?)
    ON CONFLICT (key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at`);
  const replace = db.transaction((defaultIntervalSeconds: number, checks: readonly ScheduledCheck[]) => {
    deleteAll.run();
    for (const c of checks) insert.run(c.checkId, c.intervalSeconds, c.isEnabled ? 1 : 0);
    upsertDefault.run(DEFAULT_INTERVAL_KEY, String(defaultIntervalSeconds), new Date().toISOString());
  });
  return {
    defaultIntervalSeconds(): number | null {
      const row = selectDefault.get(DEFAULT_INTERVAL_KEY) as { value: string } | undefined;
      return row ? Number(row.value) : null;
    },
    overrides(): ScheduledCheck[] {
      return (selectAll.all() as { check_id: string; interval_seconds: number; is_enabled: number }[]).map((r) => ({
        checkId: r.check_id,
        intervalSeconds: r.interval_seconds,
        isEnabled: r.is_enabled === 1,
      }));
    },
    replace(defaultIntervalSeconds: number, checks: readonly ScheduledCheck[]): void {
      replace(defaultIntervalSeconds, checks);
    },
  };
}

/** SSH host keys pinned on first use (implements the targets' HostKeyPins). */
export function createHostKeyPinsStore(db: Database) {
  const select = db.prepare('SELECT fingerprint FROM host_key_pins WHERE endpoint = ?');
  const insert = db.prepare(
    'INSERT INTO host_key_pins (endpoint, fingerprint, pinned_at) VALUES (?, ?, ?) ON CONFLICT (endpoint) DO NOTHING',
  );
  const remove = db.prepare('DELETE FROM host_key_pins WHERE endpoint = ?');
  return {
    get(endpoint: string): string | null {
      return (select.get(endpoint) as { fingerprint: string } | undefined)?.fingerprint ?? null;
    },
    /** Pins only if nothing is pinned yet: a pin is never replaced silently. */
    pin(endpoint: string, fingerprint: string): void {
      insert.run(endpoint, fingerprint, new Date().toISOString());
    },
    /** An operator's explicit decision to trust a host's new key (CLI `forget-host-key`). */
    forget(endpoint: string): boolean {
      return remove.run(endpoint).changes === 1;
    },
  };
}
