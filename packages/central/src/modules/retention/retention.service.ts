import {
  type PartnerRetention,
  type PracticeRetention,
  RETENTION_DEFAULT_MONTHS,
  RETENTION_MAX_MONTHS,
  RETENTION_MIN_MONTHS,
  type RetentionRunList,
} from '@osiris/protocol';
import type { Kysely } from 'kysely';
import type { Authorizer } from '../../platform/authorize';
import type { ActorContext } from '../../platform/context';
import type { AuditService } from '../audit';
import type { RetentionRunsStore } from './retention-runs.store';
import type { RetentionSettingsStore } from './retention-settings.store';
import { asExecutor, type RetentionDB, type RetentionExecutor } from './retention.tables';

const BOUNDS = {
  defaultMonths: RETENTION_DEFAULT_MONTHS,
  minMonths: RETENTION_MIN_MONTHS,
  maxMonths: RETENTION_MAX_MONTHS,
};

const byUser = (actor: ActorContext) => (actor.actorType === 'user' ? actor.actorId : null);

/**
 * Evidence retention settings (per partner, overridable per practice) and the history of the
 * retention job. Changes are audited with the value before and after.
 */
export function createRetentionService(deps: {
  db: Kysely<RetentionDB>;
  settings: RetentionSettingsStore;
  runs: RetentionRunsStore;
  audit: AuditService;
  authorize: Authorizer;
  now: () => Date;
}) {
  const { db, settings, runs, audit, authorize, now } = deps;

  async function partnerView(executor: RetentionExecutor, partnerId: string): Promise<PartnerRetention> {
    const row = await settings.partner(executor, partnerId);
    return {
      partnerId,
      evidenceRetentionMonths: row?.evidence_retention_months ?? RETENTION_DEFAULT_MONTHS,
      isDefault: row === undefined,
      ...BOUNDS,
    };
  }

  async function practiceView(
    executor: RetentionExecutor,
    owner: { partnerId: string; practiceId: string },
  ): Promise<PracticeRetention> {
    const own = await settings.practice(executor, owner.practiceId);
    const partnerMonths = (await partnerView(executor, owner.partnerId)).evidenceRetentionMonths;
    const months = own?.evidence_retention_months ?? null;
    return {
      practiceId: owner.practiceId,
      evidenceRetentionMonths: months,
      partnerMonths,
      effectiveMonths: months ?? partnerMonths,
      ...BOUNDS,
    };
  }

  async function practiceOwner(actor: ActorContext, practiceId: string) {
    const owner = await authorize.practice(actor, practiceId);
    return { partnerId: owner.partnerId, practiceId };
  }

  return {
    async getPartner(actor: ActorContext, partnerId: string): Promise<PartnerRetention> {
      await authorize.partner(actor, partnerId);
      return partnerView(db, partnerId);
    },

    async setPartner(actor: ActorContext, partnerId: string, months: number): Promise<PartnerRetention> {
      await authorize.partner(actor, partnerId);
      return db.transaction().execute(async (trx) => {
        const before = await partnerView(trx, partnerId);
        await settings.setPartner(trx, partnerId, months, now(), byUser(actor));
        await audit.record(asExecutor(trx), actor, {
          action: 'partner.retention_update',
          targetType: 'partner',
          targetId: partnerId,
          details: { before: before.evidenceRetentionMonths, after: months, wasDefault: before.isDefault },
        });
        return partnerView(trx, partnerId);
      });
    },

    async getPractice(actor: ActorContext, practiceId: string): Promise<PracticeRetention> {
      return practiceView(db, await practiceOwner(actor, practiceId));
    },

    /** Sets the practice's own retention; null removes it so the partner's applies again. */
    async setPractice(actor: ActorContext, practiceId: string, months: number | null): Promise<PracticeRetention> {
      const owner = await practiceOwner(actor, practiceId);
      return db.transaction().execute(async (trx) => {
        const before = await practiceView(trx, owner);
        if (months === null) await settings.clearPractice(trx, practiceId);
        else await settings.setPractice(trx, practiceId, months, now(), byUser(actor));
        const after = await practiceView(trx, owner);
        await audit.record(asExecutor(trx), actor, {
          action: 'practice.retention_update',
          targetType: 'practice',
          targetId: practiceId,
          details: {
            before: before.evidenceRetentionMonths,
            after: after.evidenceRetentionMonths,
            effectiveBefore: before.effectiveMonths,
            effectiveAfter: after.effectiveMonths,
          },
        });
        return after;
      });
    },

    async listRuns(actor: ActorContext, practiceId: string): Promise<RetentionRunList> {
      await authorize.practice(actor, practiceId);
      const found = await runs.listOfPractice(db, practiceId);
      return {
        items: found.runs.map((run) => ({
          id: run.id,
          practiceId: run.practice_id,
          month: run.month,
          state: run.state,
          retentionMonths: run.retention_months,
          blockedAt: run.blocked_at?.toISOString() ?? null,
          purgedAt: run.purged_at?.toISOString() ?? null,
          purgedCount: Number(run.purged_count),
          keptCount: Number(run.kept_count),
          packetSha256: run.packet_sha256,
          appliances: found.appliances
            .filter((a) => a.run_id === run.id)
            .map((a) => ({
              applianceId: a.appliance_id,
              purgedCount: Number(a.purged_count),
              keptCount: Number(a.kept_count),
              lastPurgedSeq: a.last_purged_seq === null ? null : Number(a.last_purged_seq),
              lastPurgedHash: a.last_purged_hash,
            })),
        })),
      };
    },
  };
}

export type RetentionService = ReturnType<typeof createRetentionService>;
