import type { Kysely } from 'kysely';
import type { Authorizer } from '../../platform/authorize';
import type { DB } from '../../platform/db-schema';
import type { App } from '../../platform/http';
import type { AuditService } from '../audit';
import type { LogSigningKey, ProofsService } from '../transparency';
import { registerExportsRoutes } from './exports.routes';
import type { ExportPacketSource } from './export-content';
import { createExportsService } from './exports.service';
import { createExportsStore } from './exports.store';

export type { ExportPacketSource } from './export-content';

/** The auditor export (issue 8): a practice's evidence of a period as a ZIP verifiable offline. */
export function createExportsModule(deps: {
  db: Kysely<DB>;
  audit: AuditService;
  authorize: Authorizer;
  proofs: ProofsService;
  signingKey: LogSigningKey;
  packets: ExportPacketSource;
  tsaTrustedCertsFile?: string | undefined;
  now?: (() => Date) | undefined;
}) {
  const service = createExportsService({
    ...deps,
    store: createExportsStore(),
    now: deps.now ?? (() => new Date()),
  });
  return { service, routes: (app: App) => registerExportsRoutes(app, service) };
}
