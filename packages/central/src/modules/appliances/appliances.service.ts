import { randomInt } from 'node:crypto';
import type {
  Appliance,
  ApplianceListQuery,
  ProvisionCode,
  ProvisionCodeCreateRequest,
  ProvisionCodeListQuery,
} from '@osiris/protocol';
import type { Kysely } from 'kysely';
import type { Authorizer } from '../../platform/authorize';
import type { ActorContext, Executor } from '../../platform/context';
import type { DB } from '../../platform/db-schema';
import { AppError, notFound } from '../../platform/errors';
import { newId } from '../../platform/ids';
import { decodeCursor, toPage } from '../../platform/pagination';
import type { Keyring } from '../../platform/secrets';
import type { AuditService } from '../audit';
import type { SitesService } from '../sites';
import { type AppliancesStore, toAppliance, toProvisionCode } from './appliances.store';

/** No 0/O, 1/I: a code is read off a screen and typed on an appliance console. */
const CODE_ALPHABET = 'ABCDEFGHJKLMNPQRSTUVWXYZ23456789';

/** 16 characters from 32 symbols: 80 random bits, grouped XXXX-XXXX-XXXX-XXXX. */
function newProvisionCode(): string {
  const chars = Array.from({ length: 16 }, () => CODE_ALPHABET[randomInt(CODE_ALPHABET.length)]);
  return [0, 4, 8, 12].map((i) => chars.slice(i, i + 4).join('')).join('-');
}

export function createAppliancesService(deps: {
  db: Kysely<DB>;
  store: AppliancesStore;
  audit: AuditService;
  keyring: Keyring;
  sites: Pick<SitesService, 'require'>;
  authorize: Authorizer;
  now: () => Date;
}) {
  const { db, store, audit, keyring, sites, authorize, now } = deps;

  return {
    async listAppliances(actor: ActorContext, siteId: string, query: ApplianceListQuery) {
      await authorize.site(actor, siteId);
      return toPage(
        await store.listAppliances(db, siteId, query, decodeCursor(query.cursor)),
        query.limit,
        toAppliance,
      );
    },

    /** One appliance, for a caller within its reach. */
    async get(actor: ActorContext, id: string): Promise<Appliance> {
      await authorize.appliance(actor, id);
      const row = await store.applianceById(db, id);
      if (!row) throw notFound('Appliance');
      return toAppliance(row);
    },

    /** For other modules (which authorized the caller already): the appliance or NOT_FOUND. */
    async getAppliance(id: string): Promise<Appliance> {
      const row = await store.applianceById(db, id);
      if (!row) throw notFound('Appliance');
      return toAppliance(row);
    },

    /** For the evidence module: the appliance's pinned public key (base64url) and its site. */
    async identityOf(trx: Executor, id: string): Promise<{ publicKey: string; siteId: string }> {
      const row = await store.applianceById(trx, id);
      if (!row) throw notFound('Appliance');
      return { publicKey: row.public_key, siteId: row.site_id };
    },

    /** Mark an appliance for attention (it sent evidence that failed verification). Audited. */
    async flag(actor: ActorContext, id: string, reason: Record<string, unknown>): Promise<void> {
      await db.transaction().execute(async (trx) => {
        await store.setApplianceStatus(trx, id, 'flagged');
        await audit.record(trx, actor, {
          action: 'security.evidence_refused',
          outcome: 'denied',
          targetType: 'appliance',
          targetId: id,
          details: reason,
        });
      });
    },

    /** A new single-use code for a site; the code itself is returned here only. */
    async createProvisionCode(
      actor: ActorContext,
      siteId: string,
      input: ProvisionCodeCreateRequest,
    ): Promise<{ provisionCode: ProvisionCode; code: string }> {
      await authorize.site(actor, siteId);
      const code = newProvisionCode();
      return db.transaction().execute(async (trx) => {
        await sites.require(trx, siteId);
        const at = now();
        const row = await store.insertProvisionCode(trx, {
          id: newId(),
          site_id: siteId,
          code_hash: keyring.hashToken(code),
          created_by: actor.actorId,
          expires_at: new Date(at.getTime() + input.expiresInHours * 3600_000),
          created_at: at,
        });
        await audit.record(trx, actor, {
          action: 'provision_code.create',
          targetType: 'provision_code',
          targetId: row.id,
          details: { siteId, expiresAt: row.expires_at.toISOString() },
        });
        return { provisionCode: toProvisionCode(row, at), code };
      });
    },

    async listProvisionCodes(actor: ActorContext, siteId: string, query: ProvisionCodeListQuery) {
      await authorize.site(actor, siteId);
      const at = now();
      const rows = await store.listProvisionCodes(db, siteId, query, decodeCursor(query.cursor), at);
      return toPage(rows, query.limit, (row) => toProvisionCode(row, at));
    },

    async revokeProvisionCode(actor: ActorContext, id: string): Promise<ProvisionCode> {
      return db.transaction().execute(async (trx) => {
        const row = await store.provisionCodeForUpdate(trx, id);
        if (!row) throw notFound('Provision code');
        await authorize.site(actor, row.site_id, trx).catch(() => {
          throw notFound('Provision code');
        });
        const at = now();
        if (toProvisionCode(row, at).state !== 'pending') {
          throw new AppError('CONFLICT', 'Only a pending provision code can be revoked');
        }
        const revoked = await store.revokeProvisionCode(trx, id, at);
        await audit.record(trx, actor, {
          action: 'provision_code.revoke',
          targetType: 'provision_code',
          targetId: id,
          details: { siteId: row.site_id },
        });
        return toProvisionCode(revoked, at);
      });
    },
  };
}

export type AppliancesService = ReturnType<typeof createAppliancesService>;
