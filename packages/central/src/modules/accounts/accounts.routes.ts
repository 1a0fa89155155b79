import {
  IdParams,
  Invitation,
  InvitationAcceptRequest,
  InvitationCreated,
  InvitationCreateRequest,
  InvitationListQuery,
  InvitationPage,
  SessionList,
  User,
  UserListQuery,
  UserPage,
  UserSessionParams,
  UserUpdateRequest,
} from '@osiris/protocol';
import { z } from 'zod';
import type { App } from '../../platform/http';
import type { AccountsService } from './accounts.service';
import type { AuthService } from './auth.service';

const users = ['users'];
const invitations = ['invitations'];

export function registerAccountsRoutes(app: App, service: AccountsService, auth: AuthService): void {
  app.get(
    '/v1/admin/users',
    {
      config: { access: 'admin' },
      schema: { tags: users, summary: 'List admin users', querystring: UserListQuery, response: { 200: UserPage } },
    },
    (request) => service.list(request.query),
  );
  app.get(
    '/v1/admin/users/:id',
    {
      config: { access: 'admin' },
      schema: { tags: users, summary: 'Get a user', params: IdParams, response: { 200: User } },
    },
    (request) => service.get(request.params.id),
  );
  app.patch(
    '/v1/admin/users/:id',
    {
      config: { access: 'admin' },
      schema: {
        tags: users,
        summary: 'Rename, re-role, disable or enable a user',
        params: IdParams,
        body: UserUpdateRequest,
        response: { 200: User },
      },
    },
    (request) => service.update(request.actor, request.params.id, request.body),
  );
  app.post(
    '/v1/admin/users/:id/unlock',
    {
      config: { access: 'admin' },
      schema: { tags: users, summary: 'Lift a lockout', params: IdParams, response: { 200: User } },
    },
    (request) => service.unlock(request.actor, request.params.id),
  );
  app.get(
    '/v1/admin/users/:id/sessions',
    {
      config: { access: 'admin' },
      schema: { tags: users, summary: "A user's active sessions", params: IdParams, response: { 200: SessionList } },
    },
    async (request) => {
      await service.get(request.params.id);
      return auth.listSessions(request.params.id, request.auth?.sessionId ?? null);
    },
  );
  app.delete(
    '/v1/admin/users/:id/sessions/:sessionId',
    {
      config: { access: 'admin' },
      schema: { tags: users, summary: "End one of a user's sessions", params: UserSessionParams },
    },
    async (request, reply) => {
      await auth.revokeSession(request.actor, request.params.id, request.params.sessionId);
      return reply.code(204).send();
    },
  );
  app.delete(
    '/v1/admin/users/:id/sessions',
    {
      config: { access: 'admin' },
      schema: {
        tags: users,
        summary: "End all of a user's sessions",
        params: IdParams,
        response: { 200: z.object({ revoked: z.number().int() }) },
      },
    },
    async (request) => ({ revoked: await auth.revokeAllSessions(request.actor, request.params.id) }),
  );

  app.post(
    '/v1/admin/invitations',
    {
      config: { access: 'admin' },
      schema: {
        tags: invitations,
        summary: 'Invite a user; the single-use token is returned once',
        body: InvitationCreateRequest,
        response: { 201: InvitationCreated },
      },
    },
    async (request, reply) => reply.code(201).send(await service.invite(request.actor, request.body)),
  );
  app.get(
    '/v1/admin/invitations',
    {
      config: { access: 'admin' },
      schema: {
        tags: invitations,
        summary: 'List invitations',
        querystring: InvitationListQuery,
        response: { 200: InvitationPage },
      },
    },
    (request) => service.listInvitations(request.query),
  );
  app.delete(
    '/v1/admin/invitations/:id',
    {
      config: { access: 'admin' },
      schema: {
        tags: invitations,
        summary: 'Revoke a pending invitation',
        params: IdParams,
        response: { 200: Invitation },
      },
    },
    (request) => service.revokeInvitation(request.actor, request.params.id),
  );
  app.post(
    '/v1/auth/invitations/accept',
    {
      config: { access: 'public' },
      schema: {
        tags: invitations,
        summary: 'Accept an invitation: choose a name and password',
        body: InvitationAcceptRequest,
        response: { 201: User },
      },
    },
    async (request, reply) => reply.code(201).send(await service.acceptInvitation(request.actor, request.body)),
  );
}
