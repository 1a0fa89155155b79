import type { MemberInvitation, PracticeRole } from '@osiris/protocol';
import type { Kysely } from 'kysely';
import { practiceRank } from '../../platform/access';
import type { Authorizer } from '../../platform/authorize';
import type { ActorContext } from '../../platform/context';
import type { DB } from '../../platform/db-schema';
import { AppError, notFound } from '../../platform/errors';
import type { AuditService } from '../audit';
import type { AccountsStore, InvitationRow } from './accounts.store';
import { revokeInvitationRow } from './invitation-revoke';
import { rankOver, toMemberInvitation } from './members.service';

type Scope = { partnerId: string } | { practiceId: string };

const belongsTo = (row: InvitationRow, scope: Scope) =>
  'partnerId' in scope ? row.partner_id === scope.partnerId : row.practice_id === scope.practiceId;

/**
 * The pending invitations of a partner or a practice, and revoking one. Every call is authorized
 * by its partner or practice first; an invitation of another tenant is answered as missing.
 */
export function createMemberInvitationsService(deps: {
  db: Kysely<DB>;
  store: AccountsStore;
  audit: Pick<AuditService, 'record'>;
  authorize: Authorizer;
  now: () => Date;
}) {
  const { db, store, audit, authorize, now } = deps;

  const pending = async (scope: Scope): Promise<{ items: MemberInvitation[] }> => ({
    items: (await store.pendingInvitationsOf(db, scope, now())).map(toMemberInvitation),
  });

  async function revoke(
    actor: ActorContext,
    scope: Scope,
    invitationId: string,
    mayRevoke: (row: InvitationRow) => boolean,
  ): Promise<void> {
    await db.transaction().execute(async (trx) => {
      const row = await store.invitationById(trx, invitationId);
      if (!row || !belongsTo(row, scope)) throw notFound('Invitation');
      if (!mayRevoke(row)) throw new AppError('FORBIDDEN', 'You can revoke only invitations to roles below your own');
      await revokeInvitationRow({ store, audit }, trx, actor, row, now());
    });
  }

  return {
    async listPartnerInvitations(actor: ActorContext, partnerId: string) {
      await authorize.partner(actor, partnerId);
      return pending({ partnerId });
    },

    async listPracticeInvitations(actor: ActorContext, practiceId: string) {
      await authorize.practice(actor, practiceId);
      return pending({ practiceId });
    },

    async revokePartnerInvitation(actor: ActorContext, partnerId: string, invitationId: string): Promise<void> {
      await authorize.partner(actor, partnerId);
      await revoke(actor, { partnerId }, invitationId, () => true);
    },

    /** Practice people revoke only invitations to roles below their own, as they invite. */
    async revokePracticeInvitation(actor: ActorContext, practiceId: string, invitationId: string): Promise<void> {
      await authorize.practice(actor, practiceId);
      const rank = rankOver(actor.principal);
      await revoke(actor, { practiceId }, invitationId, (row) => practiceRank(row.role as PracticeRole) < rank);
    },
  };
}

export type MemberInvitationsService = ReturnType<typeof createMemberInvitationsService>;
