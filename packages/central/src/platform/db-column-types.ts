import type { ColumnType } from 'kysely';

/** Column types shared by the row types in db-schema*.ts. */
export type Timestamp = ColumnType<Date, Date | string | undefined, Date | string>;
export type NullableTimestamp = ColumnType<Date | null, Date | string | null | undefined, Date | string | null>;
export type Json = ColumnType<Record<string, unknown>, string, string>;
export type NullableId = ColumnType<string | null, string | null | undefined, string | null>;
export type OptionalTimestamp = ColumnType<Date | null, Date | string | null | undefined, Date | string | null>;
export type Int8 = ColumnType<string | number | bigint, number | bigint, number | bigint>;
export type JsonArray = ColumnType<unknown[], string, string>;

/** A request someone decides on: who asked when, who decided when, and why. */
export interface DecisionColumns {
  reason: string;
  state: string;
  requested_by: string | null;
  requested_at: Timestamp;
  decided_by: NullableId;
  decided_at: OptionalTimestamp;
  decision_note: ColumnType<string | null, string | null | undefined, string | null>;
}
