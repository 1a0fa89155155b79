import { sql } from 'kysely';
import type { RetentionExecutor as Executor } from './retention.tables';

/** Per appliance: what one purge batch deleted (count, the last seq and its hash). */
export interface PurgedBatch {
  appliance_id: string;
  purged: number;
  last_seq: number;
  last_hash: string;
}

const practiceAppliances = (practiceId: string) => sql`
  SELECT a.id FROM appliances a JOIN sites s ON s.id = a.site_id WHERE s.practice_id = ${practiceId}`;

/** A bundle that is still the latest result of its host and check (compliance scores read it). */
const isLatestResult = sql`EXISTS (
  SELECT 1 FROM latest_results lr
  WHERE lr.appliance_id = e.appliance_id AND lr.host_id = e.host_id AND lr.check_id = e.check_id AND lr.seq = e.seq)`;

const monthOf = (column: string) => sql`to_char(${sql.ref(column)} AT TIME ZONE 'UTC', 'YYYY-MM')`;

/**
 * The owning store of retention_runs and retention_run_appliances, and the one place that deletes
 * evidence_bundles (only inside a transaction that allowed it with `allowEvidencePurge`). Reads
 * practices, appliances, latest_results, compliance_packets and merkle_leaves; writes none of them.
 */
export function createRetentionRunsStore() {
  return {
    /**
     * Months (`YYYY-MM`) before `before` in which the practice's appliances have bundles that are
     * not a latest result: what retention may still delete.
     */
    async monthsWithPurgeable(db: Executor, practiceId: string, before: Date): Promise<string[]> {
      const rows = await sql<{ month: string }>`
        SELECT DISTINCT ${monthOf('e.finished_at')} AS month
        FROM evidence_bundles e
        WHERE e.appliance_id IN (${practiceAppliances(practiceId)}) AND e.finished_at < ${before}
          AND NOT ${isLatestResult}
        ORDER BY month`.execute(db);
      return rows.rows.map((r) => r.month);
    },

    run: (db: Executor, practiceId: string, monthStart: string) =>
      db
        .selectFrom('retention_runs')
        .select(['id', 'state', 'purged_count'])
        .where('practice_id', '=', practiceId)
        .where('month', '=', monthStart)
        .executeTakeFirst(),

    /** Records a blocked month unless the month has a run already; returns whether it did. */
    async insertBlocked(
      db: Executor,
      row: { id: string; practiceId: string; monthStart: string; retentionMonths: number; at: Date },
    ): Promise<boolean> {
      const inserted = await db
        .insertInto('retention_runs')
        .values({
          id: row.id,
          practice_id: row.practiceId,
          month: row.monthStart,
          state: 'blocked',
          retention_months: row.retentionMonths,
          blocked_at: row.at,
        })
        .onConflict((oc) => oc.columns(['practice_id', 'month']).doNothing())
        .returning('id')
        .executeTakeFirst();
      return inserted !== undefined;
    },

    packetOf: (db: Executor, practiceId: string, monthStart: string) =>
      db
        .selectFrom('compliance_packets')
        .select('sha256')
        .where('practice_id', '=', practiceId)
        .where('month', '=', monthStart)
        .executeTakeFirst(),

    /** Serialises purges of one practice's month across instances until the transaction ends. */
    async lockMonth(trx: Executor, practiceId: string, monthStart: string): Promise<void> {
      await sql`SELECT pg_advisory_xact_lock(hashtextextended(${`retention ${practiceId} ${monthStart}`}, 0))`.execute(
        trx,
      );
    },

    /** Lets this transaction (only) delete evidence bundles: the append-only trigger reads the flag. */
    async allowEvidencePurge(trx: Executor): Promise<void> {
      await sql`SELECT set_config('osiris.evidence_purge', 'on', true)`.execute(trx);
    },

    /** Whether a purgeable bundle of the month is not yet a leaf of the transparency log. */
    async hasUnlogged(db: Executor, practiceId: string, window: { start: Date; end: Date }): Promise<boolean> {
      const rows = await sql<{ one: number }>`
        SELECT 1 AS one FROM evidence_bundles e
        WHERE e.appliance_id IN (${practiceAppliances(practiceId)})
          AND e.finished_at >= ${window.start} AND e.finished_at < ${window.end} AND NOT ${isLatestResult}
          AND NOT EXISTS (SELECT 1 FROM merkle_leaves l WHERE l.appliance_id = e.appliance_id AND l.seq = e.seq)
        LIMIT 1`.execute(db);
      return rows.rows.length > 0;
    },

    /** Deletes up to `limit` purgeable bundles of the month; answers per appliance what went. */
    async purgeBatch(
      trx: Executor,
      practiceId: string,
      window: { start: Date; end: Date },
      limit: number,
    ): Promise<PurgedBatch[]> {
      const rows = await sql<{ appliance_id: string; purged: string; last_seq: string; last_hash: string }>`
        WITH doomed AS (
          SELECT e.appliance_id, e.seq FROM evidence_bundles e
          WHERE e.appliance_id IN (${practiceAppliances(practiceId)})
            AND e.finished_at >= ${window.start} AND e.finished_at < ${window.end} AND NOT ${isLatestResult}
          ORDER BY e.appliance_id, e.seq
          LIMIT ${limit}
        ), gone AS (
          DELETE FROM evidence_bundles b USING doomed d
          WHERE b.appliance_id = d.appliance_id AND b.seq = d.seq
          RETURNING b.appliance_id, b.seq, b.hash
        )
        SELECT appliance_id, count(*) AS purged, max(seq) AS last_seq, (array_agg(hash ORDER BY seq DESC))[1] AS last_hash
        FROM gone GROUP BY appliance_id`.execute(trx);
      return rows.rows.map((r) => ({
        appliance_id: r.appliance_id,
        purged: Number(r.purged),
        last_seq: Number(r.last_seq),
        last_hash: r.last_hash,
      }));
    },

    /** Per appliance: the month's bundles left (latest results, kept). */
    async keptCounts(db: Executor, practiceId: string, window: { start: Date; end: Date }) {
      const rows = await sql<{ appliance_id: string; kept: string }>`
        SELECT e.appliance_id, count(*) AS kept FROM evidence_bundles e
        WHERE e.appliance_id IN (${practiceAppliances(practiceId)})
          AND e.finished_at >= ${window.start} AND e.finished_at < ${window.end}
        GROUP BY e.appliance_id`.execute(db);
      return new Map(rows.rows.map((r) => [r.appliance_id, Number(r.kept)]));
    },

    /** Marks the month purged (a first purge, a blocked month unblocked, or superseded results purged later). */
    async savePurged(
      trx: Executor,
      row: {
        id: string;
        practiceId: string;
        monthStart: string;
        retentionMonths: number;
        at: Date;
        purged: number;
        kept: number;
        packetSha256: string;
      },
    ): Promise<string> {
      const saved = await trx
        .insertInto('retention_runs')
        .values({
          id: row.id,
          practice_id: row.practiceId,
          month: row.monthStart,
          state: 'purged',
          retention_months: row.retentionMonths,
          purged_at: row.at,
          purged_count: row.purged,
          kept_count: row.kept,
          packet_sha256: row.packetSha256,
        })
        .onConflict((oc) =>
          oc.columns(['practice_id', 'month']).doUpdateSet({
            state: 'purged',
            retention_months: row.retentionMonths,
            purged_at: row.at,
            purged_count: sql`retention_runs.purged_count + ${row.purged}`,
            kept_count: row.kept,
            packet_sha256: row.packetSha256,
          }),
        )
        .returning('id')
        .executeTakeFirstOrThrow();
      return saved.id;
    },

    /** Adds one purge's per-appliance counts to the run; the newest last purged bundle wins. */
    async saveAppliance(
      trx: Executor,
      runId: string,
      row: { applianceId: string; purged: number; kept: number; lastSeq: number | null; lastHash: string | null },
    ): Promise<void> {
      await trx
        .insertInto('retention_run_appliances')
        .values({
          run_id: runId,
          appliance_id: row.applianceId,
          purged_count: row.purged,
          kept_count: row.kept,
          last_purged_seq: row.lastSeq,
          last_purged_hash: row.lastHash,
        })
        .onConflict((oc) =>
          oc.columns(['run_id', 'appliance_id']).doUpdateSet({
            purged_count: sql`retention_run_appliances.purged_count + ${row.purged}`,
            kept_count: row.kept,
            last_purged_seq: sql`CASE WHEN retention_run_appliances.last_purged_seq IS NULL
              OR excluded.last_purged_seq > retention_run_appliances.last_purged_seq
              THEN excluded.last_purged_seq ELSE retention_run_appliances.last_purged_seq END`,
            last_purged_hash: sql`CASE WHEN retention_run_appliances.last_purged_seq IS NULL
              OR excluded.last_purged_seq > retention_run_appliances.last_purged_seq
              THEN excluded.last_purged_hash ELSE retention_run_appliances.last_purged_hash END`,
          }),
        )
        .execute();
    },

    async listOfPractice(db: Executor, practiceId: string) {
      const runs = await db
        .selectFrom('retention_runs')
        .select([
          'id',
          'practice_id',
          sql<string>`to_char(month, 'YYYY-MM')`.as('month'),
          'state',
          'retention_months',
          'blocked_at',
          'purged_at',
          'purged_count',
          'kept_count',
          'packet_sha256',
        ])
        .where('practice_id', '=', practiceId)
        .orderBy('month', 'desc')
        .execute();
      const appliances =
        runs.length === 0
          ? []
          : await db
              .selectFrom('retention_run_appliances')
              .selectAll()
              .where(
                'run_id',
                'in',
                runs.map((r) => r.id),
              )
              .orderBy('appliance_id')
              .execute();
      return { runs, appliances };
    },
  };
}

export type RetentionRunsStore = ReturnType<typeof createRetentionRunsStore>;
