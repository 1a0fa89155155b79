import type { Invitation, InvitationListQuery, User, UserListQuery } from '@osiris/protocol';
import type { ExpressionBuilder, Insertable, Selectable, Updateable } from 'kysely';
import type { Executor } from '../../platform/context';
import type { DB, InvitationsTable, SessionsTable, UsersTable } from '../../platform/db-schema';
import { containsPattern } from '../../platform/pagination';

export type UserRow = Selectable<UsersTable>;
export type InvitationRow = Selectable<InvitationsTable>;

const iso = (d: Date | null) => (d ? d.toISOString() : null);

/** An invitation that can still be accepted: not accepted, not revoked, not expired. */
const isPending = (now: Date) => (eb: ExpressionBuilder<DB, 'invitations'>) =>
  eb.and([eb('accepted_at', 'is', null), eb('revoked_at', 'is', null), eb('expires_at', '>', now)]);

export function toUser(row: UserRow, now: Date): User {
  return {
    id: row.id,
    email: row.email,
    name: row.name,
    role: row.role as User['role'],
    partnerId: row.partner_id,
    practiceId: row.practice_id,
    accessExpiresAt: iso(row.access_expires_at),
    status: row.status as User['status'],
    totpEnabled: row.totp_enabled,
    lockedUntil: row.locked_until && row.locked_until > now ? row.locked_until.toISOString() : null,
    lastLoginAt: iso(row.last_login_at),
    createdAt: row.created_at.toISOString(),
    updatedAt: row.updated_at.toISOString(),
  };
}

export function toInvitation(row: InvitationRow): Invitation {
  return {
    id: row.id,
    email: row.email,
    role: row.role as Invitation['role'],
    partnerId: row.partner_id,
    practiceId: row.practice_id,
    invitedBy: row.invited_by,
    expiresAt: row.expires_at.toISOString(),
    acceptedAt: iso(row.accepted_at),
    revokedAt: iso(row.revoked_at),
    createdAt: row.created_at.toISOString(),
  };
}

/** SQL for users, sessions and invitations; nothing else. */
export function createAccountsStore() {
  return {
    /** Addresses of the active platform admins (who hear of what nobody else is routed to hear). */
    platformAdminEmails: (db: Executor) =>
      db
        .selectFrom('users')
        .select('email')
        .where('role', '=', 'admin')
        .where('status', '=', 'active')
        .orderBy('email')
        .execute(),

    countUsers: async (db: Executor) =>
      Number(
        (
          await db
            .selectFrom('users')
            .select((eb) => eb.fn.countAll<number>().as('n'))
            .executeTakeFirstOrThrow()
        ).n,
      ),

    userById: (db: Executor, id: string) => db.selectFrom('users').selectAll().where('id', '=', id).executeTakeFirst(),

    userByEmail: (db: Executor, email: string) =>
      db
        .selectFrom('users')
        .selectAll()
        .where((eb) => eb(eb.fn('lower', ['email']), '=', email.toLowerCase()))
        .executeTakeFirst(),

    /** Row-locked read, for read-modify-write inside a transaction. */
    userForUpdate: (db: Executor, id: string) =>
      db.selectFrom('users').selectAll().where('id', '=', id).forUpdate().executeTakeFirst(),

    insertUser: (db: Executor, row: Insertable<UsersTable>) =>
      db.insertInto('users').values(row).returningAll().executeTakeFirstOrThrow(),

    updateUser: (db: Executor, id: string, set: Updateable<UsersTable>) =>
      db.updateTable('users').set(set).where('id', '=', id).returningAll().executeTakeFirst(),

    listUsers(db: Executor, query: UserListQuery, afterId: string | undefined) {
      let q = db
        .selectFrom('users')
        .selectAll()
        .orderBy('id')
        .limit(query.limit + 1);
      if (afterId) q = q.where('id', '>', afterId);
      if (query.role) q = q.where('role', '=', query.role);
      if (query.status) q = q.where('status', '=', query.status);
      if (query.q) {
        const pattern = containsPattern(query.q);
        q = q.where((eb) => eb.or([eb('email', 'ilike', pattern), eb('name', 'ilike', pattern)]));
      }
      return q.execute();
    },

    countActiveAdmins: async (db: Executor) =>
      Number(
        (
          await db
            .selectFrom('users')
            .select((eb) => eb.fn.countAll<number>().as('n'))
            .where('role', '=', 'admin')
            .where('status', '=', 'active')
            .executeTakeFirstOrThrow()
        ).n,
      ),

    insertSession: (db: Executor, row: Insertable<SessionsTable>) => db.insertInto('sessions').values(row).execute(),

    sessionWithUser: (db: Executor, tokenHash: string) =>
      db
        .selectFrom('sessions')
        .innerJoin('users', 'users.id', 'sessions.user_id')
        .leftJoin('practices', 'practices.id', 'users.practice_id')
        .leftJoin('partners', (join) =>
          join.on((eb) => eb('partners.id', '=', eb.fn.coalesce('users.partner_id', 'practices.partner_id'))),
        )
        .select([
          'sessions.id as session_id',
          'sessions.csrf_token',
          'sessions.last_seen_at',
          'sessions.expires_at',
          'users.id as user_id',
          'users.email',
          'users.role',
          'users.status',
          'users.partner_id',
          'users.practice_id',
          'users.access_starts_at',
          'users.access_expires_at',
          'practices.partner_id as practice_partner_id',
          'partners.status as partner_status',
        ])
        .where('sessions.token_hash', '=', tokenHash)
        .executeTakeFirst(),

    touchSession: (db: Executor, id: string, at: Date) =>
      db.updateTable('sessions').set({ last_seen_at: at }).where('id', '=', id).execute(),

    sessionsOfUser: (db: Executor, userId: string) =>
      db.selectFrom('sessions').selectAll().where('user_id', '=', userId).orderBy('created_at', 'desc').execute(),

    async deleteSession(db: Executor, userId: string, sessionId: string): Promise<boolean> {
      const r = await db
        .deleteFrom('sessions')
        .where('id', '=', sessionId)
        .where('user_id', '=', userId)
        .executeTakeFirst();
      return r.numDeletedRows > 0n;
    },

    async deleteSessionsOfUser(db: Executor, userId: string, exceptSessionId?: string): Promise<number> {
      let q = db.deleteFrom('sessions').where('user_id', '=', userId);
      if (exceptSessionId) q = q.where('id', '!=', exceptSessionId);
      return Number((await q.executeTakeFirst()).numDeletedRows);
    },

    async deleteExpiredSessions(db: Executor, idleBefore: Date, now: Date): Promise<number> {
      const r = await db
        .deleteFrom('sessions')
        .where((eb) => eb.or([eb('expires_at', '<=', now), eb('last_seen_at', '<=', idleBefore)]))
        .executeTakeFirst();
      return Number(r.numDeletedRows);
    },

    /** The people of a partner, or of a practice (by role), oldest first. */
    members: (db: Executor, scope: { partnerId: string } | { practiceId: string; roles: readonly string[] }) =>
      ('partnerId' in scope
        ? db.selectFrom('users').selectAll().where('partner_id', '=', scope.partnerId)
        : db
            .selectFrom('users')
            .selectAll()
            .where('practice_id', '=', scope.practiceId)
            .where('role', 'in', [...scope.roles])
      )
        .orderBy('created_at')
        .orderBy('id')
        .limit(1000)
        .execute(),

    deleteUser: (db: Executor, id: string) => db.deleteFrom('users').where('id', '=', id).executeTakeFirst(),

    userByOidc: (db: Executor, issuer: string, subject: string) =>
      db
        .selectFrom('users')
        .selectAll()
        .where('oidc_issuer', '=', issuer)
        .where('oidc_subject', '=', subject)
        .executeTakeFirst(),

    countPartnerAdmins: async (db: Executor, partnerId: string) =>
      Number(
        (
          await db
            .selectFrom('users')
            .select((eb) => eb.fn.countAll().as('n'))
            .where('partner_id', '=', partnerId)
            .where('role', '=', 'partner_admin')
            .where('status', '=', 'active')
            .executeTakeFirstOrThrow()
        ).n,
      ),

    activePlatformAdmins: (db: Executor) =>
      db
        .selectFrom('users')
        .select(['id', 'email'])
        .where('role', '=', 'admin')
        .where('status', '=', 'active')
        .execute(),

    partnerAdmins: (db: Executor, partnerId: string) =>
      db
        .selectFrom('users')
        .select(['id', 'email'])
        .where('partner_id', '=', partnerId)
        .where('role', '=', 'partner_admin')
        .execute(),

    insertInvitation: (db: Executor, row: Insertable<InvitationsTable>) =>
      db.insertInto('invitations').values(row).returningAll().executeTakeFirstOrThrow(),

    invitationById: (db: Executor, id: string) =>
      db.selectFrom('invitations').selectAll().where('id', '=', id).executeTakeFirst(),

    invitationByTokenHash: (db: Executor, tokenHash: string) =>
      db.selectFrom('invitations').selectAll().where('token_hash', '=', tokenHash).forUpdate().executeTakeFirst(),

    pendingInvitationFor: (db: Executor, email: string, now: Date) =>
      db
        .selectFrom('invitations')
        .selectAll()
        .where((eb) => eb(eb.fn('lower', ['email']), '=', email.toLowerCase()))
        .where(isPending(now))
        .executeTakeFirst(),

    /** The pending invitations of one partner or one practice, newest first. */
    pendingInvitationsOf: (db: Executor, scope: { partnerId: string } | { practiceId: string }, now: Date) =>
      db
        .selectFrom('invitations')
        .selectAll()
        .where(
          'partnerId' in scope ? 'partner_id' : 'practice_id',
          '=',
          'partnerId' in scope ? scope.partnerId : scope.practiceId,
        )
        .where(isPending(now))
        .orderBy('created_at', 'desc')
        .orderBy('id', 'desc')
        .limit(500)
        .execute(),

    updateInvitation: (db: Executor, id: string, set: Updateable<InvitationsTable>) =>
      db.updateTable('invitations').set(set).where('id', '=', id).returningAll().executeTakeFirst(),

    listInvitations(db: Executor, query: InvitationListQuery, afterId: string | undefined, now: Date) {
      let q = db
        .selectFrom('invitations')
        .selectAll()
        .orderBy('id')
        .limit(query.limit + 1);
      if (afterId) q = q.where('id', '>', afterId);
      if (query.q) q = q.where('email', 'ilike', containsPattern(query.q));
      switch (query.state) {
        case 'accepted':
          q = q.where('accepted_at', 'is not', null);
          break;
        case 'revoked':
          q = q.where('revoked_at', 'is not', null);
          break;
        case 'expired':
          q = q.where('accepted_at', 'is', null).where('revoked_at', 'is', null).where('expires_at', '<=', now);
          break;
        case 'pending':
          q = q.where(isPending(now));
          break;
      }
      return q.execute();
    },
  };
}

export type AccountsStore = ReturnType<typeof createAccountsStore>;
