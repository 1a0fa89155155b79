import { chmodSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { type Migration, MIGRATIONS, migrate } from './migrations';
import { createEscalationQueueStore } from './escalations.store';
import { createEvidenceStore } from './evidence.store';
import { createIncidentsStore } from './incidents.store';
import { createOrdersStore } from './orders.store';
import { createProofsStore } from './proofs.store';
import { createRegistrationStore } from './registration.store';
import { createSettingsStore } from './settings.store';
import { createHostKeyPinsStore, createOrderTargetsStore, createScheduleStore } from './targets.store';

export { SchemaTooNewError } from './migrations';
export type { Registration } from './registration.store';

export const DATABASE_FILE = 'appliance.db';

/**
 * Opens (creating if needed) the appliance database in `dataDir`: WAL mode, then every pending
 * migration before anything else uses it. The data dir is 0700 and the database 0600: it holds the token.
 */
export function openStore(dataDir: string, options: { migrations?: readonly Migration[] } = {}) {
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  const file = join(dataDir, DATABASE_FILE);
  const db = new BetterSqlite3(file);
  try {
    chmodSync(file, 0o600);
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = NORMAL');
    db.pragma('foreign_keys = ON');
    db.pragma('busy_timeout = 5000');
    migrate(db, options.migrations ?? MIGRATIONS);
  } catch (error) {
    db.close();
    throw error;
  }
  return {
    db,
    registration: createRegistrationStore(db),
    settings: createSettingsStore(db),
    evidence: createEvidenceStore(db),
    escalationQueue: createEscalationQueueStore(db),
    orders: createOrdersStore(db),
    orderTargets: createOrderTargetsStore(db),
    schedule: createScheduleStore(db),
    hostKeyPins: createHostKeyPinsStore(db),
    incidents: createIncidentsStore(db),
    proofs: createProofsStore(db),
    close(): void {
      db.close();
    },
  };
}

export type Store = ReturnType<typeof openStore>;
