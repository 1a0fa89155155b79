import type { Authorizer } from '../../platform/authorize';
import type { Kysely } from 'kysely';
import type { DB } from '../../platform/db-schema';
import type { App } from '../../platform/http';
import type { OrderSigningKey } from '../../platform/order-signing-key';
import type { AppliancesService } from '../appliances';
import type { AuditService } from '../audit';
import { registerOrdersRoutes } from './orders.routes';
import { createOrdersService } from './orders.service';
import { createOrdersStore } from './orders.store';

export type { OrdersService } from './orders.service';

export function createOrdersModule(deps: {
  authorize: Authorizer;
  db: Kysely<DB>;
  audit: AuditService;
  appliances: AppliancesService;
  signingKey: OrderSigningKey;
  now?: (() => Date) | undefined;
}) {
  const service = createOrdersService({ ...deps, store: createOrdersStore(), now: deps.now ?? (() => new Date()) });
  return { service, routes: (app: App) => registerOrdersRoutes(app, service) };
}
