import {
  AuditorGrantRequest,
  IdParams,
  LinkInvitationAcceptRequest,
  Member,
  MemberInvitation,
  MemberList,
  MemberParams,
  OidcCallbackQuery,
  OidcProviders,
  OidcStartParams,
  OidcStartQuery,
  OwnershipTransferRequest,
  Partner,
  PartnerDecisionRequest,
  PartnerInvitationRequest,
  PartnerMemberUpdateRequest,
  PartnerRejectRequest,
  PracticeInvitationRequest,
  PracticeMemberUpdateRequest,
  SessionInfo,
  SignInLinkRedeemRequest,
  SignInLinkRequest,
  SignInLinkSent,
} from '@osiris/protocol';
import { ACCESS } from '../../platform/access';
import { setBindingCookie, setSessionCookie } from '../../platform/auth';
import type { App } from '../../platform/http';
import { newToken } from '../../platform/ids';
import type { MembersService } from './members.service';
import type { PartnerSignInService } from './partner-sign-in.service';
import { SIGN_IN_LINK_SENT, type SignInLinksService } from './sign-in-links.service';

const BROWSER_COOKIE = 'osiris_browser';
const OIDC_COOKIE = 'osiris_oidc';
const tags = ['people'];
const authTags = ['auth'];

/** Practice people by rank, partner people and platform staff (the service checks the ranks). */
export const PRACTICE_MANAGERS = { platform: 'operator', partner: 'technician', practice: 'practice_admin' } as const;
const OWNER_OR_PARTNER = { platform: 'operator', partner: 'technician', practice: 'practice_owner' } as const;

export function registerPeopleRoutes(
  app: App,
  services: { members: MembersService; signInLinks: SignInLinksService; partnerSignIn: PartnerSignInService },
  cookieSecure: 'auto' | 'always' | 'never',
): void {
  const { members, signInLinks, partnerSignIn } = services;
  const userAgent = (headers: Record<string, unknown>) => (headers['user-agent'] as string | undefined) ?? null;

  // ---- partner people ----
  app.get(
    '/v1/partners/:id/members',
    {
      config: { access: ACCESS.staffRead },
      schema: { tags, summary: "The partner's people", params: IdParams, response: { 200: MemberList } },
    },
    (request) => members.listPartnerMembers(request.actor, request.params.id),
  );
  app.post(
    '/v1/partners/:id/invitations',
    {
      config: { access: ACCESS.partnerAdmin },
      schema: {
        tags,
        summary: 'Invite someone into the partner (they accept by signing in with OpenID Connect)',
        params: IdParams,
        body: PartnerInvitationRequest,
        response: { 201: MemberInvitation },
      },
    },
    async (request, reply) =>
      reply.code(201).send(await members.invitePartnerMember(request.actor, request.params.id, request.body)),
  );
  app.patch(
    '/v1/partners/:id/members/:userId',
    {
      config: { access: ACCESS.partnerAdmin },
      schema: {
        tags,
        summary: "Change a partner member's role",
        params: MemberParams,
        body: PartnerMemberUpdateRequest,
        response: { 200: Member },
      },
    },
    (request) =>
      members.updatePartnerMember(request.actor, request.params.id, request.params.userId, request.body.role),
  );
  app.delete(
    '/v1/partners/:id/members/:userId',
    {
      config: { access: ACCESS.partnerAdmin },
      schema: { tags, summary: 'Remove someone from the partner', params: MemberParams },
    },
    async (request, reply) => {
      await members.removePartnerMember(request.actor, request.params.id, request.params.userId);
      return reply.code(204).send();
    },
  );
  app.post(
    '/v1/partners/:id/approve',
    {
      config: { access: 'admin' },
      schema: {
        tags,
        summary: 'Approve a partner that signed up (its admins are told by email)',
        params: IdParams,
        body: PartnerDecisionRequest,
        response: { 200: Partner },
      },
    },
    (request) => partnerSignIn.decide(request.actor, request.params.id, 'approved', request.body.note ?? null),
  );
  app.post(
    '/v1/partners/:id/reject',
    {
      config: { access: 'admin' },
      schema: {
        tags,
        summary: 'Reject a partner that signed up, with the reason it is told',
        params: IdParams,
        body: PartnerRejectRequest,
        response: { 200: Partner },
      },
    },
    (request) => partnerSignIn.decide(request.actor, request.params.id, 'rejected', request.body.reason),
  );

  // ---- practice people ----
  app.get(
    '/v1/practices/:id/members',
    {
      config: { access: ACCESS.memberRead },
      schema: { tags, summary: "The practice's people", params: IdParams, response: { 200: MemberList } },
    },
    (request) => members.listPracticeMembers(request.actor, request.params.id),
  );
  app.post(
    '/v1/practices/:id/invitations',
    {
      config: { access: PRACTICE_MANAGERS },
      schema: {
        tags,
        summary: 'Invite someone into the practice (a role below your own; the owner by the partner)',
        params: IdParams,
        body: PracticeInvitationRequest,
        response: { 201: MemberInvitation },
      },
    },
    async (request, reply) =>
      reply.code(201).send(await members.invitePracticeMember(request.actor, request.params.id, request.body)),
  );
  app.patch(
    '/v1/practices/:id/members/:userId',
    {
      config: { access: PRACTICE_MANAGERS },
      schema: {
        tags,
        summary: "Change a practice member's role (owner > admin > viewer)",
        params: MemberParams,
        body: PracticeMemberUpdateRequest,
        response: { 200: Member },
      },
    },
    (request) => members.updatePracticeMember(request.actor, request.params.id, request.params.userId, request.body),
  );
  app.delete(
    '/v1/practices/:id/members/:userId',
    {
      config: { access: PRACTICE_MANAGERS },
      schema: { tags, summary: 'Remove someone below your role (never the owner)', params: MemberParams },
    },
    async (request, reply) => {
      await members.removePracticeMember(request.actor, request.params.id, request.params.userId);
      return reply.code(204).send();
    },
  );
  app.post(
    '/v1/practices/:id/ownership',
    {
      config: { access: OWNER_OR_PARTNER },
      schema: {
        tags,
        summary: 'Transfer ownership to another member (the old owner becomes an admin)',
        params: IdParams,
        body: OwnershipTransferRequest,
        response: { 200: Member },
      },
    },
    (request) => members.transferOwnership(request.actor, request.params.id, request.body.userId),
  );
  app.get(
    '/v1/practices/:id/auditors',
    {
      config: { access: ACCESS.memberRead },
      schema: {
        tags,
        summary: "The practice's auditors and their windows",
        params: IdParams,
        response: { 200: MemberList },
      },
    },
    (request) => members.listAuditors(request.actor, request.params.id),
  );
  app.post(
    '/v1/practices/:id/auditors',
    {
      config: { access: OWNER_OR_PARTNER },
      schema: {
        tags,
        summary: 'Give an auditor read-only access for a window (at most a year); they are emailed',
        params: IdParams,
        body: AuditorGrantRequest,
        response: { 201: Member },
      },
    },
    async (request, reply) =>
      reply.code(201).send(await members.grantAuditor(request.actor, request.params.id, request.body)),
  );
  app.delete(
    '/v1/practices/:id/auditors/:userId',
    {
      config: { access: OWNER_OR_PARTNER },
      schema: { tags, summary: "End an auditor's access now", params: MemberParams },
    },
    async (request, reply) => {
      await members.revokeAuditor(request.actor, request.params.id, request.params.userId);
      return reply.code(204).send();
    },
  );

  // ---- signing in without a password ----
  app.post(
    '/v1/auth/invitations/accept-link',
    {
      config: { access: 'public' },
      schema: {
        tags: authTags,
        summary: 'Accept a practice invitation from its emailed link; signs you in',
        body: LinkInvitationAcceptRequest,
        response: { 200: SessionInfo },
      },
    },
    async (request, reply) => {
      const issued = await members.acceptLinkInvitation(request.actor, request.body, {
        userAgent: userAgent(request.headers),
      });
      setSessionCookie(reply, request, cookieSecure, issued.token, issued.maxAgeSeconds);
      return issued.info;
    },
  );
  app.post(
    '/v1/auth/sign-in-links',
    {
      config: { access: 'public' },
      schema: {
        tags: authTags,
        summary: 'Email a sign-in link (practice people and auditors); the same answer for every address',
        body: SignInLinkRequest,
        response: { 202: SignInLinkSent },
      },
    },
    async (request, reply) => {
      const binding = request.cookies[BROWSER_COOKIE] ?? newToken();
      setBindingCookie(reply, request, cookieSecure, {
        name: BROWSER_COOKIE,
        value: binding,
        path: '/v1/auth/sign-in-links',
        maxAgeSeconds: 30 * 60,
        sameSite: 'strict',
      });
      await signInLinks.request(request.actor, request.body.email, binding);
      return reply.code(202).send({ message: SIGN_IN_LINK_SENT });
    },
  );
  app.post(
    '/v1/auth/sign-in-links/redeem',
    {
      config: { access: 'public' },
      schema: {
        tags: authTags,
        summary: 'Sign in with the link from the email, in the browser that asked for it',
        body: SignInLinkRedeemRequest,
        response: { 200: SessionInfo },
      },
    },
    async (request, reply) => {
      const issued = await signInLinks.redeem(request.actor, request.body.token, request.cookies[BROWSER_COOKIE], {
        userAgent: userAgent(request.headers),
      });
      setSessionCookie(reply, request, cookieSecure, issued.token, issued.maxAgeSeconds);
      return issued.info;
    },
  );
  app.get(
    '/v1/auth/oidc/providers',
    {
      config: { access: 'public' },
      schema: {
        tags: authTags,
        summary: 'The OpenID Connect providers partners sign in with',
        response: { 200: OidcProviders },
      },
    },
    () => ({ items: partnerSignIn.issuers() }),
  );
  app.get(
    '/v1/auth/oidc/:issuerId/start',
    {
      config: { access: 'public' },
      schema: {
        tags: authTags,
        summary: 'Start partner sign-in or sign-up: redirects to the provider',
        params: OidcStartParams,
        querystring: OidcStartQuery,
      },
    },
    async (request, reply) => {
      const { authorizationUrl, browserBinding } = await partnerSignIn.begin({
        issuerId: request.params.issuerId,
        purpose: request.query.intent === 'signup' ? 'partner_signup' : 'partner_signin',
        ...(request.query.returnTo ? { returnTo: request.query.returnTo } : {}),
      });
      setBindingCookie(reply, request, cookieSecure, {
        name: OIDC_COOKIE,
        value: browserBinding,
        path: '/v1/auth/oidc',
        maxAgeSeconds: 600,
        sameSite: 'lax',
      });
      return reply.redirect(authorizationUrl, 302);
    },
  );
  app.get(
    '/v1/auth/oidc/callback',
    {
      config: { access: 'public' },
      schema: {
        tags: authTags,
        summary: "The provider's redirect back: signs in (or up) and redirects into the app",
        querystring: OidcCallbackQuery,
      },
    },
    async (request, reply) => {
      const outcome = await partnerSignIn
        .complete(
          request.actor,
          { query: request.query, browserBinding: request.cookies[OIDC_COOKIE] },
          { userAgent: userAgent(request.headers) },
        )
        .catch((error: unknown) => {
          // A browser arriving from the provider goes back to the sign-in page with the reason;
          // API clients get the JSON error.
          const code = (error as { code?: string }).code;
          if (code && String(request.headers.accept ?? '').includes('text/html')) return { redirectTo: code };
          throw error;
        });
      if ('redirectTo' in outcome)
        return reply.redirect(`/sign-in?as=partner&error=${encodeURIComponent(outcome.redirectTo)}`, 303);
      const { session, returnTo } = outcome;
      void reply.clearCookie(OIDC_COOKIE, { path: '/v1/auth/oidc' });
      setSessionCookie(reply, request, cookieSecure, session.token, session.maxAgeSeconds);
      return reply.redirect(returnTo ?? '/', 303);
    },
  );
}
