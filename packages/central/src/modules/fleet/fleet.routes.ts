import { Readable } from 'node:stream';
import {
  Id,
  IdParams,
  RELEASE_MAX_BYTES,
  Release,
  ReleaseChannel,
  ReleaseCreateRequest,
  ReleaseState,
  ReleaseVersion,
  Rollout,
  RolloutAppliance,
  RolloutCreateRequest,
  RolloutPauseRequest,
  RolloutStatus,
  UpdateStatusReport,
} from '@osiris/protocol';
import { z } from 'zod';
import { AppError } from '../../platform/errors';
import { type App, requireAppliance } from '../../platform/http';
import { parseByteRange } from './fleet.range';
import type { ReleasesService } from './releases.service';
import type { RolloutsService } from './rollouts.service';

const tags = ['fleet'];
/** Releases and rollouts belong to the platform: platform staff read them, platform admins change them. */
const READ = 'readonly' as const;
const ADMIN = 'admin' as const;

const VersionParams = z.strictObject({ version: ReleaseVersion });
const ReleaseListQuery = z.strictObject({ channel: ReleaseChannel.optional(), state: ReleaseState.optional() });
const ReleaseList = z.object({ items: z.array(Release) });
const RolloutListQuery = z.strictObject({ status: RolloutStatus.optional() });
const RolloutList = z.object({ items: z.array(Rollout) });
const RolloutApplianceList = z.object({ items: z.array(RolloutAppliance) });
const EmptyBody = z.strictObject({}).optional();
const UpdateChannelRequest = z.strictObject({ channel: ReleaseChannel });
const UpdateChannelResponse = z.object({ applianceId: Id, channel: ReleaseChannel });

export function registerFleetRoutes(app: App, releases: ReleasesService, rollouts: RolloutsService): void {
  app.get(
    '/v1/releases',
    {
      config: { access: READ },
      schema: {
        tags,
        summary: 'Appliance releases, newest first',
        querystring: ReleaseListQuery,
        response: { 200: ReleaseList },
      },
    },
    (request) => releases.list(request.query),
  );
  app.post(
    '/v1/releases',
    {
      config: { access: ADMIN },
      schema: {
        tags,
        summary:
          'Register a release from its signed manifest (the signature must verify against a configured release key)',
        body: ReleaseCreateRequest,
        response: { 201: Release },
      },
    },
    async (request, reply) => reply.code(201).send(await releases.register(request.actor, request.body)),
  );
  app.get(
    '/v1/releases/:version',
    {
      config: { access: READ },
      schema: { tags, summary: 'One release', params: VersionParams, response: { 200: Release } },
    },
    (request) => releases.get(request.params.version),
  );
  app.put(
    '/v1/releases/:version/latest',
    {
      config: { access: ADMIN },
      schema: {
        tags,
        summary: 'Mark the release latest of its channel',
        params: VersionParams,
        body: EmptyBody,
        response: { 200: Release },
      },
    },
    (request) => releases.setLatest(request.actor, request.params.version),
  );
  app.post(
    '/v1/releases/:version/withdraw',
    {
      config: { access: ADMIN },
      schema: {
        tags,
        summary: 'Withdraw the release: no new rollouts or downloads; its running rollouts pause',
        params: VersionParams,
        body: EmptyBody,
        response: { 200: Release },
      },
    },
    (request) => releases.withdraw(request.actor, request.params.version),
  );

  // The artifact upload takes a raw body, streamed: its own scope so only this parser applies.
  void app.register(async (scope: App) => {
    scope.removeAllContentTypeParsers();
    scope.addContentTypeParser('application/octet-stream', (_request, payload, done) => done(null, payload));
    scope.addContentTypeParser('*', (_request, _payload, done) =>
      done(new AppError('UNSUPPORTED_MEDIA_TYPE', 'Send the artifact as application/octet-stream'), undefined),
    );
    scope.put(
      '/v1/releases/:version/artifact',
      {
        config: { access: ADMIN },
        bodyLimit: RELEASE_MAX_BYTES,
        schema: {
          tags,
          summary:
            "Upload the release's artifact (application/octet-stream); checked against the signed size and SHA-256",
          consumes: ['application/octet-stream'],
          params: VersionParams,
          response: { 200: Release },
        },
      },
      (request) => {
        const length = request.headers['content-length'];
        if (request.body === undefined || request.body === null)
          throw new AppError('UNSUPPORTED_MEDIA_TYPE', 'Send the artifact as application/octet-stream');
        return releases.uploadArtifact(
          request.actor,
          request.params.version,
          request.body as AsyncIterable<Uint8Array>,
          length === undefined ? null : Number(length),
        );
      },
    );
  });

  app.get(
    '/v1/appliance/releases/:version/artifact',
    {
      config: { access: 'appliance' },
      schema: {
        tags: ['appliance gateway'],
        summary: 'Download an available release artifact; Range requests resume (ETag = SHA-256)',
        params: VersionParams,
      },
    },
    async (request, reply) => {
      requireAppliance(request);
      const found = await releases.openArtifact(request.params.version);
      if (!found) throw new AppError('NOT_FOUND', 'Release not found or not available');
      const size = Number(found.row.size_bytes);
      const etag = `"${found.row.sha256}"`;
      const ifRange = request.headers['if-range'];
      const range = ifRange && ifRange !== etag ? null : parseByteRange(request.headers.range, size);
      reply.header('accept-ranges', 'bytes').header('etag', etag).header('content-type', 'application/octet-stream');
      if (range === 'unsatisfiable') return reply.code(416).header('content-range', `bytes */${size}`).send();
      const { start, end } = range ?? { start: 0, end: size - 1 };
      if (range) reply.code(206).header('content-range', `bytes ${start}-${end}/${size}`);
      reply.header('content-length', String(end - start + 1));
      return reply.send(Readable.from(releases.readArtifact(found.row.id, found.uploadId, start, end)));
    },
  );
  app.post(
    '/v1/appliance/update-status',
    {
      config: { access: 'appliance' },
      schema: {
        tags: ['appliance gateway'],
        summary:
          "Report one transition of this appliance's install in a rollout (idempotent; late reports change nothing)",
        body: UpdateStatusReport,
        response: { 200: RolloutAppliance },
      },
    },
    (request) => rollouts.report(request.actor, requireAppliance(request), request.body),
  );

  app.get(
    '/v1/rollouts',
    {
      config: { access: READ },
      schema: {
        tags,
        summary: 'Rollouts, newest first, with progress per stage',
        querystring: RolloutListQuery,
        response: { 200: RolloutList },
      },
    },
    (request) => rollouts.list(request.query.status),
  );
  app.post(
    '/v1/rollouts',
    {
      config: { access: ADMIN },
      schema: {
        tags,
        summary: 'Start a staged rollout of an available release; the first stage gets signed install orders at once',
        body: RolloutCreateRequest,
        response: { 201: Rollout },
      },
    },
    async (request, reply) => reply.code(201).send(await rollouts.create(request.actor, request.body)),
  );
  app.get(
    '/v1/rollouts/:id',
    {
      config: { access: READ },
      schema: { tags, summary: 'One rollout with progress per stage', params: IdParams, response: { 200: Rollout } },
    },
    (request) => rollouts.get(request.params.id),
  );
  app.get(
    '/v1/rollouts/:id/appliances',
    {
      config: { access: READ },
      schema: {
        tags,
        summary: 'The state of every appliance of the rollout',
        params: IdParams,
        response: { 200: RolloutApplianceList },
      },
    },
    (request) => rollouts.appliances(request.params.id),
  );
  app.post(
    '/v1/rollouts/:id/pause',
    {
      config: { access: ADMIN },
      schema: {
        tags,
        summary: 'Pause an active rollout',
        params: IdParams,
        body: RolloutPauseRequest.optional(),
        response: { 200: Rollout },
      },
    },
    (request) => rollouts.pause(request.actor, request.params.id, request.body?.reason),
  );
  for (const action of ['resume', 'cancel', 'advance'] as const)
    app.post(
      `/v1/rollouts/:id/${action}`,
      {
        config: { access: ADMIN },
        schema: {
          tags,
          summary: {
            resume: 'Resume a paused rollout (its current failures are accepted; a new one pauses it again)',
            cancel: 'Cancel an active or paused rollout: no more orders are issued',
            advance: 'Open the next stage of an active rollout now',
          }[action],
          params: IdParams,
          body: EmptyBody,
          response: { 200: Rollout },
        },
      },
      (request) => rollouts[action](request.actor, request.params.id),
    );

  app.put(
    '/v1/appliances/:id/update-channel',
    {
      config: { access: ADMIN },
      schema: {
        tags,
        summary: 'Set the release channel an appliance follows (default stable)',
        params: IdParams,
        body: UpdateChannelRequest,
        response: { 200: UpdateChannelResponse },
      },
    },
    (request) => rollouts.setUpdateChannel(request.actor, request.params.id, request.body.channel),
  );
}
