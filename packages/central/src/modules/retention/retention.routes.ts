import {
  IdParams,
  PartnerRetention,
  PartnerRetentionUpdateRequest,
  PracticeRetention,
  PracticeRetentionUpdateRequest,
  RetentionRunList,
} from '@osiris/protocol';
import { ACCESS, type AccessRule } from '../../platform/access';
import type { App } from '../../platform/http';
import type { RetentionService } from './retention.service';

const tags = ['retention'];

/** Shortening or lengthening how long evidence lives: platform admins and the partner's admins. */
const RETENTION_ADMIN: AccessRule = { platform: 'admin', partner: 'partner_admin' };

export function registerRetentionRoutes(app: App, service: RetentionService): void {
  app.get(
    '/v1/partners/:id/retention',
    {
      config: { access: ACCESS.staffRead },
      schema: {
        tags,
        summary: "The partner's evidence retention in months (default 72, six years)",
        params: IdParams,
        response: { 200: PartnerRetention },
      },
    },
    (request) => service.getPartner(request.actor, request.params.id),
  );
  app.put(
    '/v1/partners/:id/retention',
    {
      config: { access: RETENTION_ADMIN },
      schema: {
        tags,
        summary: "Set the partner's evidence retention (72 to 1200 months)",
        params: IdParams,
        body: PartnerRetentionUpdateRequest,
        response: { 200: PartnerRetention },
      },
    },
    (request) => service.setPartner(request.actor, request.params.id, request.body.evidenceRetentionMonths),
  );
  app.get(
    '/v1/practices/:id/retention',
    {
      config: { access: ACCESS.memberRead },
      schema: {
        tags,
        summary: "The practice's evidence retention: its own override, its partner's and the one that applies",
        params: IdParams,
        response: { 200: PracticeRetention },
      },
    },
    (request) => service.getPractice(request.actor, request.params.id),
  );
  app.put(
    '/v1/practices/:id/retention',
    {
      config: { access: RETENTION_ADMIN },
      schema: {
        tags,
        summary: "Override the practice's evidence retention (72 to 1200 months; null: the partner's applies)",
        params: IdParams,
        body: PracticeRetentionUpdateRequest,
        response: { 200: PracticeRetention },
      },
    },
    (request) => service.setPractice(request.actor, request.params.id, request.body.evidenceRetentionMonths),
  );
  app.get(
    '/v1/practices/:id/retention/runs',
    {
      config: { access: ACCESS.tenantRead },
      schema: {
        tags,
        summary: 'What the retention job purged (or found blocked) for the practice, month by month',
        params: IdParams,
        response: { 200: RetentionRunList },
      },
    },
    (request) => service.listRuns(request.actor, request.params.id),
  );
}
