import { Site, SiteCreateRequest, SiteListQuery, SitePage, SiteUpdateRequest } from '@osiris/protocol';
import { registerCrudRoutes } from '../../platform/crud-routes';
import type { App } from '../../platform/http';
import type { SitesService } from './sites.service';

export function registerSitesRoutes(app: App, service: SitesService): void {
  registerCrudRoutes(
    app,
    {
      path: '/v1/sites',
      noun: 'site',
      item: Site,
      page: SitePage,
      create: SiteCreateRequest,
      update: SiteUpdateRequest,
      listQuery: SiteListQuery,
    },
    service,
  );
}
