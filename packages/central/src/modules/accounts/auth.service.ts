import type { LoginRequest, Role, Session, SessionInfo, UserRole } from '@osiris/protocol';
import type { Kysely } from 'kysely';
import type { ActorContext, Executor } from '../../platform/context';
import { principalOf } from '../../platform/access';
import type { DB } from '../../platform/db-schema';
import { AppError } from '../../platform/errors';
import type { AuthenticatedSession } from '../../platform/http';
import { newId, newToken } from '../../platform/ids';
import type { RateLimiter } from '../../platform/rate-limit';
import type { Keyring } from '../../platform/secrets';
import type { AuditService } from '../audit';
import { type AccountsStore, toUser, type UserRow } from './accounts.store';
import type { FailureCounter } from './lockout';
import { type PasswordHasher, passwordProblem } from './password';
import { matchTotp } from './totp';

const SESSION_IDLE_MS = 12 * 3600_000;
const SESSION_ABSOLUTE_MS = 7 * 24 * 3600_000;
const TOUCH_EVERY_MS = 60_000;
const LOGIN_WINDOW_SECONDS = 15 * 60;

export interface AuthDeps {
  recordFailure: FailureCounter;
  db: Kysely<DB>;
  store: AccountsStore;
  audit: AuditService;
  hasher: PasswordHasher;
  keyring: Keyring;
  rateLimiter: RateLimiter;
  limits: { perIp: number; perAccount: number };
  now: () => Date;
}

export interface IssuedSession {
  token: string;
  maxAgeSeconds: number;
  info: SessionInfo;
}

function lockedError(until: Date, at: Date): AppError {
  const minutes = Math.ceil((until.getTime() - at.getTime()) / 60_000);
  return new AppError(
    'ACCOUNT_LOCKED',
    `Account locked after repeated failures. Try again in ${minutes} minute${minutes === 1 ? '' : 's'}.`,
  );
}

const invalidCredentials = () => new AppError('INVALID_CREDENTIALS', 'Invalid email or password');

export function passwordPolicyError(password: string, email: string): AppError | null {
  const problem = passwordProblem(password, email);
  return problem
    ? new AppError('VALIDATION_FAILED', `Password ${problem}`, {
        details: { issues: [{ path: ['password'], message: `password ${problem}`, code: 'weak_password' }] },
      })
    : null;
}

export function createAuthService(deps: AuthDeps) {
  const { db, store, audit, hasher, keyring, now, recordFailure } = deps;

  async function enforceLoginLimits(actor: ActorContext, email: string): Promise<void> {
    for (const [bucket, limit] of [
      [`login-ip:${actor.ip}`, deps.limits.perIp],
      [`login-account:${email}`, deps.limits.perAccount],
    ] as const) {
      const result = await deps.rateLimiter.hit(bucket, limit, LOGIN_WINDOW_SECONDS);
      if (!result.allowed) {
        await audit.recordEvent(actor, {
          action: 'auth.login_rate_limited',
          outcome: 'denied',
          details: { email, bucket: bucket.split(':')[0] },
        });
        throw new AppError('RATE_LIMITED', 'Too many sign-in attempts; wait and try again', {
          headers: { 'retry-after': String(result.retryAfterSeconds) },
          details: { retryAfterSeconds: result.retryAfterSeconds },
        });
      }
    }
  }

  /** A sign-in refused before the password counted (locked or disabled account). */
  function auditRefusedLogin(actor: ActorContext, user: UserRow, reason: 'locked' | 'disabled'): Promise<void> {
    return audit.recordEvent(
      { ...actor, actorLabel: user.email },
      { action: 'auth.login_failed', outcome: 'denied', targetType: 'user', targetId: user.id, details: { reason } },
    );
  }

  async function issueSession(trx: Executor, user: UserRow, meta: { ip: string | null; userAgent: string | null }) {
    const at = now();
    const token = newToken();
    const session = {
      id: newId(),
      token_hash: keyring.hashToken(token),
      user_id: user.id,
      csrf_token: newToken(),
      ip: meta.ip,
      user_agent: meta.userAgent?.slice(0, 500) ?? null,
      created_at: at,
      last_seen_at: at,
      expires_at: new Date(at.getTime() + SESSION_ABSOLUTE_MS),
    };
    await store.insertSession(trx, session);
    return { token, session };
  }

  return {
    /**
     * A session for a user who proved who they are another way (an emailed sign-in link, an
     * OpenID Connect provider), inside the caller's transaction. Audited as a login with its method.
     */
    async startSession(
      trx: Executor,
      actor: ActorContext,
      userId: string,
      method: 'sign_in_link' | 'oidc',
      meta: { userAgent: string | null },
    ): Promise<IssuedSession> {
      const user = await store.userForUpdate(trx, userId);
      if (user?.status !== 'active') throw new AppError('UNAUTHENTICATED', 'This account cannot sign in');
      const at = now();
      const updated = await store.updateUser(trx, user.id, { last_login_at: at });
      const { token, session } = await issueSession(trx, user, { ip: actor.ip, userAgent: meta.userAgent });
      await audit.record(
        trx,
        { ...actor, actorType: 'user', actorId: user.id, actorLabel: user.email, role: user.role as UserRole },
        { action: 'auth.login', targetType: 'session', targetId: session.id, details: { method } },
      );
      return {
        token,
        maxAgeSeconds: SESSION_ABSOLUTE_MS / 1000,
        info: {
          user: toUser(updated ?? user, at),
          csrfToken: session.csrf_token,
          expiresAt: session.expires_at.toISOString(),
        },
      };
    },

    async login(
      actor: ActorContext,
      input: LoginRequest,
      meta: { userAgent: string | null; previousToken: string | undefined },
    ): Promise<IssuedSession> {
      const email = input.email.toLowerCase();
      await enforceLoginLimits(actor, email);
      const user = await store.userByEmail(db, email);
      const at = now();
      if (user?.locked_until && user.locked_until > at) {
        await auditRefusedLogin(actor, user, 'locked');
        throw lockedError(user.locked_until, at);
      }
      const passwordOk = await hasher.verify(user?.password_hash ?? null, input.password);
      if (!user) {
        await audit.recordEvent(
          { ...actor, actorLabel: email },
          { action: 'auth.login_failed', outcome: 'failure', details: { reason: 'unknown_user' } },
        );
        throw invalidCredentials();
      }
      if (!passwordOk) {
        await recordFailure(actor, user, 'bad_password');
        throw invalidCredentials();
      }
      if (user.status !== 'active') {
        await auditRefusedLogin(actor, user, 'disabled');
        throw invalidCredentials();
      }
      let totpStep: number | null = null;
      if (user.totp_enabled && user.totp_secret_enc) {
        if (!input.totpCode)
          throw new AppError('TOTP_REQUIRED', 'Enter the six-digit code from your authenticator app');
        const last = user.totp_last_step === null ? null : Number(user.totp_last_step);
        totpStep = matchTotp(keyring.decrypt(user.totp_secret_enc), input.totpCode, at.getTime(), last);
        if (totpStep === null) {
          await recordFailure(actor, user, 'bad_totp');
          throw new AppError('INVALID_CREDENTIALS', 'Wrong or already used authentication code');
        }
      }
      const rehash =
        user.password_hash && hasher.needsRehash(user.password_hash) ? await hasher.hash(input.password) : null;
      const outcome = await db.transaction().execute(async (trx) => {
        // Decide again under the row lock: a lock set, or this TOTP step used, by a request that
        // ran alongside this one wins (no code replay, no lock cleared by a lucky parallel guess).
        const current = await store.userForUpdate(trx, user.id);
        if (current?.status !== 'active') return { refused: 'disabled' as const };
        if (current.locked_until && current.locked_until > at)
          return { refused: 'locked' as const, until: current.locked_until };
        const lastStep = current.totp_last_step === null ? null : Number(current.totp_last_step);
        if (totpStep !== null && lastStep !== null && totpStep <= lastStep) return { refused: 'replay' as const };
        if (meta.previousToken) {
          const previous = await store.sessionWithUser(trx, keyring.hashToken(meta.previousToken));
          if (previous) await store.deleteSession(trx, previous.user_id, previous.session_id);
        }
        const updated = await store.updateUser(trx, user.id, {
          failed_login_count: 0,
          locked_until: null,
          last_login_at: at,
          ...(totpStep !== null && { totp_last_step: totpStep }),
          ...(rehash && { password_hash: rehash }),
        });
        const { token, session } = await issueSession(trx, user, { ip: actor.ip, userAgent: meta.userAgent });
        await audit.record(
          trx,
          { ...actor, actorType: 'user', actorId: user.id, actorLabel: user.email, role: user.role as Role },
          {
            action: 'auth.login',
            targetType: 'session',
            targetId: session.id,
            details: { totp: totpStep !== null },
          },
        );
        return {
          refused: null,
          issued: {
            token,
            maxAgeSeconds: SESSION_ABSOLUTE_MS / 1000,
            info: {
              user: toUser(updated ?? user, at),
              csrfToken: session.csrf_token,
              expiresAt: session.expires_at.toISOString(),
            },
          },
        };
      });
      switch (outcome.refused) {
        case null:
          return outcome.issued;
        case 'locked':
          await auditRefusedLogin(actor, user, 'locked');
          throw lockedError(outcome.until, at);
        case 'disabled':
          await auditRefusedLogin(actor, user, 'disabled');
          throw invalidCredentials();
        case 'replay':
          await recordFailure(actor, user, 'bad_totp');
          throw new AppError('INVALID_CREDENTIALS', 'Wrong or already used authentication code');
      }
    },

    /** Cookie token → session, or null when unknown, expired (7 days), idle (12 h) or the user is disabled. */
    async resolveSession(token: string): Promise<AuthenticatedSession | null> {
      if (token.length > 200) return null;
      const row = await store.sessionWithUser(db, keyring.hashToken(token));
      if (!row) return null;
      const at = now();
      const idle = at.getTime() - row.last_seen_at.getTime() >= SESSION_IDLE_MS;
      const principal = principalOf(row);
      // An auditor's access ends by itself; a partner that is not active (pending, suspended,
      // rejected) has no reach, and neither do its practices' people.
      const outsideWindow =
        row.access_expires_at !== null &&
        (row.access_expires_at <= at || (row.access_starts_at !== null && row.access_starts_at > at));
      const partnerInactive = row.partner_status !== null && row.partner_status !== 'active';
      if (row.expires_at <= at || idle || row.status !== 'active' || !principal || outsideWindow || partnerInactive) {
        await store.deleteSession(db, row.user_id, row.session_id);
        return null;
      }
      if (at.getTime() - row.last_seen_at.getTime() >= TOUCH_EVERY_MS) await store.touchSession(db, row.session_id, at);
      return {
        sessionId: row.session_id,
        userId: row.user_id,
        email: row.email,
        role: row.role as UserRole,
        principal,
        csrfToken: row.csrf_token,
        expiresAt: row.expires_at,
      };
    },

    async me(auth: AuthenticatedSession): Promise<SessionInfo> {
      const user = await store.userById(db, auth.userId);
      if (!user) throw new AppError('UNAUTHENTICATED', 'Sign in to continue');
      return { user: toUser(user, now()), csrfToken: auth.csrfToken, expiresAt: auth.expiresAt.toISOString() };
    },

    async logout(actor: ActorContext, auth: AuthenticatedSession): Promise<void> {
      await db.transaction().execute(async (trx) => {
        await store.deleteSession(trx, auth.userId, auth.sessionId);
        await audit.record(trx, actor, { action: 'auth.logout', targetType: 'session', targetId: auth.sessionId });
      });
    },

    async listSessions(userId: string, currentSessionId: string | null): Promise<{ items: Session[] }> {
      const rows = await store.sessionsOfUser(db, userId);
      const at = now().getTime();
      return {
        items: rows
          .filter((r) => r.expires_at.getTime() > at && at - r.last_seen_at.getTime() < SESSION_IDLE_MS)
          .map((r) => ({
            id: r.id,
            userId: r.user_id,
            current: r.id === currentSessionId,
            ip: r.ip,
            userAgent: r.user_agent,
            createdAt: r.created_at.toISOString(),
            lastSeenAt: r.last_seen_at.toISOString(),
            expiresAt: r.expires_at.toISOString(),
          })),
      };
    },

    async revokeSession(actor: ActorContext, userId: string, sessionId: string): Promise<void> {
      await db.transaction().execute(async (trx) => {
        if (!(await store.deleteSession(trx, userId, sessionId))) throw new AppError('NOT_FOUND', 'Session not found');
        await audit.record(trx, actor, {
          action: 'auth.session_revoke',
          targetType: 'session',
          targetId: sessionId,
          details: { userId },
        });
      });
    },

    async revokeAllSessions(actor: ActorContext, userId: string): Promise<number> {
      return db.transaction().execute(async (trx) => {
        const user = await store.userById(trx, userId);
        if (!user) throw new AppError('NOT_FOUND', 'User not found');
        const count = await store.deleteSessionsOfUser(trx, userId);
        await audit.record(trx, actor, {
          action: 'auth.session_revoke_all',
          targetType: 'user',
          targetId: userId,
          details: { revoked: count },
        });
        return count;
      });
    },

    pruneExpiredSessions: () => store.deleteExpiredSessions(db, new Date(now().getTime() - SESSION_IDLE_MS), now()),
  };
}

export type AuthService = ReturnType<typeof createAuthService>;
