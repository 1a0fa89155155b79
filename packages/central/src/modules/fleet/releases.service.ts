import { createHash } from 'node:crypto';
import {
  type Release,
  type ReleaseCreateRequest,
  type ReleaseManifest,
  type SignedReleaseManifest,
  verifyReleaseManifest,
} from '@osiris/protocol';
import type { Kysely } from 'kysely';
import type { ActorContext } from '../../platform/context';
import type { DB } from '../../platform/db-schema';
import { isUniqueViolation } from '../../platform/db-errors';
import { AppError, invalidField, notFound } from '../../platform/errors';
import { newId } from '../../platform/ids';
import type { AuditService } from '../audit';
import type { ReleaseRow, ReleasesStore } from './fleet.store';
import type { RolloutsStore } from './rollouts.store';

/** Artifacts are stored in chunks of this size (a Range request reads only the chunks it covers). */
export const ARTIFACT_CHUNK_BYTES = 1024 * 1024;
/** Chunks of an upload that never finished are deleted after this long. */
const ABANDONED_UPLOAD_MS = 6 * 60 * 60_000;

function toRelease(row: ReleaseRow): Release {
  return {
    id: row.id,
    version: row.version,
    channel: row.channel as Release['channel'],
    state: row.state as Release['state'],
    sha256: row.sha256,
    sizeBytes: Number(row.size_bytes),
    minUpgradeFrom: row.min_upgrade_from,
    notes: row.notes,
    keyId: row.key_id,
    builtAt: row.built_at.toISOString(),
    createdAt: row.created_at.toISOString(),
    createdBy: row.created_by,
    latest: row.is_latest,
    signed: row.signed as unknown as SignedReleaseManifest,
  };
}

export function createReleasesService(deps: {
  db: Kysely<DB>;
  store: ReleasesStore;
  rollouts: RolloutsStore;
  audit: AuditService;
  trustedKeys: readonly string[];
  now: () => Date;
}) {
  const { db, store, rollouts, audit, trustedKeys, now } = deps;

  async function mustGet(version: string): Promise<ReleaseRow> {
    const row = await store.byVersion(db, version);
    if (!row) throw notFound('Release');
    return row;
  }

  /** Deletes a failed upload's chunks and records the failure; returns the error to throw. */
  async function failUpload(actor: ActorContext, row: ReleaseRow, uploadId: string, error: AppError) {
    await store.deleteUpload(db, row.id, uploadId);
    await audit.recordEvent(actor, {
      action: 'release.artifact_uploaded',
      outcome: 'failure',
      targetType: 'release',
      targetId: row.id,
      details: { version: row.version, reason: error.message },
    });
    return error;
  }

  return {
    /** Registers a release from its signed manifest; the signature must verify against a configured key. */
    async register(actor: ActorContext, input: ReleaseCreateRequest): Promise<Release> {
      const verdict = await verifyReleaseManifest(input.signed, trustedKeys);
      if (!verdict.ok) {
        await audit.recordEvent(actor, {
          action: 'release.registered',
          outcome: 'denied',
          targetType: 'release',
          details: { version: input.signed.manifest.version, keyId: input.signed.keyId, code: verdict.code },
        });
        const path = verdict.code === 'UNKNOWN_KEY' ? ['signed', 'keyId'] : ['signed', 'signature'];
        throw invalidField(path, verdict.message, verdict.code);
      }
      const manifest: ReleaseManifest = verdict.manifest;
      const at = now();
      try {
        return await db.transaction().execute(async (trx) => {
          const row = await store.insert(trx, {
            id: newId(at.getTime()),
            version: manifest.version,
            channel: input.channel,
            state: 'awaiting_artifact',
            sha256: manifest.sha256,
            size_bytes: manifest.sizeBytes,
            min_upgrade_from: manifest.minUpgradeFrom,
            notes: manifest.notes,
            key_id: input.signed.keyId,
            built_at: manifest.builtAt,
            signed: JSON.stringify(input.signed),
            created_at: at,
            created_by: actor.actorType === 'user' ? actor.actorId : null,
          });
          await audit.record(trx, actor, {
            action: 'release.registered',
            targetType: 'release',
            targetId: row.id,
            details: { version: row.version, channel: row.channel, keyId: row.key_id, sha256: row.sha256 },
          });
          return toRelease(row);
        });
      } catch (error) {
        if (isUniqueViolation(error)) throw new AppError('CONFLICT', `Release ${manifest.version} already exists`);
        throw error;
      }
    },

    async list(filter: { channel?: string | undefined; state?: string | undefined }): Promise<{ items: Release[] }> {
      return { items: (await store.list(db, filter)).map(toRelease) };
    },

    get: async (version: string): Promise<Release> => toRelease(await mustGet(version)),

    /**
     * Streams the artifact into 1 MiB chunks under a fresh upload id, hashing as it goes. Only when
     * the size and SHA-256 match the signed manifest does the release name this upload and become
     * `available`; any failure deletes the upload's chunks and leaves the release as it was.
     */
    async uploadArtifact(
      actor: ActorContext,
      version: string,
      body: AsyncIterable<Uint8Array>,
      declaredLength: number | null,
    ): Promise<Release> {
      const row = await mustGet(version);
      const size = Number(row.size_bytes);
      if (row.state !== 'awaiting_artifact')
        throw new AppError('CONFLICT', `Release ${version} is ${row.state}; its artifact cannot be replaced`);
      const uploadId = newId();
      if (declaredLength !== null && declaredLength > size)
        throw await failUpload(
          actor,
          row,
          uploadId,
          new AppError('PAYLOAD_TOO_LARGE', `The manifest says ${size} bytes; ${declaredLength} were sent`),
        );
      const hash = createHash('sha256');
      let total = 0;
      let index = 0;
      let pending: Buffer[] = [];
      let pendingBytes = 0;
      const flush = async (all: boolean) => {
        while (pendingBytes >= ARTIFACT_CHUNK_BYTES || (all && pendingBytes > 0)) {
          const joined = Buffer.concat(pending);
          const chunk = joined.subarray(0, Math.min(ARTIFACT_CHUNK_BYTES, joined.length));
          const rest = joined.subarray(chunk.length);
          await store.insertChunk(db, row.id, uploadId, index, chunk, now());
          index += 1;
          pending = rest.length > 0 ? [rest] : [];
          pendingBytes = rest.length;
        }
      };
      try {
        for await (const piece of body) {
          total += piece.length;
          if (total > size)
            throw await failUpload(
              actor,
              row,
              uploadId,
              new AppError('PAYLOAD_TOO_LARGE', `The manifest says ${size} bytes; more were sent`),
            );
          hash.update(piece);
          pending.push(Buffer.from(piece.buffer, piece.byteOffset, piece.byteLength));
          pendingBytes += piece.length;
          await flush(false);
        }
        await flush(true);
      } catch (error) {
        if (error instanceof AppError) throw error;
        await store.deleteUpload(db, row.id, uploadId);
        throw new AppError('BAD_REQUEST', 'The upload was interrupted', { cause: error });
      }
      if (total !== size)
        throw await failUpload(
          actor,
          row,
          uploadId,
          new AppError('BAD_REQUEST', `The manifest says ${size} bytes; ${total} were sent`, {
            details: { code: 'SIZE_MISMATCH', expected: size, received: total },
          }),
        );
      const digest = hash.digest('hex');
      if (digest !== row.sha256)
        throw await failUpload(
          actor,
          row,
          uploadId,
          new AppError('BAD_REQUEST', 'The artifact does not match the SHA-256 of the signed manifest', {
            details: { code: 'HASH_MISMATCH', expected: row.sha256, received: digest },
          }),
        );
      try {
        return await db.transaction().execute(async (trx) => {
          const current = await store.byVersionForUpdate(trx, version);
          if (current?.state !== 'awaiting_artifact')
            throw new AppError('CONFLICT', `Release ${version} is ${current?.state ?? 'gone'}`);
          const updated = await store.update(trx, row.id, { state: 'available', artifact_upload_id: uploadId });
          await audit.record(trx, actor, {
            action: 'release.artifact_uploaded',
            targetType: 'release',
            targetId: row.id,
            details: { version, sizeBytes: total, sha256: digest },
          });
          return toRelease(updated);
        });
      } catch (error) {
        await store.deleteUpload(db, row.id, uploadId);
        throw error;
      }
    },

    /** Marks the release latest of its channel (the channel's previous latest loses it). */
    async setLatest(actor: ActorContext, version: string): Promise<Release> {
      return db.transaction().execute(async (trx) => {
        const row = await store.byVersionForUpdate(trx, version);
        if (!row) throw notFound('Release');
        if (row.state !== 'available')
          throw new AppError('CONFLICT', `Only an available release can be latest; ${version} is ${row.state}`);
        if (row.is_latest) return toRelease(row);
        await store.clearLatest(trx, row.channel);
        const updated = await store.update(trx, row.id, { is_latest: true });
        await audit.record(trx, actor, {
          action: 'release.latest',
          targetType: 'release',
          targetId: row.id,
          details: { version, channel: row.channel },
        });
        return toRelease(updated);
      });
    },

    /** No new rollout may use it, appliances can no longer download it, and its running rollouts pause. */
    async withdraw(actor: ActorContext, version: string): Promise<Release> {
      return db.transaction().execute(async (trx) => {
        const row = await store.byVersionForUpdate(trx, version);
        if (!row) throw notFound('Release');
        if (row.state === 'withdrawn') throw new AppError('CONFLICT', `Release ${version} is already withdrawn`);
        const updated = await store.update(trx, row.id, { state: 'withdrawn', is_latest: false });
        await audit.record(trx, actor, {
          action: 'release.withdrawn',
          targetType: 'release',
          targetId: row.id,
          details: { version, previousState: row.state },
        });
        const reason = `Release ${version} was withdrawn`;
        for (const rollout of await rollouts.ofRelease(trx, row.id, ['active'])) {
          await rollouts.update(trx, rollout.id, { status: 'paused', pause_reason: reason, updated_at: now() });
          await audit.record(trx, actor, {
            action: 'rollout.paused',
            targetType: 'rollout',
            targetId: rollout.id,
            details: { reason, mode: 'release_withdrawn', version },
          });
        }
        return toRelease(updated);
      });
    },

    /** The verified artifact of an available release, bytes [start, end]; null when there is none. */
    async openArtifact(version: string): Promise<{ row: ReleaseRow; uploadId: string } | null> {
      const row = await store.byVersion(db, version);
      if (row?.state !== 'available' || !row.artifact_upload_id) return null;
      return { row, uploadId: row.artifact_upload_id };
    },

    /** Streams bytes [start, end] (inclusive) of a stored artifact, one chunk read at a time. */
    async *readArtifact(releaseId: string, uploadId: string, start: number, end: number): AsyncIterable<Uint8Array> {
      for (let index = Math.floor(start / ARTIFACT_CHUNK_BYTES); index * ARTIFACT_CHUNK_BYTES <= end; index++) {
        const chunk = await store.chunk(db, releaseId, uploadId, index);
        if (!chunk) throw new Error(`artifact chunk ${index} of release ${releaseId} is missing`);
        const base = index * ARTIFACT_CHUNK_BYTES;
        const from = Math.max(0, start - base);
        const to = Math.min(chunk.data.length, end - base + 1);
        yield chunk.data.subarray(from, to);
      }
    },

    /** Job: deletes chunks of uploads that died with their process. */
    purgeAbandonedUploads: () => store.deleteAbandonedChunks(db, new Date(now().getTime() - ABANDONED_UPLOAD_MS)),
  };
}
export type ReleasesService = ReturnType<typeof createReleasesService>;
