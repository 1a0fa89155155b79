import { createHash } from 'node:crypto';
import type {
  CompliancePacket,
  CompliancePacketList,
  FrameworkScore,
  PartnerBranding,
  ScoreHistory,
} from '@osiris/protocol';
import type { BaseLogger } from 'pino';
import type { Kysely } from 'kysely';
import type { Authorizer } from '../../platform/authorize';
import { type ActorContext, SYSTEM_ACTOR } from '../../platform/context';
import type { DB } from '../../platform/db-schema';
import { AppError, notFound } from '../../platform/errors';
import { newId } from '../../platform/ids';
import type { AuditService } from '../audit';
import { gatherPacketContent, type PacketBranding } from './packet-content';
import { monthWindow, previousMonth } from './packet-month';
import { renderPacketPdf } from './packet-pdf';
import type { PacketSourcesStore } from './packet-sources.store';
import type { PacketSummaryRow, PacketsStore } from './packets.store';

const DAY_MS = 86_400_000;

/** What packets read from other modules (compliance, branding), passed in by app.ts. */
export interface PacketInputs {
  /** The practice's scores per selected framework as of a moment. */
  computePractice: (practiceId: string, at: Date) => Promise<FrameworkScore[]>;
  /** The practice's daily snapshots of the last `days` days. */
  practiceHistory: (practiceId: string, days: number) => Promise<ScoreHistory>;
  branding: (partnerId: string) => Promise<PartnerBranding>;
  logo: (partnerId: string) => Promise<{ type: string; bytes: Buffer }>;
}

const toPacket = (row: PacketSummaryRow): CompliancePacket => ({
  id: row.id,
  practiceId: row.practice_id,
  month: row.month,
  sha256: row.sha256,
  sizeBytes: Number(row.size_bytes),
  pages: row.pages,
  createdAt: row.created_at.toISOString(),
  createdBy: row.created_by,
});

/**
 * Monthly compliance packets: one PDF per practice and month, made once (by the monthly job or
 * on demand) and kept as made, so a packet handed to an auditor can be fetched again unchanged.
 */
export function createPacketsService(
  deps: {
    db: Kysely<DB>;
    store: PacketsStore;
    sources: PacketSourcesStore;
    audit: AuditService;
    authorize: Authorizer;
    log?: Pick<BaseLogger, 'error'> | undefined;
    now: () => Date;
  } & PacketInputs,
) {
  const { db, store, audit, authorize, now } = deps;

  async function brandingOf(partnerId: string): Promise<PacketBranding> {
    const branding = await deps.branding(partnerId);
    const logo = branding.hasLogo ? await deps.logo(partnerId) : null;
    return { brandName: branding.brandName, color: branding.color, logo };
  }

  async function history(practiceId: string, since: string) {
    const days = Math.floor((now().getTime() - Date.parse(`${since}T00:00:00Z`)) / DAY_MS) + 2;
    const found = await deps.practiceHistory(practiceId, days);
    return found.items.filter((item) => item.day >= since);
  }

  /** Makes and stores the packet unless one exists; answers the stored one either way. */
  async function make(
    actor: ActorContext,
    owner: { partnerId: string; practiceId: string },
    month: string,
  ): Promise<{ packet: CompliancePacket; isNew: boolean }> {
    const monthStart = `${month}-01`;
    const existing = await store.byMonth(db, owner.practiceId, monthStart);
    if (existing) return { packet: toPacket(existing), isNew: false };
    const content = await gatherPacketContent(
      {
        db,
        sources: deps.sources,
        computePractice: deps.computePractice,
        history,
        branding: brandingOf,
      },
      owner.practiceId,
      month,
      now(),
    );
    const { pdf, pages } = await renderPacketPdf(content);
    const id = newId();
    const sha256 = createHash('sha256').update(pdf).digest('hex');
    const createdBy = actor.actorType === 'user' ? actor.actorId : null;
    const isNew = await db.transaction().execute(async (trx) => {
      const inserted = await store.insert(trx, {
        id,
        partnerId: owner.partnerId,
        practiceId: owner.practiceId,
        monthStart,
        pdf,
        sha256,
        pages,
        createdAt: now(),
        createdBy,
      });
      if (inserted)
        await audit.record(trx, actor, {
          action: 'packet.create',
          targetType: 'practice',
          targetId: owner.practiceId,
          details: { packetId: id, month, sha256, pages, sizeBytes: pdf.length },
        });
      return inserted;
    });
    // Another request or the job stored the month first: theirs is the packet.
    const stored = await store.byMonth(db, owner.practiceId, monthStart);
    if (!stored) throw new Error('packet vanished after insert');
    return { packet: toPacket(stored), isNew };
  }

  return {
    async list(actor: ActorContext, practiceId: string): Promise<CompliancePacketList> {
      await authorize.practice(actor, practiceId);
      return { items: (await store.listOfPractice(db, practiceId)).map(toPacket) };
    },

    /** On demand, for a month that is over; a month already made answers the stored packet. */
    async create(actor: ActorContext, practiceId: string, month: string) {
      const owner = await authorize.practice(actor, practiceId);
      if (monthWindow(month).end > now())
        throw new AppError('VALIDATION_FAILED', 'A packet can be made only for a month that is over', {
          details: { issues: [{ path: ['month'], message: 'the month is not over yet' }] },
        });
      return make(actor, { partnerId: owner.partnerId, practiceId }, month);
    },

    async pdf(actor: ActorContext, id: string): Promise<{ bytes: Buffer; filename: string }> {
      await authorize.packet(actor, id);
      const row = await store.pdf(db, id);
      if (!row) throw notFound('Packet');
      const name = row.practice_name.replace(/[^A-Za-z0-9._-]+/g, '-').replace(/^-+|-+$/g, '') || 'practice';
      return { bytes: row.pdf, filename: `compliance-packet-${name}-${row.month}.pdf` };
    },

    /**
     * The monthly job: on or after the 1st, the previous month's packet for every practice that had
     * an appliance by that month's end and has none for it yet. Returns how many it made.
     */
    async makeMonthly(): Promise<number> {
      const month = previousMonth(now());
      const window = monthWindow(month);
      let made = 0;
      for (const practice of await store.practicesDue(db, `${month}-01`, window.end)) {
        try {
          const owner = await authorize.practice(SYSTEM_ACTOR, practice.id);
          if ((await make(SYSTEM_ACTOR, { partnerId: owner.partnerId, practiceId: practice.id }, month)).isNew) made++;
        } catch (error) {
          deps.log?.error({ err: error, practiceId: practice.id, month }, 'monthly packet failed');
        }
      }
      return made;
    },
  };
}

export type PacketsService = ReturnType<typeof createPacketsService>;
