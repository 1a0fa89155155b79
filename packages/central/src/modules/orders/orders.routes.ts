import { ACCESS } from '../../platform/access';
import { IdParams, OrderCreateRequest, OrderList, OrderRecord } from '@osiris/protocol';
import type { App } from '../../platform/http';
import type { OrdersService } from './orders.service';

const tags = ['orders'];

export function registerOrdersRoutes(app: App, service: OrdersService): void {
  app.post(
    '/v1/appliances/:id/orders',
    {
      config: { access: ACCESS.operate },
      schema: {
        tags,
        summary: 'Sign an order for this appliance; it is delivered at its next check-in',
        params: IdParams,
        body: OrderCreateRequest,
        response: { 201: OrderRecord },
      },
    },
    async (request, reply) => reply.code(201).send(await service.issue(request.actor, request.params.id, request.body)),
  );
  app.get(
    '/v1/appliances/:id/orders',
    {
      config: { access: ACCESS.staffRead },
      schema: { tags, summary: "The appliance's orders, newest first", params: IdParams, response: { 200: OrderList } },
    },
    (request) => service.list(request.actor, request.params.id),
  );
}
