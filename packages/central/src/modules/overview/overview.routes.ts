import { OverviewResponse } from '@osiris/protocol';
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
          'Compliance by framework (the mean of the sites’ newest daily score snapshots) and healing by tier over the last 30 days, within the caller’s reach',
        response: { 200: OverviewResponse },
      },
    },
    (request) => service.overview(request.actor),
  );
}
