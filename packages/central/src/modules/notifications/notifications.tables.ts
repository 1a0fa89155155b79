import type { ColumnType, Generated, Kysely, Transaction } from 'kysely';
import type { DB } from '../../platform/db-schema';

/**
 * Row types of the notification tables (migration 0021). Kept with the module that owns them and
 * joined to the shared DB type with `withTables`, so the shared schema file stays small.
 */
type Timestamp = ColumnType<Date, Date | string, Date | string>;
type NullableTimestamp = ColumnType<Date | null, Date | string | null | undefined, Date | string | null>;
type JsonList = ColumnType<unknown, string, string>;

export interface NotificationChannelsTable {
  id: string;
  partner_id: string | null;
  name: string;
  kind: string;
  is_enabled: Generated<boolean>;
  settings_enc: string;
  target: string;
  secret_hint: string | null;
  created_by: string | null;
  created_at: Timestamp;
  updated_at: Timestamp;
}

export interface NotificationRulesTable {
  id: string;
  partner_id: string | null;
  event_types: JsonList;
  min_priority: string;
  created_at: Timestamp;
  updated_at: Timestamp;
}

interface NotificationRuleChannelsTable {
  rule_id: string;
  channel_id: string;
}

export interface NotificationDeliveriesTable {
  id: string;
  channel_id: string;
  partner_id: string | null;
  event_type: string;
  priority: string;
  title: string;
  body: string;
  link: string | null;
  dedup_key: string;
  is_digest: Generated<boolean>;
  digest_id: string | null;
  status: string;
  attempts: Generated<number>;
  max_attempts: number;
  suppressed_count: Generated<number>;
  next_attempt_at: NullableTimestamp;
  last_status_code: number | null;
  last_error: string | null;
  created_at: Timestamp;
  sent_at: NullableTimestamp;
}

export type NotificationTables = {
  notification_channels: NotificationChannelsTable;
  notification_rules: NotificationRulesTable;
  notification_rule_channels: NotificationRuleChannelsTable;
  notification_deliveries: NotificationDeliveriesTable;
};

export type NotificationsDB = DB & NotificationTables;
export type NotificationsExecutor = Kysely<NotificationsDB> | Transaction<NotificationsDB>;
