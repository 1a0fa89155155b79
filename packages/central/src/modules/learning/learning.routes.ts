import { ACCESS } from '../../platform/access';
import {
  LearningApproval,
  LearningCandidate,
  LearningCandidateList,
  LearningCandidateParams,
  LearningCandidateQuery,
  LearningDecisionRequest,
  LearningRejectRequest,
} from '@osiris/protocol';
import type { App } from '../../platform/http';
import type { LearningService } from './learning.service';

const tags = ['learning'];

export function registerLearningRoutes(app: App, service: LearningService): void {
  app.get(
    '/v1/learning/candidates',
    {
      config: { access: ACCESS.staffRead },
      schema: {
        tags,
        summary: 'L2 fixes that earned promotion (≥ 5 fixes, ≥ 90 % success over all appliances) and past decisions',
        querystring: LearningCandidateQuery,
        response: { 200: LearningCandidateList },
      },
    },
    async (request) => ({ items: await service.list(request.actor, request.query) }),
  );
  app.post(
    '/v1/learning/candidates/:id/approve',
    {
      config: { access: { platform: 'admin', partner: 'partner_admin' } },
      schema: {
        tags,
        summary: 'Promote a candidate to an L1 rule (with provenance) and send the rule set to every appliance',
        params: LearningCandidateParams,
        body: LearningDecisionRequest,
        response: { 200: LearningApproval },
      },
    },
    (request) => service.approve(request.actor, request.params.id, request.body),
  );
  app.post(
    '/v1/learning/candidates/:id/reject',
    {
      config: { access: { platform: 'admin', partner: 'partner_admin' } },
      schema: {
        tags,
        summary: 'Reject a candidate, with the reason; it stays an L2 matter',
        params: LearningCandidateParams,
        body: LearningRejectRequest,
        response: { 200: LearningCandidate },
      },
    },
    (request) => service.reject(request.actor, request.params.id, request.body),
  );
}
