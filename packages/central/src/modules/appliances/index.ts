import type { Authorizer } from '../../platform/authorize';
import type { Kysely } from 'kysely';
import type { DB } from '../../platform/db-schema';
import type { App } from '../../platform/http';
import type { OrderSigningKey } from '../../platform/order-signing-key';
import type { Keyring } from '../../platform/secrets';
import type { AuditService } from '../audit';
import type { SitesService } from '../sites';
import { registerAppliancesRoutes } from './appliances.routes';
import { createAppliancesService } from './appliances.service';
import { createAppliancesStore } from './appliances.store';
import { createRegistrationService } from './registration.service';

export type { AppliancesService } from './appliances.service';
export type { RegistrationService } from './registration.service';

export function createAppliancesModule(deps: {
  authorize: Authorizer;
  db: Kysely<DB>;
  audit: AuditService;
  keyring: Keyring;
  orderSigningKey: OrderSigningKey;
  sites: SitesService;
  now?: (() => Date) | undefined;
}) {
  const now = deps.now ?? (() => new Date());
  const store = createAppliancesStore();
  const service = createAppliancesService({ ...deps, store, now });
  const registration = createRegistrationService({ ...deps, store, now });
  return { service, registration, routes: (app: App) => registerAppliancesRoutes(app, service) };
}
