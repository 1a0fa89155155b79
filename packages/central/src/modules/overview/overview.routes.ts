import { IdParams, OverviewResponse, PracticeTrendQuery, PracticeTrendResponse } from '@osiris/protocol';
import { ACCESS } from '../../platform/access';
import type { App } from '../../platform/http';
import type { OverviewService } from './overview.service';

const tags = ['overview'];

export function registerOverviewRoutes(app: App, service: OverviewService): void {
  app.get(
    '/v1/overview',
    {
      config: { access: ACCESS.tenantRead },
      schema: {
        tags,
        summary:
          'Compliance by framework (latest results of checks mapped to HIPAA, SOC 2, NIST 800-53, CIS) and healing by tier over the last 30 days, within the caller’s reach',
        response: { 200: OverviewResponse },
      },
    },
    (request) => service.overview(request.actor),
  );
  app.get(
    '/v1/practices/:id/trend',
    {
      config: { access: ACCESS.tenantRead },
      schema: {
        tags,
        summary:
          'Daily compliance score of a practice (UTC days, newest check result per appliance, host and check by each day’s end), computed from evidence on each request; issue 7 replaces this with stored daily score snapshots',
        params: IdParams,
        querystring: PracticeTrendQuery,
        response: { 200: PracticeTrendResponse },
      },
    },
    (request) => service.practiceTrend(request.actor, request.params.id, request.query),
  );
}
