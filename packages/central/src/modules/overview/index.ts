import type { Kysely } from 'kysely';
import type { DB } from '../../platform/db-schema';
import type { App } from '../../platform/http';
import { registerOverviewRoutes } from './overview.routes';
import { createOverviewService } from './overview.service';
import { createOverviewStore } from './overview.store';

export function createOverviewModule(deps: { db: Kysely<DB>; now?: (() => Date) | undefined }) {
  const service = createOverviewService({
    db: deps.db,
    store: createOverviewStore(),
    now: deps.now ?? (() => new Date()),
  });
  return { service, routes: (app: App) => registerOverviewRoutes(app, service) };
}
