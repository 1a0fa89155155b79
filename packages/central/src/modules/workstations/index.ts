import type { Kysely } from 'kysely';
import type { Authorizer } from '../../platform/authorize';
import type { DB } from '../../platform/db-schema';
import type { App } from '../../platform/http';
import type { AuditService } from '../audit';
import type { OrdersService } from '../orders';
import { registerWorkstationsRoutes } from './workstations.routes';
import { createWorkstationsService } from './workstations.service';
import { createWorkstationsStore } from './workstations.store';

export type { WorkstationsService } from './workstations.service';

export function createWorkstationsModule(deps: {
  db: Kysely<DB>;
  audit: AuditService;
  orders: Pick<OrdersService, 'issueWithin'>;
  authorize: Authorizer;
  now?: (() => Date) | undefined;
}) {
  const service = createWorkstationsService({
    ...deps,
    store: createWorkstationsStore(),
    now: deps.now ?? (() => new Date()),
  });
  return { service, routes: (app: App) => registerWorkstationsRoutes(app, service) };
}
