import { IdParams } from '@osiris/protocol';
import type { FastifyInstance, FastifySchema } from 'fastify';
import type { z } from 'zod';
import type { ActorContext } from './context';
import type { App, RouteAccess } from './http';

/** What a tenancy service offers to the generic CRUD routes. */
export interface CrudService<Item, Create, Update, ListQuery> {
  list(actor: ActorContext, query: ListQuery): Promise<{ items: Item[]; nextCursor: string | null }>;
  get(actor: ActorContext, id: string): Promise<Item>;
  create(actor: ActorContext, input: Create): Promise<Item>;
  update(actor: ActorContext, id: string, input: Update): Promise<Item>;
  remove(actor: ActorContext, id: string): Promise<void>;
}

export interface CrudRouteSpec<
  ItemSchema extends z.ZodType,
  CreateSchema extends z.ZodType,
  UpdateSchema extends z.ZodType,
  ListSchema extends z.ZodType,
> {
  /** Collection path, e.g. /v1/partners */
  path: string;
  /** Singular noun for summaries, e.g. partner */
  noun: string;
  item: ItemSchema;
  page: z.ZodType;
  create: CreateSchema;
  update: UpdateSchema;
  listQuery: ListSchema;
  /** Who may read, create, change and delete; defaults: platform readonly, operator, operator, admin. */
  access?: { read: RouteAccess; create: RouteAccess; update: RouteAccess; remove: RouteAccess };
}

/**
 * The five routes of a collection. By default reading needs platform `readonly`, creating and
 * changing `operator`, deleting `admin`; `spec.access` widens them to partner and practice people,
 * whose reach the service then enforces per object.
 */
export function registerCrudRoutes<
  ItemSchema extends z.ZodType,
  CreateSchema extends z.ZodType,
  UpdateSchema extends z.ZodType,
  ListSchema extends z.ZodType,
>(
  app: App,
  spec: CrudRouteSpec<ItemSchema, CreateSchema, UpdateSchema, ListSchema>,
  service: CrudService<z.output<ItemSchema>, z.output<CreateSchema>, z.output<UpdateSchema>, z.output<ListSchema>>,
): void {
  type Create = z.output<CreateSchema>;
  type Update = z.output<UpdateSchema>;
  type List = z.output<ListSchema>;
  // Generic over the schemas, so handlers are typed by the casts below rather than by inference.
  const routes = app as unknown as FastifyInstance;
  const erase = (schema: FastifySchema & Record<string, unknown>): FastifySchema => schema;
  const idOf = (params: unknown) => (params as { id: string }).id;
  const tags = [spec.path.split('/').at(-1) ?? spec.noun];
  const one = `${spec.path}/:id`;
  const access = spec.access ?? { read: 'readonly', create: 'operator', update: 'operator', remove: 'admin' };
  routes.get(
    spec.path,
    {
      config: { access: access.read },
      schema: erase({
        tags,
        summary: `List ${spec.noun}s (cursor pages, filters, search q)`,
        querystring: spec.listQuery,
        response: { 200: spec.page },
      }),
    },
    (request) => service.list(request.actor, request.query as List),
  );
  routes.get(
    one,
    {
      config: { access: access.read },
      schema: erase({ tags, summary: `Get one ${spec.noun}`, params: IdParams, response: { 200: spec.item } }),
    },
    (request) => service.get(request.actor, idOf(request.params)),
  );
  routes.post(
    spec.path,
    {
      config: { access: access.create },
      schema: erase({ tags, summary: `Create a ${spec.noun}`, body: spec.create, response: { 201: spec.item } }),
    },
    async (request, reply) => reply.code(201).send(await service.create(request.actor, request.body as Create)),
  );
  routes.patch(
    one,
    {
      config: { access: access.update },
      schema: erase({
        tags,
        summary: `Change a ${spec.noun}`,
        params: IdParams,
        body: spec.update,
        response: { 200: spec.item },
      }),
    },
    (request) => service.update(request.actor, idOf(request.params), request.body as Update),
  );
  routes.delete(
    one,
    {
      config: { access: access.remove },
      schema: erase({
        tags,
        summary: `Delete a ${spec.noun} (refused while anything belongs to it)`,
        params: IdParams,
      }),
    },
    async (request, reply) => {
      await service.remove(request.actor, idOf(request.params));
      return reply.code(204).send();
    },
  );
}
