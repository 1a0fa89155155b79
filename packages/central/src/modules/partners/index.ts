import type { Authorizer } from '../../platform/authorize';
import type { Kysely } from 'kysely';
import type { DB } from '../../platform/db-schema';
import type { App } from '../../platform/http';
import type { AuditService } from '../audit';
import { registerPartnersRoutes } from './partners.routes';
import { createPartnersService } from './partners.service';
import { createPartnersStore } from './partners.store';

export type { PartnersService } from './partners.service';

export function createPartnersModule(deps: { db: Kysely<DB>; audit: AuditService; authorize: Authorizer }) {
  const service = createPartnersService({ ...deps, store: createPartnersStore() });
  return { service, routes: (app: App) => registerPartnersRoutes(app, service) };
}
