import { sql } from 'kysely';
import type { Executor } from '../../platform/context';

/** Columns of a packet without its bytes, the month as `YYYY-MM`. */
const SUMMARY = [
  'compliance_packets.id',
  'compliance_packets.partner_id',
  'compliance_packets.practice_id',
  sql<string>`to_char(compliance_packets.month, 'YYYY-MM')`.as('month'),
  'compliance_packets.sha256',
  'compliance_packets.pages',
  sql<number>`octet_length(compliance_packets.pdf)`.as('size_bytes'),
  'compliance_packets.created_at',
  'compliance_packets.created_by',
] as const;

/** The owning store of `compliance_packets`. */
export function createPacketsStore() {
  const summaries = (db: Executor) => db.selectFrom('compliance_packets').select(SUMMARY);

  return {
    /** Stores a packet unless the practice has one for that month already; returns whether it did. */
    async insert(
      db: Executor,
      row: {
        id: string;
        partnerId: string;
        practiceId: string;
        monthStart: string;
        pdf: Buffer;
        sha256: string;
        pages: number;
        createdAt: Date;
        createdBy: string | null;
      },
    ): Promise<boolean> {
      const inserted = await db
        .insertInto('compliance_packets')
        .values({
          id: row.id,
          partner_id: row.partnerId,
          practice_id: row.practiceId,
          month: row.monthStart,
          pdf: row.pdf,
          sha256: row.sha256,
          pages: row.pages,
          created_at: row.createdAt,
          created_by: row.createdBy,
        })
        .onConflict((oc) => oc.columns(['practice_id', 'month']).doNothing())
        .returning('id')
        .executeTakeFirst();
      return inserted !== undefined;
    },

    listOfPractice: (db: Executor, practiceId: string) =>
      summaries(db)
        .where('compliance_packets.practice_id', '=', practiceId)
        .orderBy('compliance_packets.month', 'desc')
        .execute(),

    byMonth: (db: Executor, practiceId: string, monthStart: string) =>
      summaries(db)
        .where('compliance_packets.practice_id', '=', practiceId)
        .where('compliance_packets.month', '=', monthStart)
        .executeTakeFirst(),

    byId: (db: Executor, id: string) => summaries(db).where('compliance_packets.id', '=', id).executeTakeFirst(),

    pdf: (db: Executor, id: string) =>
      db
        .selectFrom('compliance_packets')
        .innerJoin('practices', 'practices.id', 'compliance_packets.practice_id')
        .select([
          'compliance_packets.pdf',
          sql<string>`to_char(compliance_packets.month, 'YYYY-MM')`.as('month'),
          'practices.name as practice_name',
        ])
        .where('compliance_packets.id', '=', id)
        .executeTakeFirst(),

    /** Practices with an appliance registered before `before` and no packet for the month yet. */
    practicesDue: (db: Executor, monthStart: string, before: Date) =>
      db
        .selectFrom('practices')
        .select('practices.id')
        .where((eb) =>
          eb.exists(
            eb
              .selectFrom('appliances')
              .innerJoin('sites', 'sites.id', 'appliances.site_id')
              .select(sql`1`.as('one'))
              .whereRef('sites.practice_id', '=', 'practices.id')
              .where('appliances.registered_at', '<', before),
          ),
        )
        .where((eb) =>
          eb.not(
            eb.exists(
              eb
                .selectFrom('compliance_packets')
                .select(sql`1`.as('one'))
                .whereRef('compliance_packets.practice_id', '=', 'practices.id')
                .where('compliance_packets.month', '=', monthStart),
            ),
          ),
        )
        .orderBy('practices.id')
        .execute(),
  };
}

export type PacketsStore = ReturnType<typeof createPacketsStore>;
export type PacketSummaryRow = NonNullable<Awaited<ReturnType<PacketsStore['byId']>>>;
