import { IdParams, InvitationParams, MemberInvitationList } from '@osiris/protocol';
import { ACCESS } from '../../platform/access';
import type { App } from '../../platform/http';
import type { MemberInvitationsService } from './member-invitations.service';
import { PRACTICE_MANAGERS } from './people.routes';

const tags = ['people'];

/** Who sees a practice's pending invitations: its owner and admins, the partner's staff, platform staff. */
const PRACTICE_INVITATIONS_READ = { platform: 'readonly', partner: 'technician', practice: 'practice_admin' } as const;

export function registerMemberInvitationsRoutes(app: App, invitations: MemberInvitationsService): void {
  app.get(
    '/v1/partners/:id/invitations',
    {
      config: { access: { platform: 'readonly', partner: 'partner_admin' } },
      schema: {
        tags,
        summary: "The partner's pending invitations, newest first",
        params: IdParams,
        response: { 200: MemberInvitationList },
      },
    },
    (request) => invitations.listPartnerInvitations(request.actor, request.params.id),
  );
  app.delete(
    '/v1/partners/:id/invitations/:invitationId',
    {
      config: { access: ACCESS.partnerAdmin },
      schema: { tags, summary: 'Revoke a pending partner invitation', params: InvitationParams },
    },
    async (request, reply) => {
      await invitations.revokePartnerInvitation(request.actor, request.params.id, request.params.invitationId);
      return reply.code(204).send();
    },
  );
  app.get(
    '/v1/practices/:id/invitations',
    {
      config: { access: PRACTICE_INVITATIONS_READ },
      schema: {
        tags,
        summary: "The practice's pending invitations, newest first",
        params: IdParams,
        response: { 200: MemberInvitationList },
      },
    },
    (request) => invitations.listPracticeInvitations(request.actor, request.params.id),
  );
  app.delete(
    '/v1/practices/:id/invitations/:invitationId',
    {
      // Revoked by who may invite (the service checks the practice ranks).
      config: { access: PRACTICE_MANAGERS },
      schema: {
        tags,
        summary: 'Revoke a pending practice invitation (to a role below your own)',
        params: InvitationParams,
      },
    },
    async (request, reply) => {
      await invitations.revokePracticeInvitation(request.actor, request.params.id, request.params.invitationId);
      return reply.code(204).send();
    },
  );
}
