import type { Authorizer } from '../../platform/authorize';
import type { Kysely } from 'kysely';
import type { DB } from '../../platform/db-schema';
import type { App } from '../../platform/http';
import type { AuditService } from '../audit';
import type { OrdersService } from '../orders';
import { registerEscalationsRoutes } from './escalations.routes';
import { createEscalationsService, type EscalationNotifier } from './escalations.service';
import { createEscalationsStore } from './escalations.store';

export type { EscalationsService } from './escalations.service';

export function createEscalationsModule(deps: {
  authorize: Authorizer;
  db: Kysely<DB>;
  audit: AuditService;
  orders: Pick<OrdersService, 'issueWithin'>;
  notify?: EscalationNotifier;
  now?: (() => Date) | undefined;
}) {
  const service = createEscalationsService({
    ...deps,
    store: createEscalationsStore(),
    now: deps.now ?? (() => new Date()),
  });
  return { service, routes: (app: App) => registerEscalationsRoutes(app, service) };
}
