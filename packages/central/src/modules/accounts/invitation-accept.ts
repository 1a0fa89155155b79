import type { Insertable } from 'kysely';
import type { ActorContext, Executor } from '../../platform/context';
import type { UsersTable } from '../../platform/db-schema';
import { newId } from '../../platform/ids';
import type { AuditService } from '../audit';
import type { AccountsStore, InvitationRow, UserRow } from './accounts.store';

/**
 * The one way an invitation becomes an account, whatever proved the address (a password chosen
 * on the accept page, an emailed link, an OIDC sign-in): the user is created with the invitation's
 * email, role and partner or practice, the invitation is marked accepted, and it is audited in the
 * caller's transaction.
 */
export async function acceptInvitationAs(
  deps: { store: AccountsStore; audit: AuditService },
  trx: Executor,
  actor: ActorContext,
  invitation: InvitationRow,
  user: { name: string; at: Date } & Pick<
    Insertable<UsersTable>,
    'password_hash' | 'password_changed_at' | 'oidc_issuer' | 'oidc_subject'
  >,
): Promise<UserRow> {
  const { at, ...fields } = user;
  const row = await deps.store.insertUser(trx, {
    id: newId(),
    email: invitation.email,
    role: invitation.role,
    partner_id: invitation.partner_id,
    practice_id: invitation.practice_id,
    password_changed_at: at,
    created_at: at,
    updated_at: at,
    ...fields,
  });
  await deps.store.updateInvitation(trx, invitation.id, { accepted_at: at, accepted_user_id: row.id });
  await deps.audit.record(
    trx,
    { ...actor, actorType: 'user', actorId: row.id, actorLabel: row.email },
    {
      action: 'invitation.accept',
      targetType: 'user',
      targetId: row.id,
      details: {
        invitationId: invitation.id,
        role: invitation.role,
        partnerId: invitation.partner_id,
        practiceId: invitation.practice_id,
      },
    },
  );
  return row;
}
