import type { Kysely } from 'kysely';
import type { BaseLogger } from 'pino';
import { SYSTEM_ACTOR } from '../../platform/context';
import { newId } from '../../platform/ids';
import type { AuditService } from '../audit';
import { monthBounds, purgeBefore } from './retention-month';
import type { PurgedBatch, RetentionRunsStore } from './retention-runs.store';
import type { RetentionSettingsStore } from './retention-settings.store';
import { asExecutor, type RetentionDB } from './retention.tables';

/** Bundles deleted per statement; a month of a busy practice goes in several, in one transaction. */
const DEFAULT_BATCH = 5000;

/** What one run of the job did. */
export interface PurgeSummary {
  /** Months purged (or purged further, once latest results they kept were superseded). */
  purged: number;
  /** Months newly found blocked (no packet yet); audited once each. */
  blocked: number;
  /** Months left for a later run because some bundle is not yet in the transparency log. */
  deferred: number;
}

type Outcome = 'purged' | 'blocked' | 'deferred' | 'no_packet' | 'none';

/**
 * The daily retention job: for every practice, every whole calendar month (UTC) that ended at least
 * the practice's retention before `now` loses its evidence bundles, in one audited transaction per
 * month, but only once the month's compliance packet exists; until then the month is recorded and
 * audited as blocked, once. A bundle that is still a host's latest result for a check is kept
 * (current scores are computed from it) and goes in a later run once a newer result replaces it.
 * The transparency log (merkle_*) is never touched: it holds hashes only and outlives the bundles.
 */
export function createRetentionPurgeService(deps: {
  db: Kysely<RetentionDB>;
  settings: RetentionSettingsStore;
  runs: RetentionRunsStore;
  audit: AuditService;
  log?: Pick<BaseLogger, 'error' | 'warn'> | undefined;
  now: () => Date;
  batchSize?: number | undefined;
}) {
  const { db, settings, runs, audit } = deps;
  const batchSize = deps.batchSize ?? DEFAULT_BATCH;

  async function block(practiceId: string, month: string, retentionMonths: number): Promise<Outcome> {
    return db.transaction().execute(async (trx) => {
      const monthStart = `${month}-01`;
      const inserted = await runs.insertBlocked(trx, {
        id: newId(),
        practiceId,
        monthStart,
        retentionMonths,
        at: deps.now(),
      });
      if (!inserted) return 'none';
      await audit.record(asExecutor(trx), SYSTEM_ACTOR, {
        action: 'evidence.retention.blocked',
        targetType: 'practice',
        targetId: practiceId,
        details: { month, retentionMonths, reason: 'the compliance packet of the month does not exist yet' },
      });
      return 'blocked';
    });
  }

  async function purgeMonth(practiceId: string, month: string, retentionMonths: number): Promise<Outcome> {
    const monthStart = `${month}-01`;
    const window = monthBounds(month);
    return db.transaction().execute(async (trx) => {
      await runs.lockMonth(trx, practiceId, monthStart);
      const packet = await runs.packetOf(trx, practiceId, monthStart);
      if (!packet) return 'no_packet';
      if (await runs.hasUnlogged(trx, practiceId, window)) return 'deferred';
      await runs.allowEvidencePurge(trx);
      const byAppliance = new Map<string, PurgedBatch>();
      for (;;) {
        const batch = await runs.purgeBatch(trx, practiceId, window, batchSize);
        let deleted = 0;
        for (const part of batch) {
          deleted += part.purged;
          const seen = byAppliance.get(part.appliance_id);
          byAppliance.set(
            part.appliance_id,
            seen
              ? {
                  ...(part.last_seq > seen.last_seq ? part : seen),
                  purged: seen.purged + part.purged,
                }
              : part,
          );
        }
        if (deleted < batchSize) break;
      }
      if (byAppliance.size === 0) return 'none';
      const kept = await runs.keptCounts(trx, practiceId, window);
      const applianceIds = [...new Set([...byAppliance.keys(), ...kept.keys()])].sort();
      const appliances = applianceIds.map((applianceId) => {
        const purged = byAppliance.get(applianceId);
        return {
          applianceId,
          purged: purged?.purged ?? 0,
          kept: kept.get(applianceId) ?? 0,
          lastSeq: purged?.last_seq ?? null,
          lastHash: purged?.last_hash ?? null,
        };
      });
      const purgedCount = appliances.reduce((sum, a) => sum + a.purged, 0);
      const keptCount = appliances.reduce((sum, a) => sum + a.kept, 0);
      const before = await runs.run(trx, practiceId, monthStart);
      const runId = await runs.savePurged(trx, {
        id: newId(),
        practiceId,
        monthStart,
        retentionMonths,
        at: deps.now(),
        purged: purgedCount,
        kept: keptCount,
        packetSha256: packet.sha256,
      });
      for (const appliance of appliances) await runs.saveAppliance(trx, runId, appliance);
      await audit.record(asExecutor(trx), SYSTEM_ACTOR, {
        action: 'evidence.retention.purged',
        targetType: 'practice',
        targetId: practiceId,
        details: {
          runId,
          month,
          retentionMonths,
          purgedCount,
          keptCount,
          packetSha256: packet.sha256,
          // A month purged before, now losing latest results that newer ones replaced.
          isRepeat: before?.state === 'purged',
          appliances: appliances.map((a) => ({
            applianceId: a.applianceId,
            purgedCount: a.purged,
            keptCount: a.kept,
            lastPurgedSeq: a.lastSeq,
            lastPurgedHash: a.lastHash,
          })),
        },
      });
      return 'purged';
    });
  }

  async function purgePractice(practiceId: string, retentionMonths: number, asOf: Date, summary: PurgeSummary) {
    const months = await runs.monthsWithPurgeable(db, practiceId, purgeBefore(asOf, retentionMonths));
    for (const month of months) {
      try {
        let outcome = await purgeMonth(practiceId, month, retentionMonths);
        if (outcome === 'no_packet') outcome = await block(practiceId, month, retentionMonths);
        if (outcome === 'deferred')
          deps.log?.warn({ practiceId, month }, 'retention deferred: a bundle is not in the transparency log yet');
        if (outcome !== 'none' && outcome !== 'no_packet') summary[outcome] += 1;
      } catch (error) {
        deps.log?.error({ err: error, practiceId, month }, 'retention purge failed');
      }
    }
  }

  return {
    /**
     * Runs the job once; idempotent. Months are judged as of `options.now` (tests move it years
     * ahead; the app's clock by default); runs and audit entries carry the app's clock.
     */
    async purgeDue(options: { now?: Date } = {}): Promise<PurgeSummary> {
      const at = options.now ?? deps.now();
      const summary: PurgeSummary = { purged: 0, blocked: 0, deferred: 0 };
      for (const practice of await settings.effectiveForAll(db))
        await purgePractice(practice.id, Number(practice.months), at, summary);
      return summary;
    },
  };
}
