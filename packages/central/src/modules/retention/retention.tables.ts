import type { ColumnType, Kysely, Transaction } from 'kysely';
import type { Int8, NullableTimestamp, Timestamp } from '../../platform/db-column-types';
import type { Executor } from '../../platform/context';
import type { DB } from '../../platform/db-schema';

/**
 * Row types of the retention tables (migration 0026). Kept with the module that owns them and
 * joined to the shared DB type with `withTables`, so the shared schema file stays small.
 */
interface RetentionSettingColumns {
  evidence_retention_months: number;
  updated_at: Timestamp;
  updated_by: string | null;
}

interface RetentionPartnerSettingsTable extends RetentionSettingColumns {
  partner_id: string;
}

interface RetentionPracticeSettingsTable extends RetentionSettingColumns {
  practice_id: string;
}

interface RetentionRunsTable {
  id: string;
  practice_id: string;
  /** A `date` column: read as `YYYY-MM` text through to_char, written as `YYYY-MM-01`. */
  month: ColumnType<string, string, string>;
  state: 'blocked' | 'purged';
  retention_months: number;
  blocked_at: NullableTimestamp;
  purged_at: NullableTimestamp;
  purged_count: ColumnType<string | number, number | undefined, number>;
  kept_count: ColumnType<string | number, number | undefined, number>;
  packet_sha256: string | null;
}

interface RetentionRunAppliancesTable {
  run_id: string;
  appliance_id: string;
  purged_count: Int8;
  kept_count: Int8;
  last_purged_seq: ColumnType<string | number | null, number | null, number | null>;
  last_purged_hash: string | null;
}

export type RetentionTables = {
  retention_partner_settings: RetentionPartnerSettingsTable;
  retention_practice_settings: RetentionPracticeSettingsTable;
  retention_runs: RetentionRunsTable;
  retention_run_appliances: RetentionRunAppliancesTable;
};

export type RetentionDB = DB & RetentionTables;
export type RetentionExecutor = Kysely<RetentionDB> | Transaction<RetentionDB>;

/** The same transaction for other modules' stores (the audit log), which know only the shared DB type. */
export const asExecutor = (trx: RetentionExecutor): Executor => trx as unknown as Executor;
