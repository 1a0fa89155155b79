import type { Kysely } from 'kysely';
import type { DB } from '../../platform/db-schema';
import type { App } from '../../platform/http';
import type { Keyring } from '../../platform/secrets';
import type { AuditService } from '../audit';
import type { SitesService } from '../sites';
import { registerAppliancesRoutes } from './appliances.routes';
import { createAppliancesService } from './appliances.service';
import { createAppliancesStore } from './appliances.store';

export function createAppliancesModule(deps: {
  db: Kysely<DB>;
  audit: AuditService;
  keyring: Keyring;
  sites: SitesService;
  now?: (() => Date) | undefined;
}) {
  const service = createAppliancesService({
    ...deps,
    store: createAppliancesStore(),
    now: deps.now ?? (() => new Date()),
  });
  return { service, routes: (app: App) => registerAppliancesRoutes(app, service) };
}
