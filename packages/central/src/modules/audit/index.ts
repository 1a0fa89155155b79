import type { Kysely } from 'kysely';
import type { DB } from '../../platform/db-schema';
import type { App } from '../../platform/http';
import { registerAuditRoutes } from './audit.routes';
import { createAuditService } from './audit.service';
import { createAuditStore } from './audit.store';

export type { AuditService } from './audit.service';

export function createAuditModule(db: Kysely<DB>) {
  const service = createAuditService({ db, store: createAuditStore() });
  return { service, routes: (app: App) => registerAuditRoutes(app, service) };
}
