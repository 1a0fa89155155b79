import { ACCESS } from '../../platform/access';
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
      access: {
        read: ACCESS.tenantRead,
        create: ACCESS.operate,
        update: ACCESS.operate,
        remove: { platform: 'admin', partner: 'partner_admin' },
      },
    },
    service,
  );
}
