-- Single-use codes an appliance presents to register to a site. Only a keyed hash is stored.
CREATE TABLE provision_codes (
  id uuid PRIMARY KEY,
  site_id uuid NOT NULL REFERENCES sites (id) ON DELETE CASCADE,
  code_hash text NOT NULL UNIQUE,
  created_by uuid REFERENCES users (id) ON DELETE SET NULL,
  expires_at timestamptz NOT NULL,
  used_at timestamptz,
  revoked_at timestamptz,
  created_at timestamptz NOT NULL
);
CREATE INDEX provision_codes_site_id_idx ON provision_codes (site_id, id);
CREATE INDEX provision_codes_created_by_idx ON provision_codes (created_by);
