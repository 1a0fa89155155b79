import { createHash } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { ActorContext } from '../../platform/context';
import type { DB } from '../../platform/db-schema';
import { AppError } from '../../platform/errors';
import { newId, newToken } from '../../platform/ids';
import type { RateLimiter } from '../../platform/rate-limit';
import type { Keyring } from '../../platform/secrets';
import type { AuditService } from '../audit';
import type { EmailService } from '../email';
import type { AccountsStore } from './accounts.store';
import type { AuthService, IssuedSession } from './auth.service';
import type { SignInLinksStore } from './sign-in-links.store';

const LINK_MINUTES = 15;
const WINDOW_SECONDS = 15 * 60;
/** Who signs in by emailed link: practice people and auditors (staff use passwords, partners OIDC). */
const LINK_ROLES = new Set(['practice_owner', 'practice_admin', 'practice_viewer', 'auditor']);
export const SIGN_IN_LINK_SENT =
  'If an account exists for this address, we sent a sign-in link to it. It works once, for 15 minutes, in this browser.';

const browserHash = (binding: string) => createHash('sha256').update(`osiris-browser:${binding}`).digest('hex');

/**
 * Emailed sign-in links ("magic links", issue 5): single use, 15 minutes, stored hashed, bound to
 * the browser that asked (a random value in an HttpOnly cookie, stored hashed), rate limited per
 * address and per IP, and the same answer whether or not the address has an account.
 */
export function createSignInLinksService(deps: {
  db: Kysely<DB>;
  store: SignInLinksStore;
  accounts: AccountsStore;
  audit: AuditService;
  auth: Pick<AuthService, 'startSession'>;
  email: Pick<EmailService, 'enqueue' | 'wake'>;
  rateLimiter: RateLimiter;
  keyring: Keyring;
  limits: { perEmail: number; perIp: number };
  publicUrl: string;
  now: () => Date;
}) {
  const { db, store, audit, keyring, now } = deps;

  async function limit(actor: ActorContext, address: string): Promise<void> {
    for (const [bucket, max] of [
      [`sign-in-link-ip:${actor.ip}`, deps.limits.perIp],
      [`sign-in-link-email:${address}`, deps.limits.perEmail],
    ] as const) {
      const result = await deps.rateLimiter.hit(bucket, max, WINDOW_SECONDS);
      if (!result.allowed) {
        await audit.recordEvent(actor, {
          action: 'auth.sign_in_link_rate_limited',
          outcome: 'denied',
          details: { bucket: bucket.split(':')[0] },
        });
        throw new AppError('RATE_LIMITED', 'Too many sign-in links requested; wait and try again', {
          headers: { 'retry-after': String(result.retryAfterSeconds) },
          details: { retryAfterSeconds: result.retryAfterSeconds },
        });
      }
    }
  }

  return {
    /** Sends a link when the address belongs to someone who signs in this way; answers the same either way. */
    async request(actor: ActorContext, address: string, browserBinding: string): Promise<void> {
      await limit(actor, address);
      const at = now();
      const sent = await db.transaction().execute(async (trx) => {
        const user = await deps.accounts.userByEmail(trx, address);
        const inWindow =
          !user?.access_expires_at ||
          (user.access_expires_at > at && (!user.access_starts_at || user.access_starts_at <= at));
        if (user?.status !== 'active' || !LINK_ROLES.has(user.role) || !inWindow) return false;
        const token = newToken();
        await store.insert(trx, {
          id: newId(),
          token_hash: keyring.hashToken(token),
          browser_hash: browserHash(browserBinding),
          user_id: user.id,
          created_at: at,
          expires_at: new Date(at.getTime() + LINK_MINUTES * 60_000),
          ip: actor.ip,
        });
        await deps.email.enqueue(trx, {
          to: user.email,
          template: 'sign_in_link',
          // In the fragment: browsers never send it to servers or proxies, nor in Referer headers.
          data: { link: `${deps.publicUrl}/sign-in#token=${token}`, expiresMinutes: LINK_MINUTES },
        });
        return true;
      });
      if (sent) deps.email.wake();
    },

    /** Signs in with a link from the email, in the browser that asked for it. */
    async redeem(
      actor: ActorContext,
      token: string,
      browserBinding: string | undefined,
      meta: { userAgent: string | null },
    ): Promise<IssuedSession> {
      const at = now();
      const outcome = await db.transaction().execute(async (trx) => {
        const link = await store.forUpdate(trx, keyring.hashToken(token));
        if (!link) return { refused: 'LINK_INVALID' as const, linkId: null };
        if (link.used_at) return { refused: 'LINK_USED' as const, linkId: link.id };
        if (link.expires_at <= at) return { refused: 'LINK_EXPIRED' as const, linkId: link.id };
        if (!browserBinding || browserHash(browserBinding) !== link.browser_hash)
          return { refused: 'LINK_INVALID' as const, linkId: link.id, reason: 'other_browser' };
        await store.markUsed(trx, link.id, at);
        const issued = await deps.auth.startSession(trx, actor, link.user_id, 'sign_in_link', meta);
        return { refused: null, issued };
      });
      if (outcome.refused === null) return outcome.issued;
      await audit.recordEvent(actor, {
        action: 'auth.sign_in_link_refused',
        outcome: 'denied',
        targetType: 'sign_in_link',
        targetId: outcome.linkId,
        details: { code: outcome.refused, ...('reason' in outcome ? { reason: outcome.reason } : {}) },
      });
      throw new AppError(
        outcome.refused,
        {
          LINK_INVALID: 'This sign-in link is not valid here; request a new one from this browser',
          LINK_USED: 'This sign-in link was already used; request a new one',
          LINK_EXPIRED: 'This sign-in link has expired; request a new one',
        }[outcome.refused],
      );
    },

    purge: () => store.purge(db, new Date(now().getTime() - 86_400_000)),
  };
}

export type SignInLinksService = ReturnType<typeof createSignInLinksService>;
