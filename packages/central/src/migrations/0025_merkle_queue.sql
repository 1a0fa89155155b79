-- Accepted bundles waiting for the transparency log. The evidence ingest inserts here in its own
-- transaction, without the log lock; the log writer appends them as leaves in id order, under the
-- lock, and deletes them in the same transaction, so each becomes exactly one leaf.
CREATE TABLE merkle_queue (
  id bigserial PRIMARY KEY,
  appliance_id uuid NOT NULL REFERENCES appliances (id) ON DELETE RESTRICT,
  seq bigint NOT NULL,
  bundle_hash text NOT NULL,
  queued_at timestamptz NOT NULL,
  UNIQUE (appliance_id, seq)
);
