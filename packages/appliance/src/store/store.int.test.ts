import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { DATABASE_FILE, openStore, SchemaTooNewError } from './index';
import { MIGRATIONS, migrate } from './migrations';

const dirs: string[] = [];
function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'osiris-appliance-store-'));
  dirs.push(dir);
  return dir;
}
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

const versions = (store: ReturnType<typeof openStore>) =>
  (store.db.prepare('SELECT version FROM schema_migrations ORDER BY version').all() as { version: number }[]).map(
    (r) => r.version,
  );

describe('appliance store', () => {
  it('opens in WAL mode with every migration applied, and a private database file', () => {
    const dir = tempDir();
    const store = openStore(dir);
    expect(store.db.pragma('journal_mode', { simple: true })).toBe('wal');
    expect(versions(store)).toEqual(MIGRATIONS.map((m) => m.version));
    expect(statSync(join(dir, DATABASE_FILE)).mode & 0o777).toBe(0o600);
    store.close();
  });

  it('applies migrations once: reopening and migrating again change nothing', () => {
    const dir = tempDir();
    openStore(dir).close();
    const store = openStore(dir);
    expect(migrate(store.db)).toEqual([]);
    expect(versions(store)).toEqual(MIGRATIONS.map((m) => m.version));
    store.close();
  });

  it('applies only the new steps when the build gains a migration', () => {
    const dir = tempDir();
    openStore(dir).close();
    const next = [...MIGRATIONS, { version: MIGRATIONS.length + 1, name: 'extra', sql: 'CREATE TABLE extra (x TEXT)' }];
    const store = openStore(dir, { migrations: next });
    expect(versions(store)).toEqual(next.map((m) => m.version));
    store.close();
  });

  it('refuses a database written by a newer build and leaves it untouched', () => {
    const dir = tempDir();
    const next = [
      ...MIGRATIONS,
      { version: MIGRATIONS.length + 1, name: 'future', sql: 'CREATE TABLE future (x TEXT)' },
    ];
    openStore(dir, { migrations: next }).close();
    expect(() => openStore(dir)).toThrow(SchemaTooNewError);
    expect(() => openStore(dir)).toThrow(/newer than this build knows/);
    const store = openStore(dir, { migrations: next });
    expect(versions(store)).toEqual(next.map((m) => m.version));
    store.close();
  });

  it('keeps the registration and settings across restarts', () => {
    const dir = tempDir();
    const first = openStore(dir);
    expect(first.registration.get()).toBeNull();
    const registration = {
      applianceId: '01890000-0000-7000-8000-000000000001',
      siteId: '01890000-0000-7000-8000-000000000002',
      token: 'secret-token',
      orderSigningPublicKey: 'A'.repeat(43),
      centralUrl: 'https://central.example.com',
      registeredAt: new Date().toISOString(),
    };
    first.registration.save(registration);
    first.settings.set('schedule', '{"intervalSeconds":300}');
    first.settings.set('schedule', '{"intervalSeconds":600}');
    first.close();
    const second = openStore(dir);
    expect(second.registration.get()).toEqual(registration);
    expect(second.settings.get('schedule')).toBe('{"intervalSeconds":600}');
    expect(second.settings.get('missing')).toBeNull();
    second.close();
  });
});
