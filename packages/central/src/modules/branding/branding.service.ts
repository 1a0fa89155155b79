import type { PartnerBranding, PartnerBrandingUpdateRequest } from '@osiris/protocol';
import type { Kysely } from 'kysely';
import type { Authorizer } from '../../platform/authorize';
import type { ActorContext, Executor } from '../../platform/context';
import type { DB } from '../../platform/db-schema';
import { notFound } from '../../platform/errors';
import type { AuditService } from '../audit';
import type { BrandingRow, BrandingStore } from './branding.store';
import { checkLogo } from './logo';

function toBranding(row: BrandingRow): PartnerBranding {
  return {
    partnerId: row.id,
    brandName: row.brand_name,
    color: row.brand_color,
    hasLogo: row.logo_type !== null,
    logoUrl: row.logo_type === null ? null : `/v1/partners/${row.id}/logo?v=${row.logo_version ?? ''}`,
  };
}

/** The logo as the audit log records it: its type, size and digest, never the bytes. */
const logoSummary = (row: BrandingRow) =>
  row.logo_type ? { type: row.logo_type, sizeBytes: row.logo_size_bytes, version: row.logo_version } : null;

/**
 * A partner's brand name, colour and logo. Its own people change them; the practice face shows
 * them, so a practice's people and auditors read the branding of their practice's partner.
 */
export function createBrandingService(deps: {
  db: Kysely<DB>;
  store: BrandingStore;
  audit: AuditService;
  authorize: Authorizer;
  now: () => Date;
}) {
  const { db, store, audit, authorize, now } = deps;

  /**
   * Platform staff read every partner, partner people their own (authorize.partner); a practice's
   * people and auditors only the partner their practice belongs to. Anything else is NOT_FOUND.
   */
  async function authorizeRead(actor: ActorContext, partnerId: string): Promise<void> {
    const principal = actor.principal;
    if (principal?.kind === 'practice' || principal?.kind === 'auditor') {
      if (principal.partnerId !== partnerId) throw notFound('Partner');
      return;
    }
    await authorize.partner(actor, partnerId);
  }

  async function requireBranding(executor: Executor, partnerId: string, lock = false): Promise<BrandingRow> {
    const row = lock ? await store.getForUpdate(executor, partnerId) : await store.get(executor, partnerId);
    if (!row) throw notFound('Partner');
    return row;
  }

  /** Changes one partner's branding in a transaction, audited with the branding before and after. */
  async function change(
    actor: ActorContext,
    partnerId: string,
    action: string,
    apply: (trx: Executor, before: BrandingRow) => Promise<void>,
    auditDetails: (before: BrandingRow, after: BrandingRow) => Record<string, unknown>,
  ): Promise<PartnerBranding> {
    await authorize.partner(actor, partnerId);
    return db.transaction().execute(async (trx) => {
      const before = await requireBranding(trx, partnerId, true);
      await apply(trx, before);
      const after = await requireBranding(trx, partnerId);
      await audit.record(trx, actor, {
        action,
        targetType: 'partner',
        targetId: partnerId,
        details: auditDetails(before, after),
      });
      return toBranding(after);
    });
  }

  return {
    async get(actor: ActorContext, partnerId: string): Promise<PartnerBranding> {
      await authorizeRead(actor, partnerId);
      return toBranding(await requireBranding(db, partnerId));
    },

    update(actor: ActorContext, partnerId: string, input: PartnerBrandingUpdateRequest): Promise<PartnerBranding> {
      return change(
        actor,
        partnerId,
        'partner.branding_update',
        (trx) => store.update(trx, partnerId, { brand_name: input.brandName, brand_color: input.color }, now()),
        (before, after) => ({
          before: { brandName: before.brand_name, color: before.brand_color },
          after: { brandName: after.brand_name, color: after.brand_color },
        }),
      );
    },

    /** A new logo; `body` is the raw upload, checked against its declared type by its first bytes. */
    setLogo(
      actor: ActorContext,
      partnerId: string,
      upload: { declaredType: string | undefined; body: unknown },
    ): Promise<PartnerBranding> {
      return change(
        actor,
        partnerId,
        'partner.logo_update',
        async (trx) => {
          const logo = checkLogo(upload.declaredType, upload.body);
          await store.setLogo(trx, partnerId, { logo_type: logo.type, logo: logo.bytes }, now());
        },
        (before, after) => ({ before: logoSummary(before), after: logoSummary(after) }),
      );
    },

    removeLogo(actor: ActorContext, partnerId: string): Promise<PartnerBranding> {
      return change(
        actor,
        partnerId,
        'partner.logo_delete',
        async (trx, before) => {
          if (!before.logo_type) throw notFound('Logo');
          await store.setLogo(trx, partnerId, { logo_type: null, logo: null }, now());
        },
        (before) => ({ before: logoSummary(before), after: null }),
      );
    },

    async getLogo(actor: ActorContext, partnerId: string): Promise<{ type: string; bytes: Buffer }> {
      await authorizeRead(actor, partnerId);
      const row = await store.logo(db, partnerId);
      if (!row?.logo || !row.logo_type) throw notFound('Logo');
      return { type: row.logo_type, bytes: row.logo };
    },
  };
}

export type BrandingService = ReturnType<typeof createBrandingService>;
