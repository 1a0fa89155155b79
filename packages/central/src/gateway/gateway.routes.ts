import {
  ApplianceCheckinRequest,
  EvidenceUploadRequest,
  EvidenceUploadResponse,
  ApplianceCheckinResponse,
  ApplianceRegisterRequest,
  ApplianceRegisterResponse,
} from '@osiris/protocol';
import type { RegistrationService } from '../modules/appliances';
import type { EvidenceService } from '../modules/evidence';
import { type App, requireAppliance } from '../platform/http';

const tags = ['appliance gateway'];

/** The appliance-facing API: its own authentication (bearer tokens), called only by appliances. */
export function registerGatewayRoutes(app: App, registration: RegistrationService, evidence: EvidenceService): void {
  app.post(
    '/v1/appliance/register',
    {
      config: { access: 'public' },
      schema: {
        tags,
        summary: 'Register with a provision code, proving possession of the identity key',
        body: ApplianceRegisterRequest,
        response: { 201: ApplianceRegisterResponse },
      },
    },
    async (request, reply) => reply.code(201).send(await registration.register(request.actor, request.body)),
  );
  app.post(
    '/v1/appliance/checkin',
    {
      config: { access: 'appliance' },
      schema: {
        tags,
        summary: 'Report health; the reply carries signed orders',
        body: ApplianceCheckinRequest,
        response: { 200: ApplianceCheckinResponse },
      },
    },
    (request) => registration.checkin(requireAppliance(request), request.body),
  );
  app.post(
    '/v1/appliance/evidence',
    {
      config: { access: 'appliance' },
      schema: {
        tags,
        summary: 'Upload signed evidence bundles in chain order (idempotent; stops at the first that does not fit)',
        body: EvidenceUploadRequest,
        response: { 200: EvidenceUploadResponse },
      },
    },
    (request) => evidence.ingest(request.actor, requireAppliance(request), request.body),
  );
}
