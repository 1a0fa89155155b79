import type { Insertable, Selectable, Updateable } from 'kysely';
import type { Executor } from '../../platform/context';
import type { Int8, Json, NullableTimestamp, Timestamp } from '../../platform/db-column-types';

// Migration 0028, owned by this store; merged into DB. (appliances.update_channel is written here too.)
declare module '../../platform/db-schema' {
  interface DB {
    releases: ReleasesTable;
    release_artifact_chunks: {
      release_id: string;
      upload_id: string;
      chunk_index: number;
      data: Uint8Array;
      created_at: Timestamp;
    };
    rollouts: RolloutsTable;
    rollout_stages: RolloutStagesTable;
    rollout_appliances: RolloutAppliancesTable;
  }
  interface AppliancesTable {
    update_channel: import('kysely').ColumnType<string, string | undefined, string>;
  }
}

export interface ReleasesTable {
  id: string;
  version: string;
  channel: string;
  state: string;
  sha256: string;
  size_bytes: Int8;
  min_upgrade_from: string | null;
  notes: string;
  key_id: string;
  built_at: Timestamp;
  signed: Json;
  is_latest: import('kysely').ColumnType<boolean, boolean | undefined, boolean>;
  artifact_upload_id: string | null;
  created_at: Timestamp;
  created_by: string | null;
}

export interface RolloutsTable {
  id: string;
  release_id: string;
  name: string;
  target: Json;
  failure_threshold_percent: number;
  status: string;
  current_stage: number;
  pause_reason: string | null;
  acknowledged_failures: import('kysely').ColumnType<number, number | undefined, number>;
  created_at: Timestamp;
  created_by: string | null;
  updated_at: Timestamp;
  completed_at: NullableTimestamp;
}

export interface RolloutStagesTable {
  rollout_id: string;
  stage_index: number;
  percent: number;
  healthy_minutes: number | null;
  opened_at: NullableTimestamp;
  healthy_since: NullableTimestamp;
}

export interface RolloutAppliancesTable {
  rollout_id: string;
  appliance_id: string;
  stage: number;
  position: number;
  state: string;
  from_version: string | null;
  error_code: string | null;
  message: string | null;
  bytes_downloaded: Int8 | null;
  order_id: string | null;
  reported_healthy_at: NullableTimestamp;
  last_report_at: NullableTimestamp;
  updated_at: Timestamp;
}

export type ReleaseRow = Selectable<ReleasesTable>;
export type RolloutRow = Selectable<RolloutsTable>;
export type StageRow = Selectable<RolloutStagesTable>;
export type RolloutApplianceRow = Selectable<RolloutAppliancesTable>;

/** SQL for releases and their artifact chunks; nothing else. */
export function createReleasesStore() {
  return {
    insert: (db: Executor, row: Insertable<ReleasesTable>) =>
      db.insertInto('releases').values(row).returningAll().executeTakeFirstOrThrow(),
    byVersion: (db: Executor, version: string) =>
      db.selectFrom('releases').selectAll().where('version', '=', version).executeTakeFirst(),
    byVersionForUpdate: (db: Executor, version: string) =>
      db.selectFrom('releases').selectAll().where('version', '=', version).forUpdate().executeTakeFirst(),
    byId: (db: Executor, id: string) => db.selectFrom('releases').selectAll().where('id', '=', id).executeTakeFirst(),
    list: (db: Executor, filter: { channel?: string | undefined; state?: string | undefined }) => {
      let q = db.selectFrom('releases').selectAll().orderBy('created_at', 'desc').orderBy('id', 'desc').limit(500);
      if (filter.channel) q = q.where('channel', '=', filter.channel);
      if (filter.state) q = q.where('state', '=', filter.state);
      return q.execute();
    },
    update: (db: Executor, id: string, set: Updateable<ReleasesTable>) =>
      db.updateTable('releases').set(set).where('id', '=', id).returningAll().executeTakeFirstOrThrow(),
    /** Clears the latest flag of the channel (before another release takes it). */
    clearLatest: (db: Executor, channel: string) =>
      db
        .updateTable('releases')
        .set({ is_latest: false })
        .where('channel', '=', channel)
        .where('is_latest', '=', true)
        .execute(),

    insertChunk: (db: Executor, releaseId: string, uploadId: string, index: number, data: Uint8Array, at: Date) =>
      db
        .insertInto('release_artifact_chunks')
        .values({ release_id: releaseId, upload_id: uploadId, chunk_index: index, data, created_at: at })
        .execute(),
    deleteUpload: (db: Executor, releaseId: string, uploadId: string) =>
      db
        .deleteFrom('release_artifact_chunks')
        .where('release_id', '=', releaseId)
        .where('upload_id', '=', uploadId)
        .execute(),
    /** Chunks of uploads that never completed (crashed process), older than `before`. */
    async deleteAbandonedChunks(db: Executor, before: Date): Promise<number> {
      const rows = await db
        .deleteFrom('release_artifact_chunks')
        .where('created_at', '<', before)
        .where(({ not, exists, selectFrom }) =>
          not(
            exists(
              selectFrom('releases')
                .select('releases.id')
                .whereRef('releases.id', '=', 'release_artifact_chunks.release_id')
                .whereRef('releases.artifact_upload_id', '=', 'release_artifact_chunks.upload_id'),
            ),
          ),
        )
        .returning('chunk_index')
        .execute();
      return rows.length;
    },
    chunk: (db: Executor, releaseId: string, uploadId: string, index: number) =>
      db
        .selectFrom('release_artifact_chunks')
        .select('data')
        .where('release_id', '=', releaseId)
        .where('upload_id', '=', uploadId)
        .where('chunk_index', '=', index)
        .executeTakeFirst(),
  };
}
export type ReleasesStore = ReturnType<typeof createReleasesStore>;
