import { compareVersions, ReleaseVersion, type SignedReleaseManifest } from '@osiris/protocol';
import type { Kysely, Transaction } from 'kysely';
import { type ActorContext, SYSTEM_ACTOR } from '../../platform/context';
import type { DB } from '../../platform/db-schema';
import type { AuditService } from '../audit';
import type { OrdersService } from '../orders';
import type { ReleaseRow, ReleasesStore, RolloutRow, StageRow } from './fleet.store';
import { FINISHED_STATES, reachesFailureThreshold } from './rollouts.plan';
import type { EngineApplianceRow, RolloutsStore } from './rollouts.store';

/** How long an `install_release` order may wait for its appliance before it is issued again. */
const INSTALL_ORDER_LIFETIME_MINUTES = 24 * 60;

/** One locked rollout as the engine sees it during a transaction; the engine keeps it current. */
export interface EngineContext {
  trx: Transaction<DB>;
  actor: ActorContext;
  rollout: RolloutRow;
  release: ReleaseRow;
  stages: StageRow[];
  rows: EngineApplianceRow[];
  at: Date;
  changes: number;
}

/**
 * The rollout engine: opens stages (issuing signed `install_release` orders), re-issues orders
 * that expired unanswered, confirms healthy appliances by their checked-in version, pauses a
 * rollout whose current stage reaches its failure threshold, advances one whose current stage has
 * been all healthy for the stage's time, and completes one whose last stage is open and every
 * appliance finished. Each step runs with the rollout row locked, so replicas never race.
 */
export function createRolloutEngine(deps: {
  db: Kysely<DB>;
  store: RolloutsStore;
  releases: ReleasesStore;
  audit: AuditService;
  orders: Pick<OrdersService, 'issueWithin'>;
  now: () => Date;
}) {
  const { db, store, releases, audit, orders, now } = deps;

  async function update(ctx: EngineContext, set: Parameters<RolloutsStore['update']>[2]): Promise<void> {
    ctx.rollout = await store.update(ctx.trx, ctx.rollout.id, { ...set, updated_at: ctx.at });
    ctx.changes += 1;
  }

  async function setState(
    ctx: EngineContext,
    row: EngineApplianceRow,
    state: string,
    extra: { errorCode?: string | null; message?: string | null } = {},
  ): Promise<void> {
    const from = row.state;
    row.state = state;
    await store.updateAppliance(ctx.trx, ctx.rollout.id, row.appliance_id, {
      state,
      updated_at: ctx.at,
      ...(extra.errorCode !== undefined ? { error_code: extra.errorCode } : {}),
      ...(extra.message !== undefined ? { message: extra.message } : {}),
    });
    await audit.record(ctx.trx, ctx.actor, {
      action: 'rollout.appliance_state',
      outcome: state === 'failed' || state === 'rolled_back' ? 'failure' : 'success',
      targetType: 'appliance',
      targetId: row.appliance_id,
      details: { rolloutId: ctx.rollout.id, version: ctx.release.version, from, to: state, ...extra },
    });
    ctx.changes += 1;
  }

  async function issueOrder(ctx: EngineContext, row: EngineApplianceRow): Promise<void> {
    const record = await orders.issueWithin(ctx.trx, ctx.actor, row.appliance_id, {
      type: 'install_release',
      payload: {
        rolloutId: ctx.rollout.id,
        release: ctx.release.signed as unknown as SignedReleaseManifest,
        artifactPath: `/v1/appliance/releases/${ctx.release.version}/artifact`,
      },
      expiresInMinutes: INSTALL_ORDER_LIFETIME_MINUTES,
    });
    row.order_id = record.id;
    row.order_state = 'pending';
    row.order_expires_at = new Date(record.expiresAt);
    await store.updateAppliance(ctx.trx, ctx.rollout.id, row.appliance_id, {
      order_id: record.id,
      from_version: row.current_version,
      updated_at: ctx.at,
    });
    ctx.changes += 1;
  }

  /** An appliance of an opened stage: already there, too old, ahead, or sent the order. */
  async function prepare(ctx: EngineContext, row: EngineApplianceRow): Promise<void> {
    const { version, min_upgrade_from: minimum } = ctx.release;
    const current = row.current_version;
    const comparable = ReleaseVersion.safeParse(current).success;
    if (current === version) return setState(ctx, row, 'healthy', { message: 'already running this version' });
    if (comparable && minimum && compareVersions(current, minimum) < 0)
      return setState(ctx, row, 'failed', {
        errorCode: 'TOO_OLD_TO_UPGRADE',
        message: `${current} is older than ${minimum}, the oldest version ${version} upgrades from`,
      });
    if (comparable && compareVersions(current, version) > 0)
      return setState(ctx, row, 'failed', {
        errorCode: 'DOWNGRADE',
        message: `${current} is newer than ${version}`,
      });
    return issueOrder(ctx, row);
  }

  async function openStage(ctx: EngineContext, index: number): Promise<void> {
    const stage = ctx.stages[index];
    if (!stage || stage.opened_at) return;
    stage.opened_at = ctx.at;
    stage.healthy_since = null;
    await store.updateStage(ctx.trx, ctx.rollout.id, index, { opened_at: ctx.at, healthy_since: null });
    for (const row of ctx.rows)
      if (row.stage === index && row.state === 'pending' && !row.order_id) await prepare(ctx, row);
  }

  /** Opens the next stage; `mode` says who decided (audited as rollout.advanced). */
  async function advance(ctx: EngineContext, mode: 'manual' | 'auto', reason: string | null): Promise<void> {
    const from = ctx.rollout.current_stage;
    await update(ctx, { current_stage: from + 1, acknowledged_failures: 0 });
    await audit.record(ctx.trx, ctx.actor, {
      action: 'rollout.advanced',
      targetType: 'rollout',
      targetId: ctx.rollout.id,
      details: { from, to: from + 1, mode, reason },
    });
    await openStage(ctx, from + 1);
  }

  /** Healthy = reported healthy and checking in with the target version. */
  async function confirmHealthy(ctx: EngineContext): Promise<void> {
    for (const row of ctx.rows)
      if (
        row.reported_healthy_at &&
        row.current_version === ctx.release.version &&
        !['healthy', 'rolled_back'].includes(row.state)
      )
        await setState(ctx, row, 'healthy', { errorCode: null, message: null });
  }

  /** Pending appliances of opened stages whose order expired unanswered (or was never sent) get one. */
  async function reissue(ctx: EngineContext): Promise<void> {
    for (const row of ctx.rows) {
      if (row.stage > ctx.rollout.current_stage || row.state !== 'pending') continue;
      if (!row.order_id) {
        await prepare(ctx, row);
        continue;
      }
      const expired =
        row.order_state === 'expired' ||
        (['pending', 'delivered'].includes(row.order_state ?? '') &&
          row.order_expires_at !== null &&
          row.order_expires_at <= ctx.at);
      if (expired) {
        const previous = row.order_id;
        await issueOrder(ctx, row);
        await audit.record(ctx.trx, ctx.actor, {
          action: 'rollout.order_reissued',
          targetType: 'appliance',
          targetId: row.appliance_id,
          details: { rolloutId: ctx.rollout.id, previousOrderId: previous, orderId: row.order_id },
        });
      } else if (row.order_state === 'failed' || row.order_state === 'refused')
        await setState(ctx, row, 'failed', {
          errorCode: row.order_result_code ?? `ORDER_${row.order_state.toUpperCase()}`,
          message: `the install order was ${row.order_state}`,
        });
    }
  }

  /** Pauses by itself when the current stage's failures reach the threshold (and one is new since a resume). */
  async function checkFailures(ctx: EngineContext): Promise<boolean> {
    const index = ctx.rollout.current_stage;
    const inStage = ctx.rows.filter((r) => r.stage === index);
    const failures = inStage.filter((r) => r.state === 'failed' || r.state === 'rolled_back').length;
    const threshold = ctx.rollout.failure_threshold_percent;
    if (failures <= ctx.rollout.acknowledged_failures || !reachesFailureThreshold(failures, inStage.length, threshold))
      return false;
    const reason = `Paused automatically: ${failures} of ${inStage.length} appliances of stage ${index + 1} failed or rolled back (threshold ${threshold} %)`;
    await update(ctx, { status: 'paused', pause_reason: reason });
    await audit.record(ctx.trx, SYSTEM_ACTOR, {
      action: 'rollout.paused',
      outcome: 'failure',
      targetType: 'rollout',
      targetId: ctx.rollout.id,
      details: { mode: 'auto', reason, stage: index, failures, stageSize: inStage.length },
    });
    return true;
  }

  /** Auto-advance: only `healthy` counts; a stage with any other state waits for an admin. */
  async function maybeAdvance(ctx: EngineContext): Promise<void> {
    for (;;) {
      const index = ctx.rollout.current_stage;
      const stage = ctx.stages[index];
      const isLast = index >= ctx.stages.length - 1;
      if (!stage) return;
      const inStage = ctx.rows.filter((r) => r.stage === index);
      if (inStage.length === 0 && !isLast) {
        await advance(ctx, 'auto', 'empty stage');
        continue;
      }
      if (!inStage.every((r) => r.state === 'healthy')) {
        if (stage.healthy_since) {
          stage.healthy_since = null;
          await store.updateStage(ctx.trx, ctx.rollout.id, index, { healthy_since: null });
        }
        return;
      }
      if (!stage.healthy_since) {
        stage.healthy_since = ctx.at;
        await store.updateStage(ctx.trx, ctx.rollout.id, index, { healthy_since: ctx.at });
        ctx.changes += 1;
      }
      if (isLast || stage.healthy_minutes === null) return;
      if (ctx.at.getTime() - stage.healthy_since.getTime() < stage.healthy_minutes * 60_000) return;
      await advance(ctx, 'auto', `stage ${index + 1} healthy for ${stage.healthy_minutes} min`);
    }
  }

  async function maybeComplete(ctx: EngineContext): Promise<void> {
    if (ctx.rollout.current_stage < ctx.stages.length - 1) return;
    if (!ctx.rows.every((r) => FINISHED_STATES.includes(r.state))) return;
    await update(ctx, { status: 'completed', completed_at: ctx.at, pause_reason: null });
    const counts: Record<string, number> = {};
    for (const r of ctx.rows) counts[r.state] = (counts[r.state] ?? 0) + 1;
    await audit.record(ctx.trx, ctx.actor, {
      action: 'rollout.completed',
      targetType: 'rollout',
      targetId: ctx.rollout.id,
      details: { version: ctx.release.version, counts },
    });
  }

  /** Everything the engine does for a locked rollout that is active (confirmation also when paused). */
  async function step(ctx: EngineContext): Promise<void> {
    if (ctx.rollout.status !== 'active' && ctx.rollout.status !== 'paused') return;
    await confirmHealthy(ctx);
    if (ctx.rollout.status !== 'active') return;
    if (ctx.release.state !== 'available') {
      const reason = `Release ${ctx.release.version} is ${ctx.release.state}`;
      await update(ctx, { status: 'paused', pause_reason: reason });
      await audit.record(ctx.trx, SYSTEM_ACTOR, {
        action: 'rollout.paused',
        targetType: 'rollout',
        targetId: ctx.rollout.id,
        details: { mode: 'auto', reason },
      });
      return;
    }
    await openStage(ctx, ctx.rollout.current_stage);
    await reissue(ctx);
    if (await checkFailures(ctx)) return;
    await maybeAdvance(ctx);
    if (await checkFailures(ctx)) return;
    await maybeComplete(ctx);
  }

  /** Runs `fn` with the rollout locked and loaded; null when there is no such rollout. */
  async function locked<T>(
    rolloutId: string,
    actor: ActorContext,
    fn: (ctx: EngineContext) => Promise<T>,
  ): Promise<T | null> {
    return db.transaction().execute(async (trx) => {
      const rollout = await store.forUpdate(trx, rolloutId);
      if (!rollout) return null;
      const release = await releases.byId(trx, rollout.release_id);
      if (!release) throw new Error(`rollout ${rolloutId} has no release`);
      const ctx: EngineContext = {
        trx,
        actor,
        rollout,
        release,
        stages: await store.stagesOf(trx, [rolloutId]),
        rows: await store.appliancesOf(trx, rolloutId),
        at: now(),
        changes: 0,
      };
      return fn(ctx);
    });
  }

  return {
    locked,
    step,
    advance,
    /** One engine pass over one rollout; returns how many things changed. */
    async run(rolloutId: string, actor: ActorContext = SYSTEM_ACTOR): Promise<number> {
      return (
        (await locked(rolloutId, actor, async (ctx) => {
          await step(ctx);
          return ctx.changes;
        })) ?? 0
      );
    },
  };
}
export type RolloutEngine = ReturnType<typeof createRolloutEngine>;
