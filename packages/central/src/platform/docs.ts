import fastifySwagger from '@fastify/swagger';
import fastifySwaggerUi from '@fastify/swagger-ui';
import { ErrorResponse } from '@osiris/protocol';
import { jsonSchemaTransform } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { App } from './http';

const ERROR_JSON_SCHEMA = z.toJSONSchema(ErrorResponse, { target: 'openapi-3.0' });

/** The routes' own schemas, plus the error envelope every route may answer with (docs only). */
const transform: typeof jsonSchemaTransform = (input) => {
  const result = jsonSchemaTransform(input);
  const schema = result.schema as { response?: Record<string, unknown>; hide?: boolean };
  if (!schema.hide) {
    schema.response = {
      ...schema.response,
      '4XX': { description: 'Client error: {error:{code,message,details,requestId}}', ...ERROR_JSON_SCHEMA },
      '5XX': { description: 'Server or database unavailable', ...ERROR_JSON_SCHEMA },
    };
  }
  return result;
};

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
    transform,
  });
  if (!enabled) return;
  await app.register(fastifySwaggerUi, { routePrefix: '/v1/docs', staticCSP: true });
  app.get('/v1/openapi.json', { config: { access: 'public' }, schema: { hide: true } }, async () => app.swagger());
}
