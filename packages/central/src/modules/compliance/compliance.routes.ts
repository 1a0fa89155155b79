import {
  Attestation,
  AttestationCreateRequest,
  AttestationList,
  ComplianceScore,
  FrameworkSelectionRequest,
  IdParams,
  PartnerComplianceDefaults,
  ScoreHistory,
  ScoreHistoryQuery,
  ScoreQuery,
  SiteFrameworks,
  SiteScoreQuery,
} from '@osiris/protocol';
import { ACCESS } from '../../platform/access';
import type { App } from '../../platform/http';
import type { ComplianceService } from './compliance.service';
import type { Snapshots } from './snapshots';

const tags = ['compliance'];
/** Who may attest a manual control or withdraw an attestation. */
const ATTEST = { platform: 'operator', partner: 'technician', practice: 'practice_admin' } as const;
/** Attestation documents are base64 in JSON: 2 MiB of file is about 2.7 MiB of body. */
const ATTESTATION_BODY_LIMIT = 3 * 1024 * 1024;

export function registerComplianceRoutes(app: App, service: ComplianceService, snapshots: Snapshots): void {
  app.get(
    '/v1/sites/:id/compliance',
    {
      config: { access: ACCESS.tenantRead },
      schema: {
        tags,
        summary: "The site's (or one host's) score per selected framework, every control's status, and the formula",
        params: IdParams,
        querystring: SiteScoreQuery,
        response: { 200: ComplianceScore },
      },
    },
    (request) => service.siteScore(request.actor, request.params.id, request.query.framework, request.query.hostId),
  );
  app.get(
    '/v1/practices/:id/compliance',
    {
      config: { access: ACCESS.tenantRead },
      schema: {
        tags,
        summary: "The practice's score per framework over all its sites, with its attestations",
        params: IdParams,
        querystring: ScoreQuery,
        response: { 200: ComplianceScore },
      },
    },
    (request) => service.practiceScore(request.actor, request.params.id, request.query.framework),
  );
  app.get(
    '/v1/partners/:id/compliance',
    {
      config: { access: ACCESS.staffRead },
      schema: {
        tags,
        summary: "The partner's score per framework: the mean of its practices' scores",
        params: IdParams,
        querystring: ScoreQuery,
        response: { 200: ComplianceScore },
      },
    },
    (request) => service.partnerScore(request.actor, request.params.id, request.query.framework),
  );
  for (const scope of ['sites', 'practices', 'partners'] as const)
    app.get(
      `/v1/${scope}/:id/score-history`,
      {
        config: { access: scope === 'partners' ? ACCESS.staffRead : ACCESS.tenantRead },
        schema: {
          tags,
          summary: 'Daily score snapshots (one per UTC day and framework), oldest first',
          params: IdParams,
          querystring: ScoreHistoryQuery,
          response: { 200: ScoreHistory },
        },
      },
      (request) =>
        snapshots.history(
          request.actor,
          scope === 'sites' ? 'site' : scope === 'practices' ? 'practice' : 'partner',
          request.params.id,
          request.query,
        ),
    );

  app.get(
    '/v1/sites/:id/frameworks',
    {
      config: { access: ACCESS.tenantRead },
      schema: {
        tags,
        summary: 'The frameworks the site is assessed against, and where that comes from',
        params: IdParams,
        response: { 200: SiteFrameworks },
      },
    },
    (request) => service.siteFrameworks(request.actor, request.params.id),
  );
  app.put(
    '/v1/sites/:id/frameworks',
    {
      config: { access: ACCESS.partnerAdmin },
      schema: {
        tags,
        summary: 'Choose a preset or frameworks for the site',
        params: IdParams,
        body: FrameworkSelectionRequest,
        response: { 200: SiteFrameworks },
      },
    },
    (request) => service.setSiteFrameworks(request.actor, request.params.id, request.body),
  );
  app.delete(
    '/v1/sites/:id/frameworks',
    {
      config: { access: ACCESS.partnerAdmin },
      schema: {
        tags,
        summary: "Return the site to its partner's default frameworks",
        params: IdParams,
        response: { 200: SiteFrameworks },
      },
    },
    (request) => service.setSiteFrameworks(request.actor, request.params.id, null),
  );
  app.get(
    '/v1/partners/:id/compliance-defaults',
    {
      config: { access: ACCESS.staffRead },
      schema: {
        tags,
        summary: 'The frameworks sites of this partner follow until they choose',
        params: IdParams,
        response: { 200: PartnerComplianceDefaults },
      },
    },
    (request) => service.partnerDefaults(request.actor, request.params.id),
  );
  app.put(
    '/v1/partners/:id/compliance-defaults',
    {
      config: { access: ACCESS.partnerAdmin },
      schema: {
        tags,
        summary: 'Set the default preset or frameworks for sites that have not chosen',
        params: IdParams,
        body: FrameworkSelectionRequest,
        response: { 200: PartnerComplianceDefaults },
      },
    },
    (request) => service.setPartnerDefaults(request.actor, request.params.id, request.body),
  );

  app.post(
    '/v1/practices/:id/attestations',
    {
      bodyLimit: ATTESTATION_BODY_LIMIT,
      config: { access: ATTEST },
      schema: {
        tags,
        summary:
          'Attest a manual control with a document (PDF, PNG, JPEG or text, at most 2 MiB); it counts until it expires',
        params: IdParams,
        body: AttestationCreateRequest,
        response: { 201: Attestation },
      },
    },
    async (request, reply) =>
      reply.code(201).send(await service.attest(request.actor, request.params.id, request.body)),
  );
  app.get(
    '/v1/practices/:id/attestations',
    {
      config: { access: ACCESS.tenantRead },
      schema: {
        tags,
        summary: "The practice's attestations, newest first",
        params: IdParams,
        response: { 200: AttestationList },
      },
    },
    (request) => service.attestations(request.actor, request.params.id),
  );
  app.get(
    '/v1/attestations/:id/document',
    {
      config: { access: ACCESS.tenantRead },
      schema: { tags, summary: "An attestation's document, as a download", params: IdParams },
    },
    async (request, reply) => {
      const doc = await service.attestationDocument(request.actor, request.params.id);
      return reply
        .header('content-type', doc.type)
        .header('content-disposition', `attachment; filename="${doc.name.replace(/["\\]/g, '_')}"`)
        .header('x-content-type-options', 'nosniff')
        .header('content-security-policy', "default-src 'none'")
        .header('cache-control', 'private, no-store')
        .send(doc.bytes);
    },
  );
  app.post(
    '/v1/attestations/:id/revoke',
    {
      config: { access: ATTEST },
      schema: {
        tags,
        summary: 'Withdraw an attestation (the control no longer counts as passing)',
        params: IdParams,
        response: { 200: Attestation },
      },
    },
    (request) => service.revokeAttestation(request.actor, request.params.id),
  );
}
