import type { Authorizer } from '../../platform/authorize';
import type { Kysely } from 'kysely';
import type { DB } from '../../platform/db-schema';
import type { App } from '../../platform/http';
import type { AuditService } from '../audit';
import type { SitesService } from '../sites';
import { registerHostsRoutes } from './hosts.routes';
import { createHostsService } from './hosts.service';
import { createHostsStore } from './hosts.store';

export type HostsService = ReturnType<typeof createHostsService>;

export function createHostsModule(deps: {
  db: Kysely<DB>;
  audit: AuditService;
  authorize: Authorizer;
  sites: SitesService;
}) {
  const service = createHostsService({ ...deps, store: createHostsStore() });
  return { service, routes: (app: App) => registerHostsRoutes(app, service) };
}
