import type { ActorContext, Executor } from '../../platform/context';
import { AppError } from '../../platform/errors';
import type { AuditService } from '../audit';
import type { AccountsStore, InvitationRow } from './accounts.store';

/**
 * Revokes an invitation already found (and authorized) by the caller, inside its transaction:
 * one used or revoked before is a conflict; the revocation is audited. Shared by the platform
 * admin's invitations and those of partners and practices.
 */
export async function revokeInvitationRow(
  deps: { store: AccountsStore; audit: Pick<AuditService, 'record'> },
  trx: Executor,
  actor: ActorContext,
  row: InvitationRow,
  at: Date,
): Promise<InvitationRow> {
  if (row.accepted_at || row.revoked_at) throw new AppError('CONFLICT', 'The invitation was already used or revoked');
  const updated = await deps.store.updateInvitation(trx, row.id, { revoked_at: at });
  await deps.audit.record(trx, actor, {
    action: 'invitation.revoke',
    targetType: 'invitation',
    targetId: row.id,
    ...(row.partner_id || row.practice_id
      ? { details: { email: row.email, role: row.role, partnerId: row.partner_id, practiceId: row.practice_id } }
      : {}),
  });
  return updated ?? row;
}
