import type { Kysely } from 'kysely';
import type { Authorizer } from '../../platform/authorize';
import type { DB } from '../../platform/db-schema';
import type { App } from '../../platform/http';
import type { AuditService } from '../audit';
import { registerBrandingRoutes } from './branding.routes';
import { createBrandingService } from './branding.service';
import { createBrandingStore } from './branding.store';

/** Partner branding: brand name, colour and logo, shown on the practice face. */
export function createBrandingModule(deps: {
  db: Kysely<DB>;
  audit: AuditService;
  authorize: Authorizer;
  now?: (() => Date) | undefined;
}) {
  const service = createBrandingService({ ...deps, store: createBrandingStore(), now: deps.now ?? (() => new Date()) });
  return { service, routes: (app: App) => registerBrandingRoutes(app, service) };
}
