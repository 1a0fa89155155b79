import type { Kysely } from 'kysely';
import type { Authorizer } from '../../platform/authorize';
import type { DB } from '../../platform/db-schema';
import type { App } from '../../platform/http';
import type { Keyring } from '../../platform/secrets';
import type { AuditService } from '../audit';
import { registerApiKeysRoutes } from './api-keys.routes';
import { createApiKeysService } from './api-keys.service';
import { createApiKeysStore } from './api-keys.store';

export function createApiKeysModule(deps: {
  db: Kysely<DB>;
  audit: AuditService;
  authorize: Authorizer;
  keyring: Keyring;
  now?: (() => Date) | undefined;
}) {
  const service = createApiKeysService({ ...deps, store: createApiKeysStore(), now: deps.now ?? (() => new Date()) });
  return { service, routes: (app: App) => registerApiKeysRoutes(app, service) };
}
