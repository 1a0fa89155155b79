import { RETENTION_DEFAULT_MONTHS } from '@osiris/protocol';
import { sql } from 'kysely';
import type { RetentionExecutor as Executor } from './retention.tables';

/** The owning store of retention_partner_settings and retention_practice_settings. */
export function createRetentionSettingsStore() {
  return {
    partner: (db: Executor, partnerId: string) =>
      db
        .selectFrom('retention_partner_settings')
        .select(['evidence_retention_months', 'updated_at', 'updated_by'])
        .where('partner_id', '=', partnerId)
        .executeTakeFirst(),

    async setPartner(db: Executor, partnerId: string, months: number, at: Date, by: string | null): Promise<void> {
      await db
        .insertInto('retention_partner_settings')
        .values({ partner_id: partnerId, evidence_retention_months: months, updated_at: at, updated_by: by })
        .onConflict((oc) =>
          oc.column('partner_id').doUpdateSet({ evidence_retention_months: months, updated_at: at, updated_by: by }),
        )
        .execute();
    },

    practice: (db: Executor, practiceId: string) =>
      db
        .selectFrom('retention_practice_settings')
        .select(['evidence_retention_months', 'updated_at', 'updated_by'])
        .where('practice_id', '=', practiceId)
        .executeTakeFirst(),

    async setPractice(db: Executor, practiceId: string, months: number, at: Date, by: string | null): Promise<void> {
      await db
        .insertInto('retention_practice_settings')
        .values({ practice_id: practiceId, evidence_retention_months: months, updated_at: at, updated_by: by })
        .onConflict((oc) =>
          oc.column('practice_id').doUpdateSet({ evidence_retention_months: months, updated_at: at, updated_by: by }),
        )
        .execute();
    },

    async clearPractice(db: Executor, practiceId: string): Promise<void> {
      await db.deleteFrom('retention_practice_settings').where('practice_id', '=', practiceId).execute();
    },

    /** Every practice with the retention that applies to it: its own, else its partner's, else the default. */
    effectiveForAll: (db: Executor) =>
      db
        .selectFrom('practices')
        .leftJoin('retention_practice_settings as own', 'own.practice_id', 'practices.id')
        .leftJoin('retention_partner_settings as partner', 'partner.partner_id', 'practices.partner_id')
        .select([
          'practices.id',
          sql<number>`coalesce(own.evidence_retention_months, partner.evidence_retention_months, ${RETENTION_DEFAULT_MONTHS})`.as(
            'months',
          ),
        ])
        .orderBy('practices.id')
        .execute(),
  };
}

export type RetentionSettingsStore = ReturnType<typeof createRetentionSettingsStore>;
