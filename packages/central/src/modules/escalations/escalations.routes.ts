import { ACCESS } from '../../platform/access';
import {
  Escalation,
  EscalationApproveRequest,
  EscalationAssignRequest,
  EscalationNote,
  EscalationNoteList,
  EscalationNoteRequest,
  EscalationSla,
  EscalationSlaSettings,
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
  app.post(
    '/v1/escalations/:id/assign',
    {
      config: { access: ACCESS.operate },
      schema: {
        tags,
        summary: "Assign to a platform operator or one of the partner's people (null clears)",
        params: IdParams,
        body: EscalationAssignRequest,
        response: { 200: Escalation },
      },
    },
    (request) => service.assign(request.actor, request.params.id, request.body),
  );
  app.get(
    '/v1/escalations/:id/notes',
    {
      config: { access: ACCESS.memberRead },
      schema: {
        tags,
        summary: 'Notes on an escalation, oldest first',
        params: IdParams,
        response: { 200: EscalationNoteList },
      },
    },
    (request) => service.notes(request.actor, request.params.id),
  );
  app.post(
    '/v1/escalations/:id/notes',
    {
      config: { access: ACCESS.operate },
      schema: {
        tags,
        summary: 'Add a note (what was found, who was called)',
        params: IdParams,
        body: EscalationNoteRequest,
        response: { 201: EscalationNote },
      },
    },
    async (request, reply) =>
      reply.code(201).send(await service.addNote(request.actor, request.params.id, request.body)),
  );
  app.get(
    '/v1/partners/:id/escalation-sla',
    {
      config: { access: ACCESS.staffRead },
      schema: {
        tags,
        summary: "The partner's acknowledge SLAs per priority (minutes): its overrides over the defaults",
        params: IdParams,
        response: { 200: EscalationSla },
      },
    },
    (request) => service.getSla(request.actor, request.params.id),
  );
  app.put(
    '/v1/partners/:id/escalation-sla',
    {
      config: { access: ACCESS.partnerAdmin },
      schema: {
        tags,
        summary: 'Override acknowledge SLAs per priority for new escalations ({} restores the defaults)',
        params: IdParams,
        body: EscalationSlaSettings,
        response: { 200: EscalationSla },
      },
    },
    (request) => service.setSla(request.actor, request.params.id, request.body),
  );
}
