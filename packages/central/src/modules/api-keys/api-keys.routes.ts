import {
  ApiKey,
  ApiKeyCreated,
  ApiKeyCreateRequest,
  ApiKeyList,
  IdParams,
  PartnerApiKeyParams,
} from '@osiris/protocol';
import { ACCESS } from '../../platform/access';
import type { App } from '../../platform/http';
import type { ApiKeysService } from './api-keys.service';

const tags = ['api keys'];

export function registerApiKeysRoutes(app: App, service: ApiKeysService): void {
  app.get(
    '/v1/partners/:id/api-keys',
    {
      config: { access: ACCESS.partnerAdmin },
      schema: {
        tags,
        summary: "The partner's API keys (never the secrets)",
        params: IdParams,
        response: { 200: ApiKeyList },
      },
    },
    (request) => service.list(request.actor, request.params.id),
  );
  app.post(
    '/v1/partners/:id/api-keys',
    {
      config: { access: ACCESS.partnerAdmin },
      schema: {
        tags,
        summary: 'Create an API key; the key is shown once in the reply',
        params: IdParams,
        body: ApiKeyCreateRequest,
        response: { 201: ApiKeyCreated },
      },
    },
    async (request, reply) =>
      reply.code(201).send(await service.create(request.actor, request.params.id, request.body)),
  );
  app.delete(
    '/v1/partners/:id/api-keys/:keyId',
    {
      config: { access: ACCESS.partnerAdmin },
      schema: { tags, summary: 'Revoke an API key at once', params: PartnerApiKeyParams, response: { 200: ApiKey } },
    },
    (request) => service.revoke(request.actor, request.params.id, request.params.keyId),
  );
}
