import type {
  AuditorGrantRequest,
  LinkInvitationAcceptRequest,
  Member,
  MemberInvitation,
  PartnerInvitationRequest,
  PartnerRole,
  PracticeInvitationRequest,
  PracticeMemberUpdateRequest,
  PracticeRole,
} from '@osiris/protocol';
import { AUDITOR_MAX_DAYS } from '@osiris/protocol';
import type { Kysely } from 'kysely';
import { type Principal, practiceRank } from '../../platform/access';
import type { Authorizer } from '../../platform/authorize';
import type { ActorContext, Executor } from '../../platform/context';
import type { DB } from '../../platform/db-schema';
import { AppError, notFound } from '../../platform/errors';
import { newId, newToken } from '../../platform/ids';
import type { Keyring } from '../../platform/secrets';
import type { AuditService } from '../audit';
import type { EmailService } from '../email';
import type { PartnersService } from '../partners';
import type { PracticesService } from '../practices';
import type { AccountsStore, InvitationRow, UserRow } from './accounts.store';
import type { AuthService, IssuedSession } from './auth.service';
import { acceptInvitationAs } from './invitation-accept';

const PRACTICE_ROLES: readonly PracticeRole[] = ['practice_owner', 'practice_admin', 'practice_viewer'];
/** Platform staff and the partner's people stand above every practice role. */
const ABOVE_OWNER = 4;

function toMember(row: UserRow): Member {
  return {
    id: row.id,
    email: row.email,
    name: row.name,
    role: row.role as Member['role'],
    status: row.status as Member['status'],
    lastLoginAt: row.last_login_at?.toISOString() ?? null,
    createdAt: row.created_at.toISOString(),
    accessStartsAt: row.access_starts_at?.toISOString() ?? null,
    accessExpiresAt: row.access_expires_at?.toISOString() ?? null,
  };
}

export function toMemberInvitation(row: InvitationRow): MemberInvitation {
  return {
    id: row.id,
    email: row.email,
    role: row.role as MemberInvitation['role'],
    partnerId: row.partner_id,
    practiceId: row.practice_id,
    invitedBy: row.invited_by,
    expiresAt: row.expires_at.toISOString(),
    createdAt: row.created_at.toISOString(),
  };
}

/** How high the caller stands over a practice's people: owner 3 > admin 2 > viewer 1; staff and partner above all. */
export function rankOver(principal: Principal | null): number {
  if (!principal || principal.kind === 'auditor') return 0;
  return principal.kind === 'practice' ? practiceRank(principal.role) : ABOVE_OWNER;
}

const nameOf = (actor: ActorContext) => actor.actorLabel ?? 'Someone';

/**
 * The people of partners and practices (issue 5): invitations, roles under owner > admin >
 * viewer (a practice's owner is never removed, only replaced by a transfer of ownership), and
 * auditors with a time-limited, read-only grant. Every change is audited; every object is
 * authorized by its partner or practice first.
 */
export function createMembersService(deps: {
  db: Kysely<DB>;
  store: AccountsStore;
  audit: AuditService;
  authorize: Authorizer;
  email: Pick<EmailService, 'enqueue' | 'wake'>;
  auth: Pick<AuthService, 'startSession'>;
  partners: Pick<PartnersService, 'require'>;
  practices: Pick<PracticesService, 'require'>;
  keyring: Keyring;
  publicUrl: string;
  now: () => Date;
}) {
  const { db, store, audit, authorize, email, keyring, now } = deps;

  async function ensureAddressFree(trx: Executor, address: string, at: Date): Promise<void> {
    if (await store.userByEmail(trx, address)) throw new AppError('CONFLICT', 'A user with this email already exists');
    if (await store.pendingInvitationFor(trx, address, at))
      throw new AppError('CONFLICT', 'This email already has a pending invitation; revoke it first');
  }

  async function memberOf(
    trx: Executor,
    userId: string,
    scope: { partnerId: string } | { practiceId: string },
  ): Promise<UserRow> {
    const row = await store.userForUpdate(trx, userId);
    const belongs =
      row && ('partnerId' in scope ? row.partner_id === scope.partnerId : row.practice_id === scope.practiceId);
    if (!row || !belongs) throw notFound('Member');
    return row;
  }

  async function invite(
    trx: Executor,
    actor: ActorContext,
    input: { email: string; role: string; expiresInHours: number; partnerId: string | null; practiceId: string | null },
  ): Promise<{ row: InvitationRow; token: string }> {
    const at = now();
    await ensureAddressFree(trx, input.email, at);
    const token = newToken();
    const row = await store.insertInvitation(trx, {
      id: newId(),
      email: input.email,
      role: input.role,
      token_hash: keyring.hashToken(token),
      invited_by: actor.actorType === 'user' ? actor.actorId : null,
      expires_at: new Date(at.getTime() + input.expiresInHours * 3600_000),
      created_at: at,
      partner_id: input.partnerId,
      practice_id: input.practiceId,
    });
    await audit.record(trx, actor, {
      action: 'invitation.create',
      targetType: 'invitation',
      targetId: row.id,
      details: { email: input.email, role: input.role, partnerId: input.partnerId, practiceId: input.practiceId },
    });
    return { row, token };
  }

  return {
    async listPartnerMembers(actor: ActorContext, partnerId: string) {
      await authorize.partner(actor, partnerId);
      return { items: (await store.members(db, { partnerId })).map(toMember) };
    },

    /** Partner people accept by signing in with OpenID Connect as the invited address. */
    async invitePartnerMember(actor: ActorContext, partnerId: string, input: PartnerInvitationRequest) {
      await authorize.partner(actor, partnerId);
      const result = await db.transaction().execute(async (trx) => {
        const partner = await deps.partners.require(trx, partnerId);
        const { row } = await invite(trx, actor, { ...input, partnerId, practiceId: null });
        await email.enqueue(trx, {
          to: input.email,
          template: 'invitation',
          data: {
            link: `${deps.publicUrl}/partner/sign-in`,
            inviterName: nameOf(actor),
            organisationName: partner.name,
            role: input.role === 'partner_admin' ? 'partner admin' : 'technician',
            expiresHours: input.expiresInHours,
          },
        });
        return toMemberInvitation(row);
      });
      email.wake();
      return result;
    },

    async updatePartnerMember(actor: ActorContext, partnerId: string, userId: string, role: PartnerRole) {
      await authorize.partner(actor, partnerId);
      if (userId === actor.actorId) throw new AppError('CONFLICT', 'You cannot change your own role');
      return db.transaction().execute(async (trx) => {
        const before = await memberOf(trx, userId, { partnerId });
        if (
          before.role === 'partner_admin' &&
          role !== 'partner_admin' &&
          (await store.countPartnerAdmins(trx, partnerId)) <= 1
        )
          throw new AppError('CONFLICT', 'This is the last partner admin');
        const row = await store.updateUser(trx, userId, { role, updated_at: now() });
        await store.deleteSessionsOfUser(trx, userId);
        await audit.record(trx, actor, {
          action: 'member.update',
          targetType: 'user',
          targetId: userId,
          details: { partnerId, before: before.role, after: role },
        });
        return toMember(row ?? before);
      });
    },

    async removePartnerMember(actor: ActorContext, partnerId: string, userId: string): Promise<void> {
      await authorize.partner(actor, partnerId);
      if (userId === actor.actorId) throw new AppError('CONFLICT', 'You cannot remove yourself');
      await db.transaction().execute(async (trx) => {
        const before = await memberOf(trx, userId, { partnerId });
        if (before.role === 'partner_admin' && (await store.countPartnerAdmins(trx, partnerId)) <= 1)
          throw new AppError('CONFLICT', 'This is the last partner admin');
        await store.deleteUser(trx, userId);
        await audit.record(trx, actor, {
          action: 'member.remove',
          targetType: 'user',
          targetId: userId,
          details: { partnerId, email: before.email, role: before.role },
        });
      });
    },

    async listPracticeMembers(actor: ActorContext, practiceId: string) {
      await authorize.practice(actor, practiceId);
      return { items: (await store.members(db, { practiceId, roles: PRACTICE_ROLES })).map(toMember) };
    },

    /**
     * Invites into a practice. One may invite only roles below one's own; the owner is invited by
     * the partner (or platform staff) while the practice has none.
     */
    async invitePracticeMember(actor: ActorContext, practiceId: string, input: PracticeInvitationRequest) {
      await authorize.practice(actor, practiceId);
      const rank = rankOver(actor.principal);
      if (practiceRank(input.role) >= rank) throw new AppError('FORBIDDEN', 'You can invite only roles below your own');
      const result = await db.transaction().execute(async (trx) => {
        const practice = await deps.practices.require(trx, practiceId);
        if (input.role === 'practice_owner') {
          const owners = await store.members(trx, { practiceId, roles: ['practice_owner'] });
          if (owners.length > 0)
            throw new AppError('CONFLICT', 'The practice has an owner; transfer ownership instead');
        }
        const { row, token } = await invite(trx, actor, { ...input, partnerId: null, practiceId });
        await email.enqueue(trx, {
          to: input.email,
          template: 'invitation',
          data: {
            link: `${deps.publicUrl}/join#token=${token}`,
            inviterName: nameOf(actor),
            organisationName: practice.name,
            role: input.role.replace('practice_', ''),
            expiresHours: input.expiresInHours,
          },
        });
        return toMemberInvitation(row);
      });
      email.wake();
      return result;
    },

    async updatePracticeMember(
      actor: ActorContext,
      practiceId: string,
      userId: string,
      input: PracticeMemberUpdateRequest,
    ): Promise<Member> {
      await authorize.practice(actor, practiceId);
      if (userId === actor.actorId) throw new AppError('CONFLICT', 'You cannot change your own role');
      const rank = rankOver(actor.principal);
      return db.transaction().execute(async (trx) => {
        const before = await memberOf(trx, userId, { practiceId });
        if (!PRACTICE_ROLES.includes(before.role as PracticeRole)) throw notFound('Member');
        if (before.role === 'practice_owner')
          throw new AppError('CONFLICT', 'The owner keeps the role until ownership is transferred');
        if (practiceRank(before.role as PracticeRole) >= rank || practiceRank(input.role) >= rank)
          throw new AppError('FORBIDDEN', 'You can change only roles below your own');
        const row = await store.updateUser(trx, userId, { role: input.role, updated_at: now() });
        await store.deleteSessionsOfUser(trx, userId);
        await audit.record(trx, actor, {
          action: 'member.update',
          targetType: 'user',
          targetId: userId,
          details: { practiceId, before: before.role, after: input.role },
        });
        return toMember(row ?? before);
      });
    },

    async removePracticeMember(actor: ActorContext, practiceId: string, userId: string): Promise<void> {
      await authorize.practice(actor, practiceId);
      if (userId === actor.actorId) throw new AppError('CONFLICT', 'You cannot remove yourself');
      const rank = rankOver(actor.principal);
      await db.transaction().execute(async (trx) => {
        const before = await memberOf(trx, userId, { practiceId });
        if (!PRACTICE_ROLES.includes(before.role as PracticeRole)) throw notFound('Member');
        if (before.role === 'practice_owner')
          throw new AppError('CONFLICT', 'The owner is never removed; transfer ownership first');
        if (practiceRank(before.role as PracticeRole) >= rank)
          throw new AppError('FORBIDDEN', 'You can remove only people below your own role');
        await store.deleteUser(trx, userId);
        await audit.record(trx, actor, {
          action: 'member.remove',
          targetType: 'user',
          targetId: userId,
          details: { practiceId, email: before.email, role: before.role },
        });
      });
    },

    /** The owner hands the practice to another member, who becomes owner; the old owner becomes an admin. */
    async transferOwnership(actor: ActorContext, practiceId: string, userId: string): Promise<Member> {
      await authorize.practice(actor, practiceId);
      if (rankOver(actor.principal) < practiceRank('practice_owner'))
        throw new AppError('FORBIDDEN', 'Only the owner (or the partner) can transfer ownership');
      return db.transaction().execute(async (trx) => {
        const target = await memberOf(trx, userId, { practiceId });
        if (target.role !== 'practice_admin' && target.role !== 'practice_viewer')
          throw new AppError('CONFLICT', 'Ownership goes to an admin or viewer of the practice');
        if (target.status !== 'active') throw new AppError('CONFLICT', 'The new owner must be an active member');
        const [owner] = await store.members(trx, { practiceId, roles: ['practice_owner'] });
        const at = now();
        if (owner) await store.updateUser(trx, owner.id, { role: 'practice_admin', updated_at: at });
        const row = await store.updateUser(trx, userId, { role: 'practice_owner', updated_at: at });
        await audit.record(trx, actor, {
          action: 'practice.ownership_transfer',
          targetType: 'practice',
          targetId: practiceId,
          details: { from: owner?.id ?? null, to: userId },
        });
        return toMember(row ?? target);
      });
    },

    async listAuditors(actor: ActorContext, practiceId: string) {
      await authorize.practice(actor, practiceId);
      return { items: (await store.members(db, { practiceId, roles: ['auditor'] })).map(toMember) };
    },

    /** Read-only access to one practice for a window of at most a year; it ends by itself. */
    async grantAuditor(actor: ActorContext, practiceId: string, input: AuditorGrantRequest): Promise<Member> {
      await authorize.practice(actor, practiceId);
      const at = now();
      const from = input.validFrom ? new Date(input.validFrom) : at;
      const until = new Date(input.validUntil);
      if (until <= at) throw new AppError('BAD_REQUEST', 'validUntil must be in the future');
      if (until.getTime() - from.getTime() > AUDITOR_MAX_DAYS * 86_400_000)
        throw new AppError('BAD_REQUEST', `An auditor's access may last at most ${AUDITOR_MAX_DAYS} days`);
      const member = await db.transaction().execute(async (trx) => {
        const practice = await deps.practices.require(trx, practiceId);
        await ensureAddressFree(trx, input.email, at);
        const row = await store.insertUser(trx, {
          id: newId(),
          email: input.email,
          name: input.name,
          role: 'auditor',
          password_hash: null,
          practice_id: practiceId,
          access_starts_at: from,
          access_expires_at: until,
          password_changed_at: at,
          created_at: at,
          updated_at: at,
        });
        await audit.record(trx, actor, {
          action: 'auditor.grant',
          targetType: 'user',
          targetId: row.id,
          details: { practiceId, email: input.email, validFrom: from.toISOString(), validUntil: until.toISOString() },
        });
        await email.enqueue(trx, {
          to: input.email,
          template: 'auditor_invitation',
          data: {
            link: `${deps.publicUrl}/sign-in`,
            practiceName: practice.name,
            inviterName: nameOf(actor),
            validFrom: from.toISOString(),
            validUntil: until.toISOString(),
          },
        });
        return toMember(row);
      });
      email.wake();
      return member;
    },

    async revokeAuditor(actor: ActorContext, practiceId: string, userId: string): Promise<void> {
      await authorize.practice(actor, practiceId);
      await db.transaction().execute(async (trx) => {
        const before = await memberOf(trx, userId, { practiceId });
        if (before.role !== 'auditor') throw notFound('Auditor');
        await store.deleteUser(trx, userId);
        await audit.record(trx, actor, {
          action: 'auditor.revoke',
          targetType: 'user',
          targetId: userId,
          details: { practiceId, email: before.email },
        });
      });
    },

    /** A practice invitation accepted from its emailed link: the account is made and signed in. */
    async acceptLinkInvitation(
      actor: ActorContext,
      input: LinkInvitationAcceptRequest,
      meta: { userAgent: string | null },
    ): Promise<IssuedSession> {
      const tokenHash = keyring.hashToken(input.token);
      const at = now();
      const refuse = async (code: 'LINK_INVALID' | 'LINK_USED' | 'LINK_EXPIRED', invitationId: string | null) => {
        await audit.recordEvent(actor, {
          action: 'invitation.accept_failed',
          outcome: 'failure',
          targetType: 'invitation',
          targetId: invitationId,
          details: { reason: code },
        });
        const message = {
          LINK_INVALID: 'This invitation link is not valid',
          LINK_USED: 'This invitation was already accepted',
          LINK_EXPIRED: 'This invitation has expired; ask for a new one',
        }[code];
        return new AppError(code, message);
      };
      const pending = await store.invitationByTokenHash(db, tokenHash);
      if (!pending || pending.practice_id === null || pending.revoked_at)
        throw await refuse('LINK_INVALID', pending?.id ?? null);
      if (pending.accepted_at) throw await refuse('LINK_USED', pending.id);
      if (pending.expires_at <= at) throw await refuse('LINK_EXPIRED', pending.id);
      const issued = await db
        .transaction()
        .execute(async (trx) => {
          const invitation = await store.invitationByTokenHash(trx, tokenHash);
          if (!invitation || invitation.accepted_at || invitation.revoked_at || !invitation.practice_id) return null;
          if (invitation.role === 'practice_owner') {
            const owners = await store.members(trx, { practiceId: invitation.practice_id, roles: ['practice_owner'] });
            if (owners.length > 0) throw new AppError('CONFLICT', 'The practice already has an owner');
          }
          const user = await acceptInvitationAs({ store, audit }, trx, actor, invitation, {
            name: input.name,
            password_hash: null,
            at,
          });
          return deps.auth.startSession(trx, actor, user.id, 'sign_in_link', meta);
        })
        .catch((error: unknown) => {
          if ((error as { code?: string }).code === '23505')
            throw new AppError('CONFLICT', 'A user with this email already exists');
          throw error;
        });
      if (!issued) throw await refuse('LINK_USED', pending.id);
      return issued;
    },
  };
}

export type MembersService = ReturnType<typeof createMembersService>;
