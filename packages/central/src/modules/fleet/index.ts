import type { Kysely } from 'kysely';
import type { DB } from '../../platform/db-schema';
import type { App } from '../../platform/http';
import type { AuditService } from '../audit';
import type { OrdersService } from '../orders';
import { registerFleetRoutes } from './fleet.routes';
import { createReleasesStore } from './fleet.store';
import { createReleasesService } from './releases.service';
import { createRolloutEngine } from './rollouts.engine';
import { createRolloutsService } from './rollouts.service';
import { createRolloutsStore } from './rollouts.store';

/** Appliance releases and staged rollouts (issue 10). */
export function createFleetModule(deps: {
  db: Kysely<DB>;
  audit: AuditService;
  orders: Pick<OrdersService, 'issueWithin'>;
  /** Trusted release public keys (raw Ed25519, base64url). */
  releasePublicKeys: readonly string[];
  now?: (() => Date) | undefined;
}) {
  const now = deps.now ?? (() => new Date());
  const releasesStore = createReleasesStore();
  const rolloutsStore = createRolloutsStore();
  const releases = createReleasesService({
    db: deps.db,
    store: releasesStore,
    rollouts: rolloutsStore,
    audit: deps.audit,
    trustedKeys: deps.releasePublicKeys,
    now,
  });
  const engine = createRolloutEngine({
    db: deps.db,
    store: rolloutsStore,
    releases: releasesStore,
    audit: deps.audit,
    orders: deps.orders,
    now,
  });
  const rollouts = createRolloutsService({
    db: deps.db,
    store: rolloutsStore,
    releases: releasesStore,
    engine,
    audit: deps.audit,
    now,
  });
  return {
    releases,
    rollouts,
    /** The job: one engine pass over every active or paused rollout, and abandoned uploads purged. */
    async tick(): Promise<number> {
      let handled = await releases.purgeAbandonedUploads();
      for (const id of await rolloutsStore.idsWithStatus(deps.db, ['active', 'paused']))
        handled += await engine.run(id);
      return handled;
    },
    routes: (app: App) => registerFleetRoutes(app, releases, rollouts),
  };
}
