import { ACCESS } from '../../platform/access';
import { Host, HostCreateRequest, HostListQuery, HostPage, HostUpdateRequest } from '@osiris/protocol';
import { registerCrudRoutes } from '../../platform/crud-routes';
import type { App } from '../../platform/http';
import type { HostsService } from './hosts.service';

export function registerHostsRoutes(app: App, service: HostsService): void {
  registerCrudRoutes(
    app,
    {
      path: '/v1/hosts',
      noun: 'host',
      item: Host,
      page: HostPage,
      create: HostCreateRequest,
      update: HostUpdateRequest,
      listQuery: HostListQuery,
      access: {
        read: ACCESS.memberRead,
        create: ACCESS.operate,
        update: ACCESS.operate,
        remove: { platform: 'admin', partner: 'partner_admin' },
      },
    },
    service,
  );
}
