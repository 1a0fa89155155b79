import {
  IdParams,
  PracticeTransfer,
  PracticeTransferApproveRequest,
  PracticeTransferCreateRequest,
  PracticeTransferList,
  PracticeTransferListQuery,
  PracticeTransferParams,
  PracticeTransferPage,
  PracticeTransferRejectRequest,
} from '@osiris/protocol';
import type { App } from '../../platform/http';
import type { TransfersService } from './transfers.service';

const tags = ['practice transfers'];

export function registerTransfersRoutes(app: App, service: TransfersService): void {
  app.post(
    '/v1/practices/:id/transfer-requests',
    {
      config: { access: { platform: 'operator', practice: 'practice_owner' } },
      schema: {
        tags,
        summary: 'Ask to move the practice to another partner (a platform admin decides)',
        params: IdParams,
        body: PracticeTransferCreateRequest,
        response: { 201: PracticeTransfer },
      },
    },
    async (request, reply) =>
      reply.code(201).send(await service.request(request.actor, request.params.id, request.body)),
  );
  app.get(
    '/v1/practices/:id/transfer-requests',
    {
      config: { access: { platform: 'readonly', partner: 'partner_readonly', practice: 'practice_owner' } },
      schema: {
        tags,
        summary: "The practice's transfer requests, newest first",
        params: IdParams,
        response: { 200: PracticeTransferList },
      },
    },
    (request) => service.listForPractice(request.actor, request.params.id),
  );
  app.post(
    '/v1/practices/:id/transfer-requests/:requestId/cancel',
    {
      config: { access: { platform: 'operator', practice: 'practice_owner' } },
      schema: {
        tags,
        summary: 'Withdraw a pending transfer request',
        params: PracticeTransferParams,
        response: { 200: PracticeTransfer },
      },
    },
    (request) => service.cancel(request.actor, request.params.id, request.params.requestId),
  );
  app.get(
    '/v1/admin/practice-transfers',
    {
      config: { access: 'readonly' },
      schema: {
        tags,
        summary: 'Every transfer request, filtered by state',
        querystring: PracticeTransferListQuery,
        response: { 200: PracticeTransferPage },
      },
    },
    (request) => service.list(request.query),
  );
  app.post(
    '/v1/admin/practice-transfers/:id/approve',
    {
      config: { access: 'admin' },
      schema: {
        tags,
        summary: 'Approve: the practice moves to the new partner now; its owner is emailed',
        params: IdParams,
        body: PracticeTransferApproveRequest,
        response: { 200: PracticeTransfer },
      },
    },
    (request) => service.approve(request.actor, request.params.id, request.body?.note),
  );
  app.post(
    '/v1/admin/practice-transfers/:id/reject',
    {
      config: { access: 'admin' },
      schema: {
        tags,
        summary: 'Reject, saying why; the practice owner is emailed',
        params: IdParams,
        body: PracticeTransferRejectRequest,
        response: { 200: PracticeTransfer },
      },
    },
    (request) => service.reject(request.actor, request.params.id, request.body.note),
  );
}
