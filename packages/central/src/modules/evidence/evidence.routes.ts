import { ACCESS } from '../../platform/access';
import {
  EvidenceChainReport,
  EvidenceListQuery,
  EvidencePage,
  HostHistoryPage,
  HostHistoryQuery,
  IdParams,
  LatestResultList,
} from '@osiris/protocol';
import type { App } from '../../platform/http';
import type { EvidenceService } from './evidence.service';

const tags = ['evidence'];

export function registerEvidenceRoutes(app: App, service: EvidenceService): void {
  app.get(
    '/v1/appliances/:id/evidence',
    {
      config: { access: ACCESS.tenantRead },
      schema: {
        tags,
        summary: "An appliance's signed evidence bundles in chain order",
        params: IdParams,
        querystring: EvidenceListQuery,
        response: { 200: EvidencePage },
      },
    },
    (request) => service.list(request.actor, request.params.id, request.query),
  );
  app.get(
    '/v1/appliances/:id/evidence/verify',
    {
      config: { access: ACCESS.tenantRead },
      schema: {
        tags,
        summary: "Re-verify every stored bundle's hash, signature and link",
        params: IdParams,
        response: { 200: EvidenceChainReport },
      },
    },
    (request) => service.verify(request.actor, request.params.id),
  );
  app.get(
    '/v1/sites/:id/results',
    {
      config: { access: ACCESS.tenantRead },
      schema: {
        tags,
        summary: 'The latest result of every check on every host of the site',
        params: IdParams,
        response: { 200: LatestResultList },
      },
    },
    (request) => service.latestForSite(request.actor, request.params.id),
  );
  app.get(
    '/v1/hosts/:id/results',
    {
      config: { access: ACCESS.tenantRead },
      schema: {
        tags,
        summary: 'The latest result of every check on one host (from the appliances of its site)',
        params: IdParams,
        response: { 200: LatestResultList },
      },
    },
    (request) => service.latestForHost(request.actor, request.params.id),
  );
  app.get(
    '/v1/hosts/:id/history',
    {
      config: { access: ACCESS.tenantRead },
      schema: {
        tags,
        summary: "A host's check runs, newest first (filter by checkId; page with cursor)",
        params: IdParams,
        querystring: HostHistoryQuery,
        response: { 200: HostHistoryPage },
      },
    },
    (request) => service.hostHistory(request.actor, request.params.id, request.query),
  );
}
