import {
  ConsistencyProofResponse,
  ConsistencyQuery,
  InclusionParams,
  InclusionProofResponse,
  InclusionQuery,
  LogKey,
  TreeHeadListQuery,
  TreeHeadPage,
  TreeHeadRecord,
  TreeSizeParams,
} from '@osiris/protocol';
import { ACCESS } from '../../platform/access';
import type { App } from '../../platform/http';
import type { ProofsService } from './proofs.service';

const tags = ['transparency'];

/**
 * The transparency log: signed tree heads and proofs. Heads and consistency proofs cover every
 * tenant's evidence as hashes only, so any signed-in caller reads them; an inclusion proof names
 * an appliance's bundle and is scoped to whoever reaches that appliance.
 */
export function registerTransparencyRoutes(app: App, service: ProofsService): void {
  app.get(
    '/v1/transparency/log-key',
    {
      config: { access: ACCESS.signedIn },
      schema: { tags, summary: 'The public key that signs tree heads, and its key id', response: { 200: LogKey } },
    },
    () => service.logKey(),
  );
  app.get(
    '/v1/tree-heads/latest',
    {
      config: { access: ACCESS.signedIn },
      schema: { tags, summary: 'The newest signed tree head', response: { 200: TreeHeadRecord } },
    },
    () => service.latest(),
  );
  app.get(
    '/v1/tree-heads',
    {
      config: { access: ACCESS.signedIn },
      schema: {
        tags,
        summary: 'Signed tree heads, newest first (page with cursor)',
        querystring: TreeHeadListQuery,
        response: { 200: TreeHeadPage },
      },
    },
    (request) => service.list(request.query),
  );
  app.get(
    '/v1/tree-heads/consistency',
    {
      config: { access: ACCESS.signedIn },
      schema: {
        tags,
        summary: 'RFC 6962 consistency proof between two stored tree heads',
        querystring: ConsistencyQuery,
        response: { 200: ConsistencyProofResponse },
      },
    },
    (request) => service.consistency(request.query),
  );
  app.get(
    '/v1/tree-heads/:size',
    {
      config: { access: ACCESS.signedIn },
      schema: { tags, summary: 'The tree head of one size', params: TreeSizeParams, response: { 200: TreeHeadRecord } },
    },
    (request) => service.at(request.params.size),
  );
  app.get(
    '/v1/appliances/:id/evidence/:seq/inclusion',
    {
      config: { access: ACCESS.tenantRead },
      schema: {
        tags,
        summary: 'RFC 6962 inclusion proof of one bundle in the given (or latest) tree head',
        params: InclusionParams,
        querystring: InclusionQuery,
        response: { 200: InclusionProofResponse },
      },
    },
    (request) => service.inclusion(request.actor, request.params.id, request.params.seq, request.query.treeSize),
  );
}
