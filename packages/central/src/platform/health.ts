import { HealthResponse, ReadinessResponse } from '@osiris/protocol';
import type { Database } from './db';
import type { App } from './http';
import { migrationStatus } from './migrations';

export function registerHealthRoutes(app: App, database: Database): void {
  app.get(
    '/healthz',
    {
      config: { access: 'public', rateLimit: false },
      schema: { tags: ['health'], summary: 'Liveness: the process answers', response: { 200: HealthResponse } },
    },
    async () => ({ status: 'ok' as const }),
  );

  app.get(
    '/readyz',
    {
      config: { access: 'public', rateLimit: false },
      schema: {
        tags: ['health'],
        summary: 'Readiness: database reachable and every migration applied',
        response: { 200: ReadinessResponse, 503: ReadinessResponse },
      },
    },
    async (request, reply) => {
      let body: ReadinessResponse;
      try {
        await database.ping();
        const migrations = await migrationStatus(database);
        body = { status: migrations.pending === 0 ? 'ready' : 'not_ready', database: 'up', migrations };
      } catch (error) {
        request.log.warn({ err: error }, 'readiness probe: database down');
        body = { status: 'not_ready', database: 'down', migrations: { applied: 0, pending: 0 } };
      }
      return reply.code(body.status === 'ready' ? 200 : 503).send(body);
    },
  );
}
