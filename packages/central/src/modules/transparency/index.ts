import type { Kysely } from 'kysely';
import type { Authorizer } from '../../platform/authorize';
import type { DB } from '../../platform/db-schema';
import type { App } from '../../platform/http';
import type { Keyring } from '../../platform/secrets';
import { loadLogSigningKey } from './log-key';
import type { Timestamper } from '../timestamps';
import { createLogWriter } from './log-writer.service';
import { createProofsService } from './proofs.service';
import { registerTransparencyRoutes } from './transparency.routes';
import { createTransparencyStore } from './transparency.store';

export type { LogSigningKey } from './log-key';
export type { LogWriter } from './log-writer.service';
export type { ProofsService } from './proofs.service';

/** The Merkle log of evidence: the writer (ingest, backfill, tree heads) and the proof reader. */
export async function createTransparencyModule(deps: {
  db: Kysely<DB>;
  keyring: Keyring;
  authorize: Authorizer;
  timestamper?: Timestamper | undefined;
  now?: (() => Date) | undefined;
}) {
  const store = createTransparencyStore();
  const key = await loadLogSigningKey(deps.db, deps.keyring);
  const writer = createLogWriter({
    db: deps.db,
    store,
    key,
    timestamper: deps.timestamper,
    now: deps.now ?? (() => new Date()),
  });
  const proofs = createProofsService({ db: deps.db, store, authorize: deps.authorize, logKey: key.published });
  return {
    writer,
    proofs,
    /** The log key, for what central signs besides tree heads (auditor exports, registrations). */
    signingKey: key,
    /** The periodic job: backfill evidence older than the log, then issue a tree head if due. */
    runJob: async () => (await writer.backfill()) + (await writer.issueTreeHead()),
    routes: (app: App) => registerTransparencyRoutes(app, proofs),
  };
}
