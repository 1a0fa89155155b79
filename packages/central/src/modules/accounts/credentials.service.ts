import type { PasswordChangeRequest } from '@osiris/protocol';
import type { Kysely } from 'kysely';
import type { ActorContext } from '../../platform/context';
import type { DB } from '../../platform/db-schema';
import { AppError } from '../../platform/errors';
import type { AuthenticatedSession } from '../../platform/http';
import type { Keyring } from '../../platform/secrets';
import type { AuditService } from '../audit';
import type { AccountsStore } from './accounts.store';
import { passwordPolicyError } from './auth.service';
import type { FailureCounter } from './lockout';
import type { PasswordHasher } from './password';
import { matchTotp, newTotpSecret, otpauthUrl } from './totp';

export interface CredentialsDeps {
  db: Kysely<DB>;
  store: AccountsStore;
  audit: AuditService;
  hasher: PasswordHasher;
  keyring: Keyring;
  recordFailure: FailureCounter;
  now: () => Date;
}

/** A signed-in user's own credentials: password change and the TOTP second factor. */
export function createCredentialsService(deps: CredentialsDeps) {
  const { db, store, audit, hasher, keyring, now, recordFailure } = deps;

  return {
    async changePassword(actor: ActorContext, auth: AuthenticatedSession, input: PasswordChangeRequest): Promise<void> {
      const user = await store.userById(db, auth.userId);
      if (!user) throw new AppError('UNAUTHENTICATED', 'Sign in to continue');
      if (!(await hasher.verify(user.password_hash, input.currentPassword))) {
        await recordFailure(actor, user, 'bad_current_password');
        throw new AppError('VALIDATION_FAILED', 'Current password is wrong', {
          details: { issues: [{ path: ['currentPassword'], message: 'does not match', code: 'wrong_password' }] },
        });
      }
      const weak = passwordPolicyError(input.newPassword, user.email);
      if (weak) throw weak;
      const hash = await hasher.hash(input.newPassword);
      await db.transaction().execute(async (trx) => {
        await store.updateUser(trx, user.id, { password_hash: hash, password_changed_at: now(), updated_at: now() });
        const revoked = await store.deleteSessionsOfUser(trx, user.id, auth.sessionId);
        await audit.record(trx, actor, {
          action: 'auth.password_change',
          targetType: 'user',
          targetId: user.id,
          details: { otherSessionsRevoked: revoked },
        });
      });
    },

    async totpSetup(actor: ActorContext, auth: AuthenticatedSession): Promise<{ secret: string; otpauthUrl: string }> {
      return db.transaction().execute(async (trx) => {
        const user = await store.userForUpdate(trx, auth.userId);
        if (!user) throw new AppError('UNAUTHENTICATED', 'Sign in to continue');
        if (user.totp_enabled)
          throw new AppError('CONFLICT', 'Two-factor authentication is already on; turn it off first');
        const secret = newTotpSecret();
        await store.updateUser(trx, user.id, {
          totp_secret_enc: keyring.encrypt(secret),
          totp_last_step: null,
          updated_at: now(),
        });
        await audit.record(trx, actor, { action: 'auth.totp_setup', targetType: 'user', targetId: user.id });
        return { secret, otpauthUrl: otpauthUrl(secret, user.email) };
      });
    },

    async totpEnable(actor: ActorContext, auth: AuthenticatedSession, code: string): Promise<void> {
      await db.transaction().execute(async (trx) => {
        const user = await store.userForUpdate(trx, auth.userId);
        if (!user?.totp_secret_enc || user.totp_enabled) {
          throw new AppError('CONFLICT', 'Start two-factor setup first (POST /v1/auth/totp/setup)');
        }
        const step = matchTotp(keyring.decrypt(user.totp_secret_enc), code, now().getTime(), null);
        if (step === null)
          throw new AppError('VALIDATION_FAILED', 'Wrong code', {
            details: { issues: [{ path: ['code'], message: 'does not match' }] },
          });
        await store.updateUser(trx, user.id, { totp_enabled: true, totp_last_step: step, updated_at: now() });
        await audit.record(trx, actor, { action: 'auth.totp_enable', targetType: 'user', targetId: user.id });
      });
    },

    async totpDisable(
      actor: ActorContext,
      auth: AuthenticatedSession,
      input: { password: string; code: string },
    ): Promise<void> {
      const user = await store.userById(db, auth.userId);
      if (!user?.totp_enabled || !user.totp_secret_enc)
        throw new AppError('CONFLICT', 'Two-factor authentication is not on');
      const last = user.totp_last_step === null ? null : Number(user.totp_last_step);
      const passwordOk = await hasher.verify(user.password_hash, input.password);
      if (!passwordOk || matchTotp(keyring.decrypt(user.totp_secret_enc), input.code, now().getTime(), last) === null) {
        await recordFailure(actor, user, 'bad_totp_disable');
        throw new AppError('VALIDATION_FAILED', 'Wrong password or code', {
          details: { issues: [{ path: [], message: 'password or code does not match' }] },
        });
      }
      await db.transaction().execute(async (trx) => {
        await store.updateUser(trx, user.id, {
          totp_enabled: false,
          totp_secret_enc: null,
          totp_last_step: null,
          updated_at: now(),
        });
        await audit.record(trx, actor, { action: 'auth.totp_disable', targetType: 'user', targetId: user.id });
      });
    },
  };
}

export type CredentialsService = ReturnType<typeof createCredentialsService>;
