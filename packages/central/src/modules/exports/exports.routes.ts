import { PassThrough } from 'node:stream';
import { IdParams, Timestamp } from '@osiris/protocol';
import { z } from 'zod';
import { ACCESS } from '../../platform/access';
import type { App } from '../../platform/http';
import type { ExportsService } from './exports.service';

const tags = ['evidence'];

/** The period of an export: [from, to), ISO timestamps; to defaults to now, from to 31 days before. */
const EvidenceExportQuery = z.strictObject({ from: Timestamp.optional(), to: Timestamp.optional() });

/** Output buffered ahead of the client before the export waits for it to read. */
const HIGH_WATER_BYTES = 256 * 1024;

export function registerExportsRoutes(app: App, service: ExportsService): void {
  app.get(
    '/v1/practices/:id/evidence-export',
    {
      config: { access: ACCESS.tenantRead },
      schema: {
        tags,
        summary:
          "The practice's evidence of a period as a ZIP an auditor verifies offline (bundles, proofs, tree heads, timestamps, packets)",
        params: IdParams,
        querystring: EvidenceExportQuery,
      },
    },
    async (request, reply) => {
      const prepared = await service.prepare(request.actor, request.params.id, request.query);
      const body = new PassThrough({ highWaterMark: HIGH_WATER_BYTES });
      const abort = new AbortController();
      // Fastify destroys the body when the client goes away: stop reading and zipping then.
      body.on('close', () => {
        if (!body.writableFinished) abort.abort();
      });
      service.write(prepared, body, abort.signal).catch((error: unknown) => {
        if (!abort.signal.aborted) request.log.error({ err: error }, 'evidence export failed while streaming');
        body.destroy(error instanceof Error ? error : new Error(String(error)));
      });
      return reply
        .type('application/zip')
        .header('content-disposition', `attachment; filename="${prepared.filename}"`)
        .header('x-content-type-options', 'nosniff')
        .header('cache-control', 'private, no-store')
        .send(body);
    },
  );
}
