import type { PracticeTransfer, PracticeTransferCreateRequest, PracticeTransferListQuery } from '@osiris/protocol';
import type { Kysely } from 'kysely';
import type { Authorizer } from '../../platform/authorize';
import type { ActorContext, Executor } from '../../platform/context';
import { translateConstraintErrors } from '../../platform/db-errors';
import type { DB } from '../../platform/db-schema';
import { AppError, notFound } from '../../platform/errors';
import { newId } from '../../platform/ids';
import { decodeCursor, toPage } from '../../platform/pagination';
import type { AuditService } from '../audit';
import type { EmailService } from '../email';
import type { PartnersService } from '../partners';
import { type TransfersStore, toTransfer } from './transfers.store';

const onePending = () => new AppError('CONFLICT', 'The practice already has a pending transfer request');

const badTarget = (message: string) =>
  new AppError('VALIDATION_FAILED', 'Invalid body', {
    details: { issues: [{ path: ['toPartnerId'], message, code: 'custom' }] },
  });

const userId = (actor: ActorContext) => (actor.actorType === 'user' ? actor.actorId : null);

/**
 * Practice transfers: a practice's owner (or platform staff) asks to move the practice to another
 * partner; a platform admin approves, which moves it, or rejects. The owner is told by email.
 */
export function createTransfersService(deps: {
  db: Kysely<DB>;
  store: TransfersStore;
  audit: AuditService;
  authorize: Authorizer;
  partners: Pick<PartnersService, 'require' | 'findBySlug'>;
  email: Pick<EmailService, 'enqueue' | 'wake'>;
  now: () => Date;
}) {
  const { db, store, audit, authorize, partners, email, now } = deps;

  /** The partner, or a validation error on toPartnerId (missing and not active look alike). */
  async function activePartner(trx: Executor, partnerId: string) {
    const partner = await partners.require(trx, partnerId).catch((error: unknown) => {
      if (error instanceof AppError && error.code === 'NOT_FOUND') return null;
      throw error;
    });
    if (partner?.status !== 'active') throw badTarget('no active partner has this id');
    return partner;
  }

  /** The destination named by slug: an active partner, else PARTNER_NOT_FOUND (unknown and unapproved look alike). */
  async function activePartnerBySlug(trx: Executor, slug: string, currentPartnerId: string) {
    const partner = await partners.findBySlug(trx, slug);
    if (partner?.status !== 'active')
      throw new AppError('PARTNER_NOT_FOUND', `No approved partner has the slug "${slug}"`, {
        details: {
          issues: [{ path: ['toPartnerSlug'], message: 'no approved partner has this slug', code: 'custom' }],
        },
      });
    if (partner.id === currentPartnerId)
      throw new AppError('TRANSFER_SAME_PARTNER', `The practice already belongs to ${partner.name}`, {
        details: { issues: [{ path: ['toPartnerSlug'], message: 'the practice already belongs to this partner' }] },
      });
    return partner.id;
  }

  /** The destination's id, by id or by slug (the schema lets through exactly one). */
  async function destination(trx: Executor, input: PracticeTransferCreateRequest, currentPartnerId: string) {
    if (input.toPartnerSlug !== undefined) return activePartnerBySlug(trx, input.toPartnerSlug, currentPartnerId);
    const toPartnerId = input.toPartnerId ?? '';
    if (toPartnerId === currentPartnerId) throw badTarget('the practice already belongs to this partner');
    await activePartner(trx, toPartnerId);
    return toPartnerId;
  }

  async function lockPractice(trx: Executor, practiceId: string) {
    const practice = await store.lockPractice(trx, practiceId);
    if (!practice) throw notFound('Practice');
    return practice;
  }

  type Decision = { state: 'approved' | 'rejected'; note: string | null };

  async function decide(actor: ActorContext, id: string, decision: Decision): Promise<PracticeTransfer> {
    const decided = await db.transaction().execute(async (trx) => {
      const pending = await store.getForUpdate(trx, id);
      if (!pending) throw notFound('Transfer request');
      if (pending.state !== 'pending') throw new AppError('CONFLICT', `The request was already ${pending.state}`);
      const practice = await lockPractice(trx, pending.practice_id);
      const from = await partners.require(trx, pending.from_partner_id);
      const to = await partners.require(trx, pending.to_partner_id);
      const isApproved = decision.state === 'approved';
      if (isApproved) {
        if (practice.partner_id !== pending.from_partner_id)
          throw new AppError('CONFLICT', 'The practice changed partner since the request; reject it');
        if (to.status !== 'active') throw new AppError('CONFLICT', 'The partner to move to is no longer active');
        await store.movePractice(trx, practice.id, to.id, now());
      }
      const row = await store.decide(trx, id, {
        state: decision.state,
        decided_by: userId(actor),
        decided_at: now(),
        decision_note: decision.note,
      });
      await audit.record(trx, actor, {
        action: isApproved ? 'practice.transfer_approve' : 'practice.transfer_reject',
        targetType: 'practice_transfer',
        targetId: id,
        details: { practiceId: practice.id, fromPartnerId: from.id, toPartnerId: to.id, note: decision.note },
      });
      const owner = await store.practiceOwnerEmail(trx, practice.id);
      if (owner) {
        await email.enqueue(trx, {
          to: owner,
          template: 'practice_transfer_decided',
          data: {
            practiceName: practice.name,
            fromPartnerName: from.name,
            toPartnerName: to.name,
            isApproved,
            note: decision.note,
          },
        });
      }
      return row;
    });
    email.wake();
    return toTransfer(decided);
  }

  return {
    async request(
      actor: ActorContext,
      practiceId: string,
      input: PracticeTransferCreateRequest,
    ): Promise<PracticeTransfer> {
      await authorize.practice(actor, practiceId);
      const row = await translateConstraintErrors(
        () =>
          db.transaction().execute(async (trx) => {
            const practice = await lockPractice(trx, practiceId);
            const toPartnerId = await destination(trx, input, practice.partner_id);
            if (await store.pendingFor(trx, practiceId)) throw onePending();
            const created = await store.insert(trx, {
              id: newId(),
              practice_id: practiceId,
              from_partner_id: practice.partner_id,
              to_partner_id: toPartnerId,
              reason: input.reason,
              state: 'pending',
              requested_by: userId(actor),
              requested_at: now(),
            });
            await audit.record(trx, actor, {
              action: 'practice.transfer_request',
              targetType: 'practice_transfer',
              targetId: created.id,
              details: {
                practiceId,
                fromPartnerId: practice.partner_id,
                toPartnerId,
                reason: input.reason,
              },
            });
            return created;
          }),
        { unique: onePending },
      );
      return toTransfer(row);
    },

    async listForPractice(actor: ActorContext, practiceId: string): Promise<{ items: PracticeTransfer[] }> {
      await authorize.practice(actor, practiceId);
      return { items: (await store.listForPractice(db, practiceId)).map(toTransfer) };
    },

    /** The owner (or platform staff) withdraws a pending request; a decided one stays as it is. */
    async cancel(actor: ActorContext, practiceId: string, requestId: string): Promise<PracticeTransfer> {
      await authorize.practice(actor, practiceId);
      const row = await db.transaction().execute(async (trx) => {
        const pending = await store.getForUpdate(trx, requestId);
        if (!pending || pending.practice_id !== practiceId) throw notFound('Transfer request');
        if (pending.state !== 'pending') throw new AppError('CONFLICT', `The request was already ${pending.state}`);
        const cancelled = await store.decide(trx, requestId, {
          state: 'cancelled',
          decided_by: userId(actor),
          decided_at: now(),
          decision_note: null,
        });
        await audit.record(trx, actor, {
          action: 'practice.transfer_cancel',
          targetType: 'practice_transfer',
          targetId: requestId,
          details: { practiceId, fromPartnerId: pending.from_partner_id, toPartnerId: pending.to_partner_id },
        });
        return cancelled;
      });
      return toTransfer(row);
    },

    /** Every request (platform staff: the route allows no one else). */
    async list(query: PracticeTransferListQuery) {
      return toPage(await store.list(db, query, decodeCursor(query.cursor)), query.limit, toTransfer);
    },

    approve: (actor: ActorContext, id: string, note: string | undefined) =>
      decide(actor, id, { state: 'approved', note: note ?? null }),

    reject: (actor: ActorContext, id: string, note: string) => decide(actor, id, { state: 'rejected', note }),
  };
}

export type TransfersService = ReturnType<typeof createTransfersService>;
