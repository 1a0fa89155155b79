import type { Kysely } from 'kysely';
import type { Config } from '../../config';
import type { Authorizer } from '../../platform/authorize';
import type { DB } from '../../platform/db-schema';
import type { App } from '../../platform/http';
import type { RateLimiter } from '../../platform/rate-limit';
import type { Keyring } from '../../platform/secrets';
import type { AuditService } from '../audit';
import type { EmailService } from '../email';
import type { OidcService } from '../oidc';
import type { PartnersService } from '../partners';
import type { PracticesService } from '../practices';
import { createAccountsStore } from './accounts.store';
import type { AuthService } from './auth.service';
import { registerMemberInvitationsRoutes } from './member-invitations.routes';
import { createMemberInvitationsService } from './member-invitations.service';
import { createMembersService } from './members.service';
import { createPartnerSignInService } from './partner-sign-in.service';
import { registerPeopleRoutes } from './people.routes';
import { createSignInLinksService } from './sign-in-links.service';
import { createSignInLinksStore } from './sign-in-links.store';

/**
 * Partner and practice people, auditors, and the ways they sign in (issue 5). Built after the
 * tenancy modules it depends on; the users table stays with the accounts store.
 */
export function createPeopleModule(deps: {
  db: Kysely<DB>;
  config: Config;
  keyring: Keyring;
  audit: AuditService;
  authorize: Authorizer;
  auth: AuthService;
  email: EmailService;
  oidc: OidcService;
  partners: PartnersService;
  practices: PracticesService;
  rateLimiter: RateLimiter;
  publicUrl: string;
  now: () => Date;
}) {
  const accounts = createAccountsStore();
  const members = createMembersService({ ...deps, store: accounts });
  const invitations = createMemberInvitationsService({ ...deps, store: accounts });
  const signInLinks = createSignInLinksService({
    ...deps,
    store: createSignInLinksStore(),
    accounts,
    limits: { perEmail: deps.config.MAGIC_LINK_LIMIT_PER_EMAIL, perIp: deps.config.MAGIC_LINK_LIMIT_PER_IP },
  });
  const partnerSignIn = createPartnerSignInService({
    ...deps,
    accounts,
    policy: {
      autoApproveDomains: deps.config.PARTNER_AUTO_APPROVE_DOMAINS,
      refuseConsumerDomains: deps.config.REFUSE_CONSUMER_EMAIL_DOMAINS,
    },
  });
  return {
    members,
    signInLinks,
    partnerSignIn,
    routes: (app: App) => {
      registerPeopleRoutes(app, { members, signInLinks, partnerSignIn }, deps.config.COOKIE_SECURE);
      registerMemberInvitationsRoutes(app, invitations);
    },
  };
}
