import type { Authorizer } from '../../platform/authorize';
import type { Kysely } from 'kysely';
import type { BaseLogger } from 'pino';
import type { DB } from '../../platform/db-schema';
import type { App } from '../../platform/http';
import type { AppliancesService } from '../appliances';
import type { AuditService } from '../audit';
import type { HostsService } from '../hosts';
import type { LogWriter } from '../transparency';
import { createNodeEvidenceCrypto } from './evidence.crypto';
import { registerEvidenceRoutes } from './evidence.routes';
import { createEvidenceService } from './evidence.service';
import { createEvidenceStore } from './evidence.store';

export type { EvidenceService } from './evidence.service';

export function createEvidenceModule(deps: {
  authorize: Authorizer;
  db: Kysely<DB>;
  audit: AuditService;
  appliances: AppliancesService;
  hosts: HostsService;
  log: Pick<LogWriter, 'enqueueAccepted' | 'drain'>;
  logger: Pick<BaseLogger, 'warn'>;
  now?: (() => Date) | undefined;
}) {
  const service = createEvidenceService({
    ...deps,
    store: createEvidenceStore(),
    evidenceCrypto: createNodeEvidenceCrypto(),
    now: deps.now ?? (() => new Date()),
  });
  return { service, routes: (app: App) => registerEvidenceRoutes(app, service) };
}
