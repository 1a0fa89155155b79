import type { Authorizer } from '../../platform/authorize';
import type { Kysely } from 'kysely';
import type { DB } from '../../platform/db-schema';
import type { App } from '../../platform/http';
import type { AuditService } from '../audit';
import type { PracticesService } from '../practices';
import { registerSitesRoutes } from './sites.routes';
import { createSitesService } from './sites.service';
import { createSitesStore } from './sites.store';

export type { SitesService } from './sites.service';

export function createSitesModule(deps: {
  db: Kysely<DB>;
  audit: AuditService;
  authorize: Authorizer;
  practices: PracticesService;
}) {
  const service = createSitesService({ ...deps, store: createSitesStore() });
  return { service, routes: (app: App) => registerSitesRoutes(app, service) };
}
