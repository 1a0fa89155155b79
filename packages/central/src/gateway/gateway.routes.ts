import {
  ApplianceCheckinRequest,
  EvidenceUploadRequest,
  EvidenceUploadResponse,
  OrderRecord,
  OrderResultParams,
  OrderResultRequest,
  ApplianceCheckinResponse,
  ApplianceRegisterRequest,
  ApplianceRegisterResponse,
  ApplianceEscalationRequest,
  AppliancePatternsRequest,
  AppliancePatternsResponse,
  Escalation,
  TokenRotationRequest,
  TokenRotationResponse,
  ApplianceProofsQuery,
  ApplianceProofsResponse,
} from '@osiris/protocol';
import type { RegistrationService } from '../modules/appliances';
import type { EscalationsService } from '../modules/escalations';
import type { EvidenceService } from '../modules/evidence';
import type { LearningService } from '../modules/learning';
import type { ExceptionsService } from '../modules/exceptions';
import type { OrdersService } from '../modules/orders';
import type { ProofsService } from '../modules/transparency';
import type { WorkstationsService } from '../modules/workstations';
import { type App, requireAppliance } from '../platform/http';

const tags = ['appliance gateway'];

/** The appliance-facing API: its own authentication (bearer tokens), called only by appliances. */
export interface GatewayServices {
  registration: RegistrationService;
  evidence: EvidenceService;
  orders: OrdersService;
  escalations: EscalationsService;
  learning: LearningService;
  exceptions: Pick<ExceptionsService, 'onRegistered'>;
  workstations: Pick<WorkstationsService, 'onRegistered'>;
  proofs: Pick<ProofsService, 'applianceProofs'>;
}

export function registerGatewayRoutes(
  app: App,
  { registration, evidence, orders, escalations, learning, exceptions, workstations, proofs }: GatewayServices,
): void {
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
    async (request, reply) => {
      const registered = await registration.register(request.actor, request.body);
      // The rules people promoted apply to appliances that join later too.
      await learning.onRegistered(registered.applianceId);
      // So do the site's approved compliance exceptions.
      await exceptions.onRegistered(registered.applianceId, registered.siteId);
      // And the site's workstation-agent tier.
      await workstations.onRegistered(registered.applianceId, registered.siteId);
      return reply.code(201).send(registered);
    },
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
    async (request) => {
      const appliance = requireAppliance(request);
      const status = await registration.checkin(appliance, request.body);
      return { schemaVersion: 1 as const, ...status, orders: await orders.deliver(appliance) };
    },
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
  app.post(
    '/v1/appliance/orders/:orderId/result',
    {
      config: { access: 'appliance' },
      schema: {
        tags,
        summary: 'Answer an order: applied, failed, or refused (with the reason code)',
        params: OrderResultParams,
        body: OrderResultRequest,
        response: { 200: OrderRecord },
      },
    },
    (request) => orders.recordResult(request.actor, requireAppliance(request), request.params.orderId, request.body),
  );
  app.post(
    '/v1/appliance/token',
    {
      config: { access: 'appliance' },
      schema: {
        tags,
        summary: 'Rotate the bearer token, answering an open rotate_token order with a fresh proof of the identity key',
        body: TokenRotationRequest,
        response: { 200: TokenRotationResponse },
      },
    },
    async (request) => {
      const appliance = requireAppliance(request);
      await orders.requireOpen(appliance, request.body.orderId, 'rotate_token');
      return registration.rotateToken(request.actor, appliance, request.body);
    },
  );
  app.post(
    '/v1/appliance/escalations',
    {
      config: { access: 'appliance' },
      schema: {
        tags,
        summary: 'Escalate to people (L3): what was detected, what was tried, the evidence; a resend is answered 200',
        body: ApplianceEscalationRequest,
        response: { 200: Escalation, 201: Escalation },
      },
    },
    async (request, reply) => {
      const { escalation, isNew } = await escalations.receive(request.actor, requireAppliance(request), request.body);
      return reply.code(isNew ? 201 : 200).send(escalation);
    },
  );
  app.post(
    '/v1/appliance/patterns',
    {
      config: { access: 'appliance' },
      schema: {
        tags,
        summary: 'Report incident-pattern statistics (totals per pattern) for the learning loop',
        body: AppliancePatternsRequest,
        response: { 200: AppliancePatternsResponse },
      },
    },
    (request) => learning.receiveReports(requireAppliance(request), request.body),
  );
  app.get(
    '/v1/appliance/proofs',
    {
      config: { access: 'appliance' },
      schema: {
        tags,
        summary: "Inclusion proofs of the appliance's own bundles after afterSeq in the latest signed tree head",
        querystring: ApplianceProofsQuery,
        response: { 200: ApplianceProofsResponse },
      },
    },
    (request) => proofs.applianceProofs(requireAppliance(request).applianceId, request.query),
  );
}
