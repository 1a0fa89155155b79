import type { Kysely } from 'kysely';
import type { Authorizer } from '../../platform/authorize';
import type { DB } from '../../platform/db-schema';
import type { App } from '../../platform/http';
import type { AuditService } from '../audit';
import type { EmailService } from '../email';
import type { PartnersService } from '../partners';
import { registerTransfersRoutes } from './transfers.routes';
import { createTransfersService } from './transfers.service';
import { createTransfersStore } from './transfers.store';

/** Practice transfers between partners, requested by the practice and decided by a platform admin. */
export function createTransfersModule(deps: {
  db: Kysely<DB>;
  audit: AuditService;
  authorize: Authorizer;
  partners: Pick<PartnersService, 'require' | 'findBySlug'>;
  email: Pick<EmailService, 'enqueue' | 'wake'>;
  now?: (() => Date) | undefined;
}) {
  const service = createTransfersService({
    ...deps,
    store: createTransfersStore(),
    now: deps.now ?? (() => new Date()),
  });
  return { service, routes: (app: App) => registerTransfersRoutes(app, service) };
}
