import type {
  Invitation,
  InvitationAcceptRequest,
  InvitationCreateRequest,
  InvitationListQuery,
  User,
  UserListQuery,
  UserUpdateRequest,
} from '@osiris/protocol';
import { type Kysely, sql } from 'kysely';
import { type ActorContext, type Executor, SYSTEM_ACTOR } from '../../platform/context';
import type { DB } from '../../platform/db-schema';
import { AppError, notFound } from '../../platform/errors';
import { newId, newToken } from '../../platform/ids';
import { decodeCursor, toPage } from '../../platform/pagination';
import type { Keyring } from '../../platform/secrets';
import type { AuditService } from '../audit';
import { type AccountsStore, toInvitation, toUser } from './accounts.store';
import { passwordPolicyError } from './auth.service';
import { acceptInvitationAs } from './invitation-accept';
import { revokeInvitationRow } from './invitation-revoke';
import type { PasswordHasher } from './password';

/** Arbitrary constant naming the lock under which the first admin is created (one per database). */
const BOOTSTRAP_LOCK_KEY = 72_616_003;
/** Arbitrary constant naming the lock that serialises role and status changes of users. */
const ADMIN_CHANGE_LOCK_KEY = 72_616_004;

export interface AccountsDeps {
  db: Kysely<DB>;
  store: AccountsStore;
  audit: AuditService;
  hasher: PasswordHasher;
  keyring: Keyring;
  publicUrl: string;
  now: () => Date;
}

export function createAccountsService(deps: AccountsDeps) {
  const { db, store, audit, hasher, keyring, now } = deps;
  const isUnique = (error: unknown) => (error as { code?: string }).code === '23505';

  return {
    async platformAdminEmails(executor: Executor = db): Promise<string[]> {
      return (await store.platformAdminEmails(executor)).map((row) => row.email);
    },

    /**
     * On an empty database, create the first admin with a random password and return it, once.
     * Replicas starting together take a lock, so exactly one creates it.
     */
    async bootstrapFirstAdmin(email: string): Promise<{ email: string; password: string } | null> {
      const password = newToken(18);
      const hash = await hasher.hash(password);
      return db.transaction().execute(async (trx) => {
        await sql`SELECT pg_advisory_xact_lock(${sql.lit(BOOTSTRAP_LOCK_KEY)})`.execute(trx);
        if ((await store.countUsers(trx)) > 0) return null;
        const at = now();
        const user = await store.insertUser(trx, {
          id: newId(),
          email,
          name: 'Administrator',
          role: 'admin',
          password_hash: hash,
          password_changed_at: at,
          created_at: at,
          updated_at: at,
        });
        await audit.record(trx, SYSTEM_ACTOR, {
          action: 'user.bootstrap_admin',
          targetType: 'user',
          targetId: user.id,
          details: { email },
        });
        return { email, password };
      });
    },

    async list(query: UserListQuery) {
      const at = now();
      return toPage(await store.listUsers(db, query, decodeCursor(query.cursor)), query.limit, (r) => toUser(r, at));
    },

    async get(id: string): Promise<User> {
      const row = await store.userById(db, id);
      if (!row) throw notFound('User');
      return toUser(row, now());
    },

    async update(actor: ActorContext, id: string, input: UserUpdateRequest): Promise<User> {
      return db.transaction().execute(async (trx) => {
        // Role and status changes take turns, so two admins disabling each other at once cannot
        // both pass the last-admin check.
        if (input.role !== undefined || input.status !== undefined) {
          await sql`SELECT pg_advisory_xact_lock(${sql.lit(ADMIN_CHANGE_LOCK_KEY)})`.execute(trx);
        }
        const before = await store.userForUpdate(trx, id);
        if (!before) throw notFound('User');
        if (input.role !== undefined && (before.partner_id !== null || before.practice_id !== null))
          throw new AppError('CONFLICT', "Partner and practice roles are changed by their own people's routes");
        const demotes = input.role !== undefined && input.role !== before.role;
        const disables = input.status === 'disabled' && before.status !== 'disabled';
        if (id === actor.actorId && (demotes || disables)) {
          throw new AppError('CONFLICT', 'You cannot change your own role or disable yourself');
        }
        if (
          before.role === 'admin' &&
          before.status === 'active' &&
          (demotes || disables) &&
          (await store.countActiveAdmins(trx)) <= 1
        ) {
          throw new AppError('CONFLICT', 'This is the last active admin');
        }
        const row = await store.updateUser(trx, id, {
          ...(input.name !== undefined && { name: input.name }),
          ...(input.role !== undefined && { role: input.role }),
          ...(input.status !== undefined && { status: input.status }),
          updated_at: now(),
        });
        if (!row) throw notFound('User');
        const revoked = demotes || disables ? await store.deleteSessionsOfUser(trx, id) : 0;
        await audit.record(trx, actor, {
          action: 'user.update',
          targetType: 'user',
          targetId: id,
          details: {
            before: { name: before.name, role: before.role, status: before.status },
            changes: input,
            sessionsRevoked: revoked,
          },
        });
        return toUser(row, now());
      });
    },

    async unlock(actor: ActorContext, id: string): Promise<User> {
      return db.transaction().execute(async (trx) => {
        const row = await store.updateUser(trx, id, { locked_until: null, failed_login_count: 0, updated_at: now() });
        if (!row) throw notFound('User');
        await audit.record(trx, actor, { action: 'user.unlock', targetType: 'user', targetId: id });
        return toUser(row, now());
      });
    },

    async invite(
      actor: ActorContext,
      input: InvitationCreateRequest,
    ): Promise<{ invitation: Invitation; token: string; acceptUrl: string }> {
      const token = newToken();
      return db.transaction().execute(async (trx) => {
        const at = now();
        if (await store.userByEmail(trx, input.email))
          throw new AppError('CONFLICT', 'A user with this email already exists');
        if (await store.pendingInvitationFor(trx, input.email, at)) {
          throw new AppError('CONFLICT', 'This email already has a pending invitation; revoke it first');
        }
        const row = await store.insertInvitation(trx, {
          id: newId(),
          email: input.email,
          role: input.role,
          token_hash: keyring.hashToken(token),
          invited_by: actor.actorId,
          expires_at: new Date(at.getTime() + input.expiresInHours * 3600_000),
          created_at: at,
        });
        const invitation = toInvitation(row);
        await audit.record(trx, actor, {
          action: 'invitation.create',
          targetType: 'invitation',
          targetId: row.id,
          details: { email: input.email, role: input.role },
        });
        // The token travels in the fragment, which browsers never send to servers or proxies.
        return { invitation, token, acceptUrl: `${deps.publicUrl}/accept-invitation#token=${token}` };
      });
    },

    async listInvitations(query: InvitationListQuery) {
      return toPage(
        await store.listInvitations(db, query, decodeCursor(query.cursor), now()),
        query.limit,
        toInvitation,
      );
    },

    async revokeInvitation(actor: ActorContext, id: string): Promise<Invitation> {
      return db.transaction().execute(async (trx) => {
        const row = await store.invitationById(trx, id);
        if (!row) throw notFound('Invitation');
        return toInvitation(await revokeInvitationRow({ store, audit }, trx, actor, row, now()));
      });
    },

    async acceptInvitation(actor: ActorContext, input: InvitationAcceptRequest): Promise<User> {
      const tokenHash = keyring.hashToken(input.token);
      const pending = await store.invitationByTokenHash(db, tokenHash);
      const at = now();
      // Partner and practice invitations are accepted by signing in (OIDC, emailed link), never with a password.
      const isStaff = pending !== undefined && pending.partner_id === null && pending.practice_id === null;
      if (!pending || !isStaff || pending.accepted_at || pending.revoked_at || pending.expires_at <= at) {
        await audit.recordEvent(actor, {
          action: 'invitation.accept_failed',
          outcome: 'failure',
          targetType: 'invitation',
          targetId: pending?.id ?? null,
        });
        throw new AppError('NOT_FOUND', 'This invitation is invalid, used, revoked or expired');
      }
      const weak = passwordPolicyError(input.password, pending.email);
      if (weak) throw weak;
      const hash = await hasher.hash(input.password);
      try {
        return await db.transaction().execute(async (trx) => {
          // Re-read under a row lock: two accepts of one token cannot both succeed.
          const invitation = await store.invitationByTokenHash(trx, tokenHash);
          if (!invitation || invitation.accepted_at || invitation.revoked_at) {
            throw new AppError('NOT_FOUND', 'This invitation is invalid, used, revoked or expired');
          }
          const user = await acceptInvitationAs({ store, audit }, trx, actor, invitation, {
            name: input.name,
            password_hash: hash,
            at,
          });
          return toUser(user, at);
        });
      } catch (error) {
        if (isUnique(error)) throw new AppError('CONFLICT', 'A user with this email already exists');
        throw error;
      }
    },
  };
}

export type AccountsService = ReturnType<typeof createAccountsService>;
