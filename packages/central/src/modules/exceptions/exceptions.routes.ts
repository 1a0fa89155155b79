import {
  ComplianceException,
  ExceptionApproveRequest,
  ExceptionCreateRequest,
  ExceptionDecisionRequest,
  ExceptionListQuery,
  ExceptionPage,
  IdParams,
} from '@osiris/protocol';
import { ACCESS } from '../../platform/access';
import type { App } from '../../platform/http';
import type { ExceptionsService } from './exceptions.service';

const tags = ['exceptions'];
/** Practice owners, partner staff and platform operators may ask; only admins decide. */
const REQUEST = { platform: 'operator', partner: 'technician', practice: 'practice_owner' } as const;
const DECIDE = { platform: 'admin', partner: 'partner_admin' } as const;

export function registerExceptionsRoutes(app: App, service: ExceptionsService): void {
  app.post(
    '/v1/sites/:id/exceptions',
    {
      config: { access: REQUEST },
      schema: {
        tags,
        summary: 'Ask for an exception for the site or one of its hosts (a partner or platform admin decides)',
        params: IdParams,
        body: ExceptionCreateRequest,
        response: { 201: ComplianceException },
      },
    },
    async (request, reply) =>
      reply.code(201).send(await service.request(request.actor, request.params.id, request.body)),
  );
  app.get(
    '/v1/exceptions',
    {
      config: { access: ACCESS.tenantRead },
      schema: {
        tags,
        summary:
          'Exceptions within reach, newest request first (filter by site and state); auditors see reason and approver',
        querystring: ExceptionListQuery,
        response: { 200: ExceptionPage },
      },
    },
    (request) => service.list(request.actor, request.query),
  );
  app.get(
    '/v1/exceptions/:id',
    {
      config: { access: ACCESS.tenantRead },
      schema: { tags, summary: 'One exception', params: IdParams, response: { 200: ComplianceException } },
    },
    (request) => service.get(request.actor, request.params.id),
  );
  app.post(
    '/v1/exceptions/:id/approve',
    {
      config: { access: DECIDE },
      schema: {
        tags,
        summary: "Approve a pending exception; the site's appliances get it as a signed order",
        params: IdParams,
        body: ExceptionApproveRequest,
        response: { 200: ComplianceException },
      },
    },
    (request) => service.approve(request.actor, request.params.id, request.body?.note ?? null),
  );
  app.post(
    '/v1/exceptions/:id/reject',
    {
      config: { access: DECIDE },
      schema: {
        tags,
        summary: 'Reject a pending exception (the note says why)',
        params: IdParams,
        body: ExceptionDecisionRequest,
        response: { 200: ComplianceException },
      },
    },
    (request) => service.reject(request.actor, request.params.id, request.body),
  );
  app.post(
    '/v1/exceptions/:id/revoke',
    {
      config: { access: DECIDE },
      schema: {
        tags,
        summary: 'End an approved exception early; healing resumes on the next cycle',
        params: IdParams,
        body: ExceptionDecisionRequest,
        response: { 200: ComplianceException },
      },
    },
    (request) => service.revoke(request.actor, request.params.id, request.body),
  );
}
