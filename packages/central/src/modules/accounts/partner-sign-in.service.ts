import { randomBytes } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { ActorContext } from '../../platform/context';
import type { DB } from '../../platform/db-schema';
import { AppError } from '../../platform/errors';
import { newId } from '../../platform/ids';
import type { AuditService } from '../audit';
import type { EmailService } from '../email';
import type { OidcService } from '../oidc';
import type { PartnersService } from '../partners';
import type { AccountsStore } from './accounts.store';
import type { AuthService, IssuedSession } from './auth.service';
import { acceptInvitationAs } from './invitation-accept';

/** Mail providers anyone can sign up with: not an MSP's own domain. */
const CONSUMER_DOMAINS = new Set([
  'gmail.com',
  'googlemail.com',
  'outlook.com',
  'hotmail.com',
  'live.com',
  'msn.com',
  'yahoo.com',
  'ymail.com',
  'aol.com',
  'icloud.com',
  'me.com',
  'mac.com',
  'proton.me',
  'protonmail.com',
  'gmx.com',
  'gmx.net',
  'mail.com',
  'zoho.com',
  'yandex.com',
  'yandex.ru',
  'qq.com',
  '163.com',
]);

type Verified = Awaited<ReturnType<OidcService['complete']>>;

/**
 * Partner sign-up and sign-in by OpenID Connect (issue 5). A known identity (issuer + subject)
 * signs in; an invited address joins its partner; a new address signs up a partner, approved at
 * once when its domain is on the allow-list and otherwise pending until a platform admin decides
 * (the partner is told by email either way). Every outcome is audited.
 */
export function createPartnerSignInService(deps: {
  db: Kysely<DB>;
  accounts: AccountsStore;
  audit: AuditService;
  auth: Pick<AuthService, 'startSession'>;
  oidc: OidcService;
  partners: Pick<PartnersService, 'createFromSignup' | 'decide' | 'require'>;
  email: Pick<EmailService, 'enqueue' | 'wake'>;
  policy: { autoApproveDomains: readonly string[]; refuseConsumerDomains: boolean };
  publicUrl: string;
  now: () => Date;
}) {
  const { db, accounts, audit, now } = deps;
  const autoApprove = new Set(deps.policy.autoApproveDomains.map((d) => d.toLowerCase()));

  async function refuse(actor: ActorContext, error: AppError, details: Record<string, unknown>): Promise<never> {
    await audit.recordEvent(actor, {
      action: 'auth.oidc_refused',
      outcome: 'denied',
      details: { code: error.code, ...details },
    });
    throw error;
  }

  async function notApproved(actor: ActorContext, status: string, partnerId: string): Promise<never> {
    return refuse(
      actor,
      new AppError(
        'PARTNER_NOT_APPROVED',
        status === 'pending'
          ? 'Your partner account waits for approval; we will email you when it is decided'
          : 'Your partner account is not active',
        { details: { status } },
      ),
      { partnerId, status },
    );
  }

  async function signIn(actor: ActorContext, verified: Verified, meta: { userAgent: string | null }) {
    const known = await accounts.userByOidc(db, verified.issuerId, verified.subject);
    if (known) {
      if (!known.partner_id)
        return refuse(actor, new AppError('FORBIDDEN', 'This identity is not a partner account'), {});
      const partner = await deps.partners.require(db, known.partner_id);
      if (partner.status !== 'active') return notApproved(actor, partner.status, partner.id);
      return db.transaction().execute((trx) => deps.auth.startSession(trx, actor, known.id, 'oidc', meta));
    }
    const at = now();
    const invitation = await accounts.pendingInvitationFor(db, verified.email, at);
    if (invitation?.partner_id) {
      const partnerId = invitation.partner_id;
      const partner = await deps.partners.require(db, partnerId);
      if (partner.status !== 'active') return notApproved(actor, partner.status, partner.id);
      return db.transaction().execute(async (trx) => {
        const user = await acceptInvitationAs({ store: accounts, audit }, trx, actor, invitation, {
          name: verified.name ?? verified.email,
          password_hash: null,
          oidc_issuer: verified.issuerId,
          oidc_subject: verified.subject,
          at,
        });
        return deps.auth.startSession(trx, actor, user.id, 'oidc', meta);
      });
    }
    if (await accounts.userByEmail(db, verified.email))
      return refuse(
        actor,
        new AppError('CONFLICT', 'This address already has an account; sign in the way you did before'),
        { reason: 'email_in_use' },
      );
    if (verified.purpose !== 'partner_signup')
      return refuse(
        actor,
        new AppError('OIDC_FAILED', 'No partner account uses this identity; sign up first', {
          details: { reason: 'no_account' },
        }),
        { reason: 'no_account' },
      );
    return signUp(actor, verified, meta);
  }

  async function signUp(actor: ActorContext, verified: Verified, meta: { userAgent: string | null }) {
    const domain = verified.email.split('@')[1] ?? '';
    if (deps.policy.refuseConsumerDomains && CONSUMER_DOMAINS.has(domain) && !autoApprove.has(domain))
      return refuse(
        actor,
        new AppError('EMAIL_DOMAIN_REFUSED', 'Sign up with the address of your company, not a personal mail provider'),
        { domain },
      );
    const status = autoApprove.has(domain) ? 'active' : 'pending';
    const at = now();
    const outcome = await db.transaction().execute(async (trx) => {
      const partner = await deps.partners.createFromSignup(trx, actor, {
        name: verified.name ? `${verified.name} (${domain})`.slice(0, 200) : domain,
        slug: `${
          domain
            .replace(/[^a-z0-9]+/g, '-')
            .replace(/^-+|-+$/g, '')
            .slice(0, 40) || 'partner'
        }-${randomBytes(3).toString('hex')}`,
        contactEmail: verified.email,
        status,
      });
      const user = await accounts.insertUser(trx, {
        id: newId(),
        email: verified.email,
        name: verified.name ?? verified.email,
        role: 'partner_admin',
        password_hash: null,
        partner_id: partner.id,
        oidc_issuer: verified.issuerId,
        oidc_subject: verified.subject,
        password_changed_at: at,
        created_at: at,
        updated_at: at,
      });
      if (status === 'pending') {
        await deps.email.enqueue(trx, {
          to: verified.email,
          template: 'partner_pending',
          data: { partnerName: partner.name },
        });
        for (const admin of await accounts.activePlatformAdmins(trx))
          await deps.email.enqueue(trx, {
            to: admin.email,
            template: 'partner_signup_review',
            data: {
              partnerName: partner.name,
              email: verified.email,
              reviewUrl: `${deps.publicUrl}/admin/partners/${partner.id}`,
            },
          });
        return { partner, session: null };
      }
      return { partner, session: await deps.auth.startSession(trx, actor, user.id, 'oidc', meta) };
    });
    deps.email.wake();
    if (!outcome.session) return notApproved(actor, 'pending', outcome.partner.id);
    return outcome.session;
  }

  return {
    issuers: () => deps.oidc.issuers(),
    begin: deps.oidc.begin,

    /** The provider's callback: verifies it (state, browser, code, ID token, email) and signs in or up. */
    async complete(
      actor: ActorContext,
      input: { query: Record<string, string | undefined>; browserBinding: string | undefined },
      meta: { userAgent: string | null },
    ): Promise<{ session: IssuedSession; returnTo: string | null }> {
      const verified = await deps.oidc.complete(input).catch(async (error: unknown) => {
        if (error instanceof AppError)
          await audit.recordEvent(actor, {
            action: 'auth.oidc_refused',
            outcome: 'denied',
            details: { code: error.code, ...(error.details as Record<string, unknown> | undefined) },
          });
        throw error;
      });
      return { session: await signIn(actor, verified, meta), returnTo: verified.returnTo };
    },

    /** A platform admin approves or rejects a pending partner; its admins are told by email. */
    async decide(actor: ActorContext, partnerId: string, decision: 'approved' | 'rejected', note: string | null) {
      const partner = await db.transaction().execute(async (trx) => {
        const decided = await deps.partners.decide(trx, actor, partnerId, decision, note);
        for (const admin of await accounts.partnerAdmins(trx, partnerId)) {
          if (decision === 'approved')
            await deps.email.enqueue(trx, {
              to: admin.email,
              template: 'partner_approved',
              data: { partnerName: decided.name, signInUrl: `${deps.publicUrl}/partner/sign-in` },
            });
          else
            await deps.email.enqueue(trx, {
              to: admin.email,
              template: 'partner_rejected',
              data: { partnerName: decided.name, reason: note ?? 'No reason was given.' },
            });
        }
        return decided;
      });
      deps.email.wake();
      return partner;
    },
  };
}

export type PartnerSignInService = ReturnType<typeof createPartnerSignInService>;
