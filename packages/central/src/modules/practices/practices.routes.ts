import { ACCESS } from '../../platform/access';
import {
  Practice,
  PracticeCreateRequest,
  PracticeListQuery,
  PracticePage,
  PracticeUpdateRequest,
} from '@osiris/protocol';
import { registerCrudRoutes } from '../../platform/crud-routes';
import type { App } from '../../platform/http';
import type { PracticesService } from './practices.service';

export function registerPracticesRoutes(app: App, service: PracticesService): void {
  registerCrudRoutes(
    app,
    {
      path: '/v1/practices',
      noun: 'practice',
      item: Practice,
      page: PracticePage,
      create: PracticeCreateRequest,
      update: PracticeUpdateRequest,
      listQuery: PracticeListQuery,
      access: {
        read: ACCESS.tenantRead,
        create: ACCESS.partnerAdmin,
        update: ACCESS.partnerAdmin,
        remove: { platform: 'admin', partner: 'partner_admin' },
      },
    },
    service,
  );
}
