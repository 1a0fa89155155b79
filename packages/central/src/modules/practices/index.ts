import type { Authorizer } from '../../platform/authorize';
import type { Kysely } from 'kysely';
import type { DB } from '../../platform/db-schema';
import type { App } from '../../platform/http';
import type { AuditService } from '../audit';
import type { PartnersService } from '../partners';
import { registerPracticesRoutes } from './practices.routes';
import { createPracticesService } from './practices.service';
import { createPracticesStore } from './practices.store';

export type { PracticesService } from './practices.service';

export function createPracticesModule(deps: {
  db: Kysely<DB>;
  audit: AuditService;
  authorize: Authorizer;
  partners: PartnersService;
}) {
  const service = createPracticesService({ ...deps, store: createPracticesStore() });
  return { service, routes: (app: App) => registerPracticesRoutes(app, service) };
}
