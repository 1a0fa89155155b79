import { ACCESS } from '../../platform/access';
import {
  Appliance,
  ApplianceListQuery,
  AppliancePage,
  IdParams,
  ProvisionCode,
  ProvisionCodeCreated,
  ProvisionCodeCreateRequest,
  ProvisionCodeListQuery,
  ProvisionCodePage,
} from '@osiris/protocol';
import type { App } from '../../platform/http';
import type { AppliancesService } from './appliances.service';

const tags = ['appliances'];

export function registerAppliancesRoutes(app: App, service: AppliancesService): void {
  app.get(
    '/v1/sites/:id/appliances',
    {
      config: { access: ACCESS.tenantRead },
      schema: {
        tags,
        summary: "A site's appliances with their last check-in",
        params: IdParams,
        querystring: ApplianceListQuery,
        response: { 200: AppliancePage },
      },
    },
    (request) => service.listAppliances(request.actor, request.params.id, request.query),
  );
  app.get(
    '/v1/appliances/:id',
    {
      config: { access: ACCESS.tenantRead },
      schema: { tags, summary: 'One appliance', params: IdParams, response: { 200: Appliance } },
    },
    (request) => service.get(request.actor, request.params.id),
  );
  app.post(
    '/v1/sites/:id/provision-codes',
    {
      config: { access: ACCESS.operate },
      schema: {
        tags,
        summary: 'Create a single-use code an appliance registers to this site with (shown once)',
        params: IdParams,
        body: ProvisionCodeCreateRequest,
        response: { 201: ProvisionCodeCreated },
      },
    },
    async (request, reply) =>
      reply.code(201).send(await service.createProvisionCode(request.actor, request.params.id, request.body)),
  );
  app.get(
    '/v1/sites/:id/provision-codes',
    {
      config: { access: ACCESS.staffRead },
      schema: {
        tags,
        summary: "A site's provision codes (never the codes themselves)",
        params: IdParams,
        querystring: ProvisionCodeListQuery,
        response: { 200: ProvisionCodePage },
      },
    },
    (request) => service.listProvisionCodes(request.actor, request.params.id, request.query),
  );
  app.delete(
    '/v1/provision-codes/:id',
    {
      config: { access: ACCESS.operate },
      schema: { tags, summary: 'Revoke a pending provision code', params: IdParams, response: { 200: ProvisionCode } },
    },
    (request) => service.revokeProvisionCode(request.actor, request.params.id),
  );
}
