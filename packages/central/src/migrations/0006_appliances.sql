CREATE TABLE appliances (
  id uuid PRIMARY KEY,
  site_id uuid NOT NULL REFERENCES sites (id) ON DELETE RESTRICT,
  public_key text NOT NULL UNIQUE,
  token_hash text NOT NULL UNIQUE,
  hostname text NOT NULL,
  version text NOT NULL,
  status text NOT NULL CHECK (status IN ('active', 'flagged', 'revoked')),
  provision_code_id uuid REFERENCES provision_codes (id) ON DELETE SET NULL,
  registered_at timestamptz NOT NULL,
  last_checkin_at timestamptz,
  clock_offset_ms integer,
  last_health jsonb
);
CREATE INDEX appliances_site_id_idx ON appliances (site_id, id);
CREATE INDEX appliances_provision_code_id_idx ON appliances (provision_code_id);

-- Appliances act in the audit log under their own actor type.
ALTER TABLE audit_log DROP CONSTRAINT audit_log_actor_type_check;
ALTER TABLE audit_log ADD CONSTRAINT audit_log_actor_type_check
  CHECK (actor_type IN ('user', 'system', 'anonymous', 'appliance'));
