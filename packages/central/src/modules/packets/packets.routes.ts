import { CompliancePacket, CompliancePacketList, IdParams, PacketCreateRequest } from '@osiris/protocol';
import { ACCESS } from '../../platform/access';
import type { App } from '../../platform/http';
import type { PacketsService } from './packets.service';

const tags = ['packets'];
/** Practice owners and admins, partner technicians and platform operators make packets on demand. */
const CREATE = { platform: 'operator', partner: 'technician', practice: 'practice_admin' } as const;

export function registerPacketsRoutes(app: App, service: PacketsService): void {
  app.get(
    '/v1/practices/:id/packets',
    {
      config: { access: ACCESS.tenantRead },
      schema: {
        tags,
        summary: "The practice's monthly compliance packets, newest month first",
        params: IdParams,
        response: { 200: CompliancePacketList },
      },
    },
    (request) => service.list(request.actor, request.params.id),
  );
  app.post(
    '/v1/practices/:id/packets',
    {
      config: { access: CREATE },
      schema: {
        tags,
        summary: 'Make the packet of a month that is over (201); a month already made answers the stored packet (200)',
        params: IdParams,
        body: PacketCreateRequest,
        response: { 200: CompliancePacket, 201: CompliancePacket },
      },
    },
    async (request, reply) => {
      const { packet, isNew } = await service.create(request.actor, request.params.id, request.body.month);
      return reply.code(isNew ? 201 : 200).send(packet);
    },
  );
  app.get(
    '/v1/packets/:id/pdf',
    {
      config: { access: ACCESS.tenantRead },
      schema: { tags, summary: 'A packet as a PDF download', params: IdParams },
    },
    async (request, reply) => {
      const file = await service.pdf(request.actor, request.params.id);
      return reply
        .type('application/pdf')
        .header('content-disposition', `attachment; filename="${file.filename}"`)
        .header('x-content-type-options', 'nosniff')
        .header('content-security-policy', "default-src 'none'")
        .header('cache-control', 'private, no-store')
        .send(file.bytes);
    },
  );
}
