import type { Kysely } from 'kysely';
import type { Authorizer } from '../../platform/authorize';
import type { DB } from '../../platform/db-schema';
import type { App } from '../../platform/http';
import type { AuditService } from '../audit';
import type { OrdersService } from '../orders';
import { registerExceptionsRoutes } from './exceptions.routes';
import { type ChecksOfControl, createExceptionsService, type ExceptionNotifier } from './exceptions.service';
import { createExceptionsStore } from './exceptions.store';

export type { ExceptionsService } from './exceptions.service';

export function createExceptionsModule(deps: {
  db: Kysely<DB>;
  audit: AuditService;
  orders: Pick<OrdersService, 'issueWithin'>;
  authorize: Authorizer;
  checksOfControl: ChecksOfControl;
  notify?: ExceptionNotifier;
  now?: (() => Date) | undefined;
}) {
  const service = createExceptionsService({
    ...deps,
    store: createExceptionsStore(),
    now: deps.now ?? (() => new Date()),
  });
  return { service, routes: (app: App) => registerExceptionsRoutes(app, service) };
}
