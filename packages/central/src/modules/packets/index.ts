import type { FastifyBaseLogger } from 'fastify';
import type { Kysely } from 'kysely';
import type { Authorizer } from '../../platform/authorize';
import type { DB } from '../../platform/db-schema';
import type { App } from '../../platform/http';
import type { AuditService } from '../audit';
import { createPacketSourcesStore } from './packet-sources.store';
import { registerPacketsRoutes } from './packets.routes';
import { createPacketsService, type PacketInputs } from './packets.service';
import { createPacketsStore } from './packets.store';

/** Monthly compliance packets (issue 8): a branded PDF per practice and month. */
export function createPacketsModule(
  deps: {
    db: Kysely<DB>;
    audit: AuditService;
    authorize: Authorizer;
    log?: FastifyBaseLogger;
    now?: (() => Date) | undefined;
  } & PacketInputs,
) {
  const service = createPacketsService({
    ...deps,
    store: createPacketsStore(),
    sources: createPacketSourcesStore(),
    now: deps.now ?? (() => new Date()),
  });
  return { service, routes: (app: App) => registerPacketsRoutes(app, service) };
}
