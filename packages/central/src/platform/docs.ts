import fastifySwagger from '@fastify/swagger';
import fastifySwaggerUi from '@fastify/swagger-ui';
import { jsonSchemaTransform } from 'fastify-type-provider-zod';
import type { App } from './http';

/** OpenAPI generated from the routes' zod schemas, at /v1/openapi.json, browsable at /v1/docs. */
export async function registerDocs(app: App, enabled: boolean): Promise<void> {
  await app.register(fastifySwagger, {
    openapi: {
      info: {
        title: 'OsirisCare Central Command API',
        version: '1',
        description:
          'Cookie sessions: POST /v1/auth/login sets an HttpOnly cookie; send the returned csrfToken in the X-CSRF-Token header on every mutation. Errors are {error:{code,message,details,requestId}}.',
      },
      components: {
        securitySchemes: { session: { type: 'apiKey', in: 'cookie', name: 'osiris_session' } },
      },
    },
    transform: jsonSchemaTransform,
  });
  if (!enabled) return;
  await app.register(fastifySwaggerUi, { routePrefix: '/v1/docs', staticCSP: true });
  app.get('/v1/openapi.json', { config: { access: 'public' }, schema: { hide: true } }, async () => app.swagger());
}
