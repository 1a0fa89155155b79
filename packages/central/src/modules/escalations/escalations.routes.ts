import { ACCESS } from '../../platform/access';
import {
  Escalation,
  EscalationApproveRequest,
  EscalationListQuery,
  EscalationPage,
  EscalationResolveRequest,
  IdParams,
} from '@osiris/protocol';
import type { App } from '../../platform/http';
import type { EscalationsService } from './escalations.service';

const tags = ['escalations'];

export function registerEscalationsRoutes(app: App, service: EscalationsService): void {
  app.get(
    '/v1/escalations',
    {
      config: { access: ACCESS.memberRead },
      schema: {
        tags,
        summary: 'Escalations from appliances, newest first (filter by site, state, priority)',
        querystring: EscalationListQuery,
        response: { 200: EscalationPage },
      },
    },
    (request) => service.list(request.actor, request.query),
  );
  app.get(
    '/v1/escalations/:id',
    {
      config: { access: ACCESS.memberRead },
      schema: { tags, summary: 'One escalation', params: IdParams, response: { 200: Escalation } },
    },
    (request) => service.get(request.actor, request.params.id),
  );
  app.post(
    '/v1/escalations/:id/acknowledge',
    {
      config: { access: ACCESS.operate },
      schema: {
        tags,
        summary: 'Take an open escalation (stops its SLA clock)',
        params: IdParams,
        response: { 200: Escalation },
      },
    },
    (request) => service.acknowledge(request.actor, request.params.id),
  );
  app.post(
    '/v1/escalations/:id/approve',
    {
      config: { access: ACCESS.operate },
      schema: {
        tags,
        summary: 'Approve the fix L2 proposed: the appliance receives it as a signed run_runbook order',
        params: IdParams,
        body: EscalationApproveRequest,
        response: { 200: Escalation },
      },
    },
    (request) => service.approve(request.actor, request.params.id, request.body),
  );
  app.post(
    '/v1/escalations/:id/resolve',
    {
      config: { access: ACCESS.operate },
      schema: {
        tags,
        summary: 'Close an escalation with what was done',
        params: IdParams,
        body: EscalationResolveRequest,
        response: { 200: Escalation },
      },
    },
    (request) => service.resolve(request.actor, request.params.id, request.body),
  );
}
