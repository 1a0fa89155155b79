import type { ColumnType, Generated } from 'kysely';
import type { ComplianceTables } from './db-schema-compliance';
import type {
  DecisionColumns,
  Int8,
  Json,
  JsonArray,
  NullableId,
  NullableTimestamp,
  OptionalTimestamp,
  Timestamp,
} from './db-column-types';

export type { ComplianceAttestationsTable, ComplianceExceptionsTable } from './db-schema-compliance';

/** Row types of every table, keyed by table name. Each table is owned by one store. */

interface SchemaMigrationsTable {
  version: number;
  name: string;
  checksum: string;
  applied_at: Generated<Date>;
}

interface ServerSettingsTable {
  key: string;
  value: string;
  created_at: Generated<Date>;
}

interface RateLimitCountersTable {
  bucket: string;
  window_start: Timestamp;
  hits: number;
}

export interface UsersTable {
  id: string;
  email: string;
  name: string;
  role: string;
  status: Generated<string>;
  /** Null for people who sign in by OpenID Connect or emailed link (everyone but platform staff). */
  password_hash: string | null;
  failed_login_count: Generated<number>;
  locked_until: NullableTimestamp;
  totp_secret_enc: string | null;
  totp_enabled: Generated<boolean>;
  totp_last_step: Int8 | null;
  last_login_at: NullableTimestamp;
  password_changed_at: Timestamp;
  created_at: Timestamp;
  updated_at: Timestamp;
  partner_id: NullableId;
  practice_id: NullableId;
  oidc_issuer: ColumnType<string | null, string | null | undefined, string | null>;
  oidc_subject: ColumnType<string | null, string | null | undefined, string | null>;
  access_starts_at: OptionalTimestamp;
  access_expires_at: OptionalTimestamp;
}

export interface SessionsTable {
  id: string;
  token_hash: string;
  user_id: string;
  csrf_token: string;
  ip: string | null;
  user_agent: string | null;
  created_at: Timestamp;
  last_seen_at: Timestamp;
  expires_at: Timestamp;
}

export interface InvitationsTable {
  id: string;
  email: string;
  role: string;
  token_hash: string;
  invited_by: string | null;
  expires_at: Timestamp;
  accepted_at: NullableTimestamp;
  accepted_user_id: string | null;
  revoked_at: NullableTimestamp;
  created_at: Timestamp;
  partner_id: NullableId;
  practice_id: NullableId;
  access_starts_at: OptionalTimestamp;
  access_expires_at: OptionalTimestamp;
}

export interface PartnersTable {
  id: string;
  name: string;
  slug: string;
  contact_email: string | null;
  status: string;
  created_at: Timestamp;
  updated_at: Timestamp;
  brand_name: ColumnType<string | null, string | null | undefined, string | null>;
  brand_color: ColumnType<string | null, string | null | undefined, string | null>;
  logo_type: ColumnType<string | null, string | null | undefined, string | null>;
  logo: ColumnType<Buffer | null, Buffer | null | undefined, Buffer | null>;
  decided_by: NullableId;
  decided_at: OptionalTimestamp;
  decision_reason: ColumnType<string | null, string | null | undefined, string | null>;
  escalation_sla: ColumnType<Record<string, number> | null, string | null | undefined, string | null>;
  compliance_defaults: ColumnType<Record<string, unknown> | null, string | null | undefined, string | null>;
}

export interface ApiKeysTable {
  id: string;
  partner_id: string;
  name: string;
  prefix: string;
  key_hash: string;
  scope: string;
  created_by: string | null;
  created_at: Timestamp;
  expires_at: Timestamp;
  last_used_at: OptionalTimestamp;
  revoked_at: OptionalTimestamp;
  revoked_by: NullableId;
}

export interface SignInLinksTable {
  id: string;
  token_hash: string;
  browser_hash: string;
  user_id: string;
  created_at: Timestamp;
  expires_at: Timestamp;
  used_at: OptionalTimestamp;
  ip: string | null;
}

export interface PracticeTransfersTable extends DecisionColumns {
  id: string;
  practice_id: string;
  from_partner_id: string;
  to_partner_id: string;
}

export interface PracticesTable {
  id: string;
  partner_id: string;
  name: string;
  contact_email: string | null;
  status: string;
  created_at: Timestamp;
  updated_at: Timestamp;
}

export interface SitesTable {
  id: string;
  practice_id: string;
  name: string;
  address: string | null;
  timezone: string;
  status: string;
  created_at: Timestamp;
  updated_at: Timestamp;
}

export interface HostsTable {
  id: string;
  site_id: string;
  hostname: string;
  address: string | null;
  platform: string;
  role: string;
  status: string;
  created_at: Timestamp;
  updated_at: Timestamp;
}

export interface AuditLogTable {
  id: string;
  seq: Int8;
  occurred_at: Timestamp;
  actor_type: string;
  actor_id: string | null;
  actor_label: string | null;
  action: string;
  target_type: string | null;
  target_id: string | null;
  outcome: string;
  ip: string | null;
  request_id: string | null;
  details: Json;
  prev_hash: string;
  hash: string;
}

export interface ProvisionCodesTable {
  id: string;
  site_id: string;
  code_hash: string;
  created_by: string | null;
  expires_at: Timestamp;
  used_at: NullableTimestamp;
  revoked_at: NullableTimestamp;
  created_at: Timestamp;
}

export interface AppliancesTable {
  id: string;
  site_id: string;
  public_key: string;
  token_hash: string;
  previous_token_hash: ColumnType<string | null, string | null | undefined, string | null>;
  hostname: string;
  version: string;
  status: string;
  provision_code_id: string | null;
  registered_at: Timestamp;
  last_checkin_at: NullableTimestamp;
  clock_offset_ms: number | null;
  last_health: ColumnType<Record<string, unknown> | null, string | null, string | null>;
}

interface EvidenceBundlesTable {
  appliance_id: string;
  seq: Int8;
  hash: string;
  prev_hash: string;
  signature: string;
  host_id: string;
  hostname: string;
  check_id: string;
  status: string;
  finished_at: Timestamp;
  received_at: Timestamp;
  bundle: Json;
}

interface EvidenceChainHeadsTable {
  appliance_id: string;
  seq: Int8;
  hash: string;
}

interface LatestResultsTable {
  appliance_id: string;
  host_id: string;
  check_id: string;
  hostname: string;
  status: string;
  seq: Int8;
  finished_at: Timestamp;
}

export interface OrdersTable {
  id: string;
  appliance_id: string;
  type: string;
  state: string;
  created_by: string | null;
  issued_at: Timestamp;
  expires_at: Timestamp;
  delivered_at: NullableTimestamp;
  completed_at: NullableTimestamp;
  result_code: string | null;
  result_message: string | null;
  signed: Json;
}

/** jsonb holding an array (attempts, evidence seqs). */

export interface EscalationsTable {
  id: string;
  appliance_id: string;
  site_id: string;
  host_id: string;
  hostname: string;
  check_id: string;
  priority: string;
  state: string;
  summary: string;
  detected: Json;
  attempts: JsonArray;
  evidence_seqs: JsonArray;
  created_at: Timestamp;
  received_at: Timestamp;
  sla_due_at: Timestamp;
  acknowledged_at: NullableTimestamp;
  acknowledged_by: string | null;
  resolved_at: NullableTimestamp;
  resolved_by: string | null;
  resolution: string | null;
  proposal: ColumnType<Record<string, unknown> | null, string | null | undefined, string | null>;
  approval_order_id: ColumnType<string | null, string | null | undefined, string | null>;
  approved_by: ColumnType<string | null, string | null | undefined, string | null>;
  approved_at: ColumnType<Date | null, Date | string | null | undefined, Date | string | null>;
  assigned_to: NullableId;
  assigned_at: OptionalTimestamp;
  breached_at: OptionalTimestamp;
}

export interface EscalationNotesTable {
  id: string;
  escalation_id: string;
  author_id: string | null;
  body: string;
  created_at: Timestamp;
}

interface PatternReportsTable {
  appliance_id: string;
  pattern_signature: string;
  site_id: string;
  check_id: string;
  incident_type: string;
  occurrences: Int8;
  l1_attempts: Int8;
  l1_successes: Int8;
  l2_attempts: Int8;
  l2_successes: Int8;
  l3_escalations: Int8;
  first_seen_at: Timestamp;
  last_seen_at: Timestamp;
  received_at: Timestamp;
}

export interface PatternFixReportsTable {
  appliance_id: string;
  pattern_signature: string;
  tier: string;
  runbook_id: string;
  params_key: string;
  params: Json;
  attempts: Int8;
  successes: Int8;
}

export interface LearningDecisionsTable {
  candidate_id: string;
  pattern_signature: string;
  check_id: string;
  runbook_id: string;
  params: Json;
  decision: string;
  rule: ColumnType<Record<string, unknown> | null, string | null, string | null>;
  note: string | null;
  l2_attempts: Int8;
  l2_successes: Int8;
  appliance_count: number;
  site_count: number;
  incident_type: string;
  first_seen_at: Timestamp;
  last_seen_at: Timestamp;
  decided_by: string | null;
  decided_at: Timestamp;
  partner_id: ColumnType<string | null, string | null | undefined, string | null>;
}

export interface EmailOutboxTable {
  id: string;
  to_address: string;
  template: string;
  subject: string;
  text_body: string | null;
  html_body: string | null;
  status: Generated<string>;
  attempts: Generated<number>;
  next_attempt_at: Timestamp;
  last_error: string | null;
  created_at: Timestamp;
  sent_at: NullableTimestamp;
}

export interface OidcLoginStatesTable {
  state_hash: string;
  issuer_id: string;
  nonce: string;
  code_verifier: string | null;
  browser_hash: string;
  purpose: string;
  return_to: string | null;
  created_at: Timestamp;
  expires_at: Timestamp;
  used_at: NullableTimestamp;
}

export interface DB extends ComplianceTables {
  schema_migrations: SchemaMigrationsTable;
  email_outbox: EmailOutboxTable;
  server_settings: ServerSettingsTable;
  rate_limit_counters: RateLimitCountersTable;
  users: UsersTable;
  sessions: SessionsTable;
  invitations: InvitationsTable;
  partners: PartnersTable;
  practices: PracticesTable;
  sites: SitesTable;
  hosts: HostsTable;
  audit_log: AuditLogTable;
  provision_codes: ProvisionCodesTable;
  appliances: AppliancesTable;
  evidence_bundles: EvidenceBundlesTable;
  evidence_chain_heads: EvidenceChainHeadsTable;
  latest_results: LatestResultsTable;
  orders: OrdersTable;
  escalations: EscalationsTable;
  pattern_reports: PatternReportsTable;
  pattern_fix_reports: PatternFixReportsTable;
  learning_decisions: LearningDecisionsTable;
  api_keys: ApiKeysTable;
  sign_in_links: SignInLinksTable;
  practice_transfers: PracticeTransfersTable;
  oidc_login_states: OidcLoginStatesTable;
  escalation_notes: EscalationNotesTable;
}

// The transparency log (migration 0023), owned by modules/transparency; merged into DB above.
type TreeHeadRow = { tree_size: Int8; root_hash: string; issued_at: Timestamp; signature: string; key_id: string };
type TreeHeadTsa = { tsa_token: Uint8Array | null; tsa_time: NullableTimestamp; tsa_error: string | null };
export interface DB {
  merkle_leaves: { leaf_index: Int8; appliance_id: string; seq: Int8; bundle_hash: string; appended_at: Timestamp };
  merkle_nodes: { level: number; node_index: Int8; hash: Uint8Array };
  tree_heads: TreeHeadRow & TreeHeadTsa;
  // Migration 0025: accepted bundles not yet appended as leaves.
  merkle_queue: { id: Generated<Int8>; appliance_id: string; seq: Int8; bundle_hash: string; queued_at: Timestamp };
}
