import { AuditListQuery, AuditPage, AuditVerifyResponse } from '@osiris/protocol';
import type { App } from '../../platform/http';
import type { AuditService } from './audit.service';

export function registerAuditRoutes(app: App, service: AuditService): void {
  app.get(
    '/v1/admin/audit',
    {
      config: { access: 'admin' },
      schema: {
        tags: ['audit'],
        summary: 'List audit entries, newest first, with filters',
        querystring: AuditListQuery,
        response: { 200: AuditPage },
      },
    },
    (request) => service.list(request.query),
  );

  app.get(
    '/v1/admin/audit/verify',
    {
      config: { access: 'admin' },
      schema: {
        tags: ['audit'],
        summary: 'Recompute the hash chain and name the first entry that does not hold',
        response: { 200: AuditVerifyResponse },
      },
    },
    () => service.verify(),
  );
}
