import type { Insertable, Updateable } from 'kysely';
import type { Executor } from '../../platform/context';
import type { RolloutAppliancesTable, RolloutStagesTable, RolloutsTable } from './fleet.store';

/** An appliance row of a rollout with what the engine needs of the appliance itself. */
export type EngineApplianceRow = Awaited<ReturnType<ReturnType<typeof createRolloutsStore>['appliancesOf']>>[number];

/** SQL for rollouts, their stages and per-appliance rows (and appliances.update_channel). */
export function createRolloutsStore() {
  return {
    insert: (db: Executor, row: Insertable<RolloutsTable>) =>
      db.insertInto('rollouts').values(row).returningAll().executeTakeFirstOrThrow(),
    insertStages: (db: Executor, rows: Insertable<RolloutStagesTable>[]) =>
      db.insertInto('rollout_stages').values(rows).execute(),
    insertAppliances: (db: Executor, rows: Insertable<RolloutAppliancesTable>[]) =>
      db.insertInto('rollout_appliances').values(rows).execute(),
    byId: (db: Executor, id: string) => db.selectFrom('rollouts').selectAll().where('id', '=', id).executeTakeFirst(),
    forUpdate: (db: Executor, id: string) =>
      db.selectFrom('rollouts').selectAll().where('id', '=', id).forUpdate().executeTakeFirst(),
    list: (db: Executor, status: string | undefined) => {
      let q = db.selectFrom('rollouts').selectAll().orderBy('created_at', 'desc').orderBy('id', 'desc').limit(200);
      if (status) q = q.where('status', '=', status);
      return q.execute();
    },
    idsWithStatus: async (db: Executor, statuses: string[]) =>
      (await db.selectFrom('rollouts').select('id').where('status', 'in', statuses).orderBy('id').execute()).map(
        (r) => r.id,
      ),
    ofRelease: (db: Executor, releaseId: string, statuses: string[]) =>
      db
        .selectFrom('rollouts')
        .selectAll()
        .where('release_id', '=', releaseId)
        .where('status', 'in', statuses)
        .forUpdate()
        .execute(),
    update: (db: Executor, id: string, set: Updateable<RolloutsTable>) =>
      db.updateTable('rollouts').set(set).where('id', '=', id).returningAll().executeTakeFirstOrThrow(),

    stagesOf: (db: Executor, rolloutIds: string[]) =>
      rolloutIds.length === 0
        ? Promise.resolve([])
        : db
            .selectFrom('rollout_stages')
            .selectAll()
            .where('rollout_id', 'in', rolloutIds)
            .orderBy('rollout_id')
            .orderBy('stage_index')
            .execute(),
    updateStage: (db: Executor, rolloutId: string, index: number, set: Updateable<RolloutStagesTable>) =>
      db
        .updateTable('rollout_stages')
        .set(set)
        .where('rollout_id', '=', rolloutId)
        .where('stage_index', '=', index)
        .execute(),

    /** Per-stage state counts of these rollouts. */
    counts: (db: Executor, rolloutIds: string[]) =>
      rolloutIds.length === 0
        ? Promise.resolve([])
        : db
            .selectFrom('rollout_appliances')
            .select(['rollout_id', 'stage', 'state', (eb) => eb.fn.countAll<string>().as('n')])
            .where('rollout_id', 'in', rolloutIds)
            .groupBy(['rollout_id', 'stage', 'state'])
            .execute(),

    /** Every appliance row of the rollout, with the appliance's checked-in version and its order's state. */
    appliancesOf: (db: Executor, rolloutId: string) =>
      db
        .selectFrom('rollout_appliances as ra')
        .innerJoin('appliances as a', 'a.id', 'ra.appliance_id')
        .leftJoin('orders as o', 'o.id', 'ra.order_id')
        .selectAll('ra')
        .select([
          'a.version as current_version',
          'a.status as appliance_status',
          'o.state as order_state',
          'o.expires_at as order_expires_at',
          'o.result_code as order_result_code',
        ])
        .where('ra.rollout_id', '=', rolloutId)
        .orderBy('ra.position')
        .execute(),

    /** GET /v1/rollouts/:id/appliances: each row with hostname and site. */
    listAppliances: (db: Executor, rolloutId: string) =>
      db
        .selectFrom('rollout_appliances as ra')
        .innerJoin('appliances as a', 'a.id', 'ra.appliance_id')
        .innerJoin('sites as s', 's.id', 'a.site_id')
        .selectAll('ra')
        .select(['a.hostname', 'a.site_id', 's.name as site_name'])
        .where('ra.rollout_id', '=', rolloutId)
        .orderBy('ra.position')
        .execute(),

    applianceForUpdate: (db: Executor, rolloutId: string, applianceId: string) =>
      db
        .selectFrom('rollout_appliances as ra')
        .innerJoin('appliances as a', 'a.id', 'ra.appliance_id')
        .innerJoin('sites as s', 's.id', 'a.site_id')
        .selectAll('ra')
        .select(['a.hostname', 'a.site_id', 's.name as site_name', 'a.version as current_version'])
        .where('ra.rollout_id', '=', rolloutId)
        .where('ra.appliance_id', '=', applianceId)
        .forUpdate('ra')
        .executeTakeFirst(),

    updateAppliance: (db: Executor, rolloutId: string, applianceId: string, set: Updateable<RolloutAppliancesTable>) =>
      db
        .updateTable('rollout_appliances')
        .set(set)
        .where('rollout_id', '=', rolloutId)
        .where('appliance_id', '=', applianceId)
        .execute(),

    /** The appliances a target names (active ones only), with their current version. */
    targetAppliances: (db: Executor, target: { partnerId?: string; siteIds?: string[]; channel?: string }) => {
      let q = db
        .selectFrom('appliances as a')
        .innerJoin('sites as s', 's.id', 'a.site_id')
        .innerJoin('practices as p', 'p.id', 's.practice_id')
        .select(['a.id', 'a.version'])
        .where('a.status', '=', 'active');
      if (target.partnerId) q = q.where('p.partner_id', '=', target.partnerId);
      if (target.siteIds) q = q.where('a.site_id', 'in', target.siteIds);
      if (target.channel) q = q.where('a.update_channel', '=', target.channel);
      return q.execute();
    },
    /** Of these appliances, those already in an unfinished (active or paused) rollout. */
    busyAppliances: async (db: Executor, applianceIds: string[]) =>
      applianceIds.length === 0
        ? []
        : (
            await db
              .selectFrom('rollout_appliances as ra')
              .innerJoin('rollouts as r', 'r.id', 'ra.rollout_id')
              .select('ra.appliance_id')
              .where('r.status', 'in', ['active', 'paused'])
              .where('ra.appliance_id', 'in', applianceIds)
              .execute()
          ).map((r) => r.appliance_id),
    existingSites: async (db: Executor, siteIds: string[]) =>
      (await db.selectFrom('sites').select('id').where('id', 'in', siteIds).execute()).map((r) => r.id),
    partnerExists: async (db: Executor, partnerId: string) =>
      (await db.selectFrom('partners').select('id').where('id', '=', partnerId).executeTakeFirst()) !== undefined,

    setUpdateChannel: (db: Executor, applianceId: string, channel: string) =>
      db
        .updateTable('appliances')
        .set({ update_channel: channel })
        .where('id', '=', applianceId)
        .returning(['id', 'update_channel'])
        .executeTakeFirst(),
  };
}
export type RolloutsStore = ReturnType<typeof createRolloutsStore>;
