import { ACCESS } from '../../platform/access';
import { Partner, PartnerCreateRequest, PartnerListQuery, PartnerPage, PartnerUpdateRequest } from '@osiris/protocol';
import { registerCrudRoutes } from '../../platform/crud-routes';
import type { App } from '../../platform/http';
import type { PartnersService } from './partners.service';

export function registerPartnersRoutes(app: App, service: PartnersService): void {
  registerCrudRoutes(
    app,
    {
      path: '/v1/partners',
      noun: 'partner',
      item: Partner,
      page: PartnerPage,
      create: PartnerCreateRequest,
      update: PartnerUpdateRequest,
      listQuery: PartnerListQuery,
      access: { read: ACCESS.staffRead, create: 'operator', update: 'operator', remove: 'admin' },
    },
    service,
  );
}
