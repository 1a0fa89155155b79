import {
  DEFAULT_ROLLOUT_STAGES,
  type ReleaseChannel,
  type Rollout,
  type RolloutAppliance,
  type RolloutCreateRequest,
  type UpdateStatusReport,
} from '@osiris/protocol';
import type { Kysely } from 'kysely';
import type { ActorContext } from '../../platform/context';
import type { DB } from '../../platform/db-schema';
import { AppError, invalidField, notFound } from '../../platform/errors';
import type { AuthenticatedAppliance } from '../../platform/http';
import { newId } from '../../platform/ids';
import type { AuditService } from '../audit';
import type { ReleasesStore, RolloutRow } from './fleet.store';
import type { EngineContext, RolloutEngine } from './rollouts.engine';
import { planStages, TERMINAL_STATES, toRollout, toRolloutAppliance } from './rollouts.plan';
import type { RolloutsStore } from './rollouts.store';

const INSERT_BATCH = 1000;

export function createRolloutsService(deps: {
  db: Kysely<DB>;
  store: RolloutsStore;
  releases: ReleasesStore;
  engine: RolloutEngine;
  audit: AuditService;
  now: () => Date;
}) {
  const { db, store, releases, engine, audit, now } = deps;

  async function render(rows: RolloutRow[]): Promise<Rollout[]> {
    const ids = rows.map((r) => r.id);
    const [stages, counts] = await Promise.all([store.stagesOf(db, ids), store.counts(db, ids)]);
    const versions = new Map<string, string>();
    for (const row of rows) {
      if (!versions.has(row.release_id))
        versions.set(row.release_id, (await releases.byId(db, row.release_id))?.version ?? '0.0.0');
    }
    return rows.map((row) =>
      toRollout(
        row,
        versions.get(row.release_id) ?? '0.0.0',
        stages.filter((s) => s.rollout_id === row.id),
        counts.filter((c) => c.rollout_id === row.id),
      ),
    );
  }

  async function get(id: string): Promise<Rollout> {
    const row = await store.byId(db, id);
    if (!row) throw notFound('Rollout');
    const [rollout] = await render([row]);
    if (!rollout) throw notFound('Rollout');
    return rollout;
  }

  /** An admin's control: locked rollout, state check (409 otherwise), then the engine's next pass. */
  async function control(
    actor: ActorContext,
    id: string,
    allowed: string[],
    name: string,
    fn: (ctx: EngineContext) => Promise<void>,
  ): Promise<Rollout> {
    const done = await engine.locked(id, actor, async (ctx) => {
      if (!allowed.includes(ctx.rollout.status))
        throw new AppError('CONFLICT', `A ${ctx.rollout.status} rollout cannot be ${name}`);
      await fn(ctx);
      return true;
    });
    if (!done) throw notFound('Rollout');
    await engine.run(id, actor);
    return get(id);
  }

  async function resolveTarget(input: RolloutCreateRequest['target']) {
    switch (input.kind) {
      case 'all':
        return store.targetAppliances(db, {});
      case 'partner':
        if (!(await store.partnerExists(db, input.partnerId))) throw notFound('Partner');
        return store.targetAppliances(db, { partnerId: input.partnerId });
      case 'sites': {
        const siteIds = [...new Set(input.siteIds)];
        const found = await store.existingSites(db, siteIds);
        if (found.length !== siteIds.length) throw notFound('Site');
        return store.targetAppliances(db, { siteIds });
      }
      case 'channel':
        return store.targetAppliances(db, { channel: input.channel });
    }
  }

  return {
    get,
    async list(status: string | undefined): Promise<{ items: Rollout[] }> {
      return { items: await render(await store.list(db, status)) };
    },

    /** Resolves the target now, fixes stage membership, and opens the first stage at once. */
    async create(actor: ActorContext, input: RolloutCreateRequest): Promise<Rollout> {
      const release = await releases.byVersion(db, input.version);
      if (!release) throw notFound('Release');
      if (release.state !== 'available')
        throw new AppError(
          'CONFLICT',
          `Release ${input.version} is ${release.state}; a rollout needs an available one`,
        );
      const stages = input.stages ?? DEFAULT_ROLLOUT_STAGES;
      const appliances = await resolveTarget(input.target);
      if (appliances.length === 0) throw new AppError('CONFLICT', 'No active appliance matches the target');
      const busy = await store.busyAppliances(
        db,
        appliances.map((a) => a.id),
      );
      if (busy.length > 0)
        throw new AppError('CONFLICT', `${busy.length} target appliances are in another unfinished rollout`, {
          details: { applianceIds: busy.slice(0, 20) },
        });
      const at = now();
      const id = newId(at.getTime());
      const plan = planStages(
        id,
        appliances.map((a) => a.id),
        stages,
      );
      const versionOf = new Map(appliances.map((a) => [a.id, a.version]));
      await db.transaction().execute(async (trx) => {
        await store.insert(trx, {
          id,
          release_id: release.id,
          name: input.name ?? `Rollout ${release.version}`,
          target: JSON.stringify(input.target),
          failure_threshold_percent: input.failureThresholdPercent,
          status: 'active',
          current_stage: 0,
          pause_reason: null,
          created_at: at,
          created_by: actor.actorType === 'user' ? actor.actorId : null,
          updated_at: at,
          completed_at: null,
        });
        await store.insertStages(
          trx,
          stages.map((s, index) => ({
            rollout_id: id,
            stage_index: index,
            percent: s.percent,
            healthy_minutes: s.healthyMinutes,
          })),
        );
        for (let i = 0; i < plan.length; i += INSERT_BATCH)
          await store.insertAppliances(
            trx,
            plan.slice(i, i + INSERT_BATCH).map((p) => ({
              rollout_id: id,
              appliance_id: p.applianceId,
              stage: p.stage,
              position: p.position,
              state: 'pending',
              from_version: versionOf.get(p.applianceId) ?? null,
              updated_at: at,
            })),
          );
        await audit.record(trx, actor, {
          action: 'rollout.created',
          targetType: 'rollout',
          targetId: id,
          details: { version: release.version, target: input.target, stages, appliances: plan.length },
        });
      });
      await engine.run(id, actor);
      return get(id);
    },

    async appliances(id: string): Promise<{ items: RolloutAppliance[] }> {
      if (!(await store.byId(db, id))) throw notFound('Rollout');
      return { items: (await store.listAppliances(db, id)).map(toRolloutAppliance) };
    },

    pause: (actor: ActorContext, id: string, reason: string | undefined) =>
      control(actor, id, ['active'], 'paused', async (ctx) => {
        const why = reason ?? `Paused by ${actor.actorLabel ?? 'an admin'}`;
        ctx.rollout = await store.update(ctx.trx, id, { status: 'paused', pause_reason: why, updated_at: ctx.at });
        await audit.record(ctx.trx, actor, {
          action: 'rollout.paused',
          targetType: 'rollout',
          targetId: id,
          details: { mode: 'manual', reason: why },
        });
      }),

    /** Resuming accepts the current stage's failures so far: only a new one pauses it again. */
    resume: (actor: ActorContext, id: string) =>
      control(actor, id, ['paused'], 'resumed', async (ctx) => {
        if (ctx.release.state !== 'available')
          throw new AppError('CONFLICT', `Release ${ctx.release.version} is ${ctx.release.state}`);
        const failures = ctx.rows.filter(
          (r) => r.stage === ctx.rollout.current_stage && (r.state === 'failed' || r.state === 'rolled_back'),
        ).length;
        ctx.rollout = await store.update(ctx.trx, id, {
          status: 'active',
          pause_reason: null,
          acknowledged_failures: failures,
          updated_at: ctx.at,
        });
        await audit.record(ctx.trx, actor, {
          action: 'rollout.resumed',
          targetType: 'rollout',
          targetId: id,
          details: { acknowledgedFailures: failures },
        });
      }),

    cancel: (actor: ActorContext, id: string) =>
      control(actor, id, ['active', 'paused'], 'cancelled', async (ctx) => {
        ctx.rollout = await store.update(ctx.trx, id, { status: 'cancelled', updated_at: ctx.at });
        await audit.record(ctx.trx, actor, {
          action: 'rollout.cancelled',
          targetType: 'rollout',
          targetId: id,
          details: { stage: ctx.rollout.current_stage },
        });
      }),

    advance: (actor: ActorContext, id: string) =>
      control(actor, id, ['active'], 'advanced', async (ctx) => {
        if (ctx.rollout.current_stage >= ctx.stages.length - 1)
          throw new AppError('CONFLICT', 'The rollout is already at its last stage');
        await engine.advance(ctx, 'manual', null);
      }),

    /**
     * An appliance's report of one transition. Late reports (older `at`) change nothing; `healthy`
     * and `rolled_back` are never left; `healthy` counts once the appliance also checks in with the
     * target version (until then it shows `installed`).
     */
    async report(
      actor: ActorContext,
      appliance: AuthenticatedAppliance,
      input: UpdateStatusReport,
    ): Promise<RolloutAppliance> {
      const at = now();
      const result = await db.transaction().execute(async (trx) => {
        const row = await store.applianceForUpdate(trx, input.rolloutId, appliance.applianceId);
        if (!row) throw notFound('Rollout');
        const rollout = await store.byId(trx, input.rolloutId);
        const release = rollout ? await releases.byId(trx, rollout.release_id) : undefined;
        if (!release) throw notFound('Rollout');
        if (input.version !== release.version)
          throw invalidField('version', `This rollout installs ${release.version}, not ${input.version}`);
        const reportedAt = new Date(input.at);
        const isStale = row.last_report_at !== null && reportedAt < row.last_report_at;
        if (isStale || TERMINAL_STATES.includes(row.state)) return row;
        const state =
          input.state === 'healthy' ? (row.current_version === release.version ? 'healthy' : 'installed') : input.state;
        const isFailure = state === 'failed' || state === 'rolled_back';
        const set = {
          state,
          from_version: input.fromVersion,
          error_code: isFailure ? input.errorCode : null,
          message: input.message,
          bytes_downloaded: input.bytesDownloaded,
          last_report_at: reportedAt,
          updated_at: at,
          ...(input.state === 'healthy' ? { reported_healthy_at: reportedAt } : {}),
        };
        await store.updateAppliance(trx, input.rolloutId, appliance.applianceId, set);
        if (state !== row.state)
          await audit.record(trx, actor, {
            action: 'rollout.appliance_state',
            outcome: isFailure ? 'failure' : 'success',
            targetType: 'appliance',
            targetId: appliance.applianceId,
            details: {
              rolloutId: input.rolloutId,
              version: release.version,
              from: row.state,
              to: state,
              reported: input.state,
              errorCode: input.errorCode,
            },
          });
        return { ...row, ...set };
      });
      await engine.run(input.rolloutId);
      return toRolloutAppliance((await store.applianceForUpdate(db, input.rolloutId, appliance.applianceId)) ?? result);
    },

    async setUpdateChannel(
      actor: ActorContext,
      applianceId: string,
      channel: ReleaseChannel,
    ): Promise<{ applianceId: string; channel: ReleaseChannel }> {
      return db.transaction().execute(async (trx) => {
        const row = await store.setUpdateChannel(trx, applianceId, channel);
        if (!row) throw notFound('Appliance');
        await audit.record(trx, actor, {
          action: 'appliance.update_channel',
          targetType: 'appliance',
          targetId: applianceId,
          details: { channel },
        });
        return { applianceId, channel };
      });
    },
  };
}
export type RolloutsService = ReturnType<typeof createRolloutsService>;
