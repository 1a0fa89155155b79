import type { FastifyBaseLogger } from 'fastify';
import type { Kysely } from 'kysely';
import type { Authorizer } from '../../platform/authorize';
import type { DB } from '../../platform/db-schema';
import type { App } from '../../platform/http';
import type { AuditService } from '../audit';
import { registerComplianceRoutes } from './compliance.routes';
import { createComplianceService } from './compliance.service';
import { createComplianceStore } from './compliance.store';
import { createSnapshots } from './snapshots';

export function createComplianceModule(deps: {
  db: Kysely<DB>;
  audit: AuditService;
  authorize: Authorizer;
  log?: FastifyBaseLogger;
  now?: (() => Date) | undefined;
}) {
  const now = deps.now ?? (() => new Date());
  const store = createComplianceStore();
  const service = createComplianceService({ ...deps, store, now });
  const snapshots = createSnapshots({ ...deps, store, compliance: service, now });
  return { service, snapshots, routes: (app: App) => registerComplianceRoutes(app, service, snapshots) };
}
