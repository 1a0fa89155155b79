-- Signed, hash-chained evidence bundles as received from appliances. Append-only.
CREATE TABLE evidence_bundles (
  appliance_id uuid NOT NULL REFERENCES appliances (id) ON DELETE RESTRICT,
  seq bigint NOT NULL,
  hash text NOT NULL UNIQUE,
  prev_hash text NOT NULL,
  signature text NOT NULL,
  host_id uuid NOT NULL,
  hostname text NOT NULL,
  check_id text NOT NULL,
  status text NOT NULL CHECK (status IN ('pass', 'fail', 'error', 'excepted')),
  finished_at timestamptz NOT NULL,
  received_at timestamptz NOT NULL,
  bundle jsonb NOT NULL,
  PRIMARY KEY (appliance_id, seq)
);
CREATE INDEX evidence_bundles_host_check_idx ON evidence_bundles (appliance_id, host_id, check_id, seq);

CREATE TRIGGER evidence_bundles_no_update_delete BEFORE UPDATE OR DELETE ON evidence_bundles
  FOR EACH ROW EXECUTE FUNCTION refuse_append_only_change();
CREATE TRIGGER evidence_bundles_no_truncate BEFORE TRUNCATE ON evidence_bundles
  FOR EACH STATEMENT EXECUTE FUNCTION refuse_append_only_change();

-- Where each appliance's accepted chain ends; the row lock serialises ingest per appliance.
CREATE TABLE evidence_chain_heads (
  appliance_id uuid PRIMARY KEY REFERENCES appliances (id) ON DELETE RESTRICT,
  seq bigint NOT NULL,
  hash text NOT NULL
);

-- The newest result per appliance, host and check, for dashboards.
CREATE TABLE latest_results (
  appliance_id uuid NOT NULL REFERENCES appliances (id) ON DELETE RESTRICT,
  host_id uuid NOT NULL,
  check_id text NOT NULL,
  hostname text NOT NULL,
  status text NOT NULL,
  seq bigint NOT NULL,
  finished_at timestamptz NOT NULL,
  PRIMARY KEY (appliance_id, host_id, check_id)
);
