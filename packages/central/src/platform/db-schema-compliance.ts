import type { ColumnType } from 'kysely';
import type { DecisionColumns, JsonArray, NullableId, OptionalTimestamp, Timestamp } from './db-column-types';

/** Row types of the compliance tables (exceptions, frameworks, attestations, scores, packets); merged into DB. */
export interface ComplianceExceptionsTable extends DecisionColumns {
  id: string;
  partner_id: string;
  practice_id: string;
  site_id: string;
  host_id: string | null;
  check_id: string | null;
  framework: string | null;
  control_id: string | null;
  check_ids: JsonArray;
  starts_at: Timestamp;
  expires_at: Timestamp;
  ended_at: OptionalTimestamp;
  ended_by: NullableId;
  end_note: ColumnType<string | null, string | null | undefined, string | null>;
}

interface SiteFrameworksTable {
  site_id: string;
  preset: string | null;
  frameworks: ColumnType<string[], string, string>;
  updated_by: string | null;
  updated_at: Timestamp;
}

export interface ComplianceAttestationsTable {
  id: string;
  partner_id: string;
  practice_id: string;
  framework: string;
  control_id: string;
  statement: string;
  document: Buffer;
  document_name: string;
  document_type: string;
  document_sha256: string;
  attested_by: string | null;
  attested_at: Timestamp;
  expires_at: Timestamp;
  revoked_at: OptionalTimestamp;
  revoked_by: NullableId;
}

interface ComplianceScoreSnapshotsTable {
  scope_type: string;
  scope_id: string;
  framework: string;
  /** A `date` column: kept as the 'YYYY-MM-DD' text PostgreSQL gives back when cast. */
  day: ColumnType<string, string, string>;
  at: Timestamp;
  score: ColumnType<string | number | null, number | null, number | null>;
  counts: ColumnType<Record<string, number>, string, string>;
  computed_at: Timestamp;
  verified_at: OptionalTimestamp;
}

interface CompliancePacketsTable {
  id: string;
  partner_id: string;
  practice_id: string;
  /** A `date` column (first day of the month): read as text through a cast. */
  month: ColumnType<string, string, string>;
  pdf: Buffer;
  sha256: string;
  pages: number;
  created_at: Timestamp;
  created_by: NullableId;
}

export interface ComplianceTables {
  compliance_exceptions: ComplianceExceptionsTable;
  site_frameworks: SiteFrameworksTable;
  compliance_attestations: ComplianceAttestationsTable;
  compliance_score_snapshots: ComplianceScoreSnapshotsTable;
  compliance_packets: CompliancePacketsTable;
}
