import type { Kysely } from 'kysely';
import type { DB } from '../../platform/db-schema';
import type { App } from '../../platform/http';
import type { AuditService } from '../audit';
import type { OrdersService } from '../orders';
import { registerLearningRoutes } from './learning.routes';
import { createLearningService } from './learning.service';
import { createLearningStore } from './learning.store';

export type { LearningService } from './learning.service';

export function createLearningModule(deps: {
  db: Kysely<DB>;
  audit: AuditService;
  orders: Pick<OrdersService, 'issue'>;
  now?: (() => Date) | undefined;
}) {
  const service = createLearningService({
    ...deps,
    store: createLearningStore(),
    now: deps.now ?? (() => new Date()),
  });
  return { service, routes: (app: App) => registerLearningRoutes(app, service) };
}
