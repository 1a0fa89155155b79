import type { FastifyBaseLogger } from 'fastify';
import type { Kysely } from 'kysely';
import type { Authorizer } from '../../platform/authorize';
import type { DB } from '../../platform/db-schema';
import type { App } from '../../platform/http';
import type { AuditService } from '../audit';
import { createRetentionPurgeService } from './retention-purge.service';
import { createRetentionRunsStore } from './retention-runs.store';
import { createRetentionSettingsStore } from './retention-settings.store';
import { registerRetentionRoutes } from './retention.routes';
import { createRetentionService } from './retention.service';
import type { RetentionTables } from './retention.tables';

/**
 * Evidence retention (issue 9): per-partner and per-practice settings, and the daily job that
 * purges whole months of evidence bundles past retention once their compliance packet exists.
 */
export function createRetentionModule(deps: {
  db: Kysely<DB>;
  audit: AuditService;
  authorize: Authorizer;
  log?: FastifyBaseLogger;
  now?: (() => Date) | undefined;
}) {
  const db = deps.db.withTables<RetentionTables>();
  const now = deps.now ?? (() => new Date());
  const settings = createRetentionSettingsStore();
  const runs = createRetentionRunsStore();
  const service = createRetentionService({ ...deps, db, settings, runs, now });
  const purge = createRetentionPurgeService({ ...deps, db, settings, runs, now });
  return { service, purge, routes: (app: App) => registerRetentionRoutes(app, service) };
}
