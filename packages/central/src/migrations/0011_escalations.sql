-- L3 escalations from appliances, for the people who look after the site.
CREATE TABLE escalations (
  id uuid PRIMARY KEY,
  appliance_id uuid NOT NULL REFERENCES appliances (id) ON DELETE RESTRICT,
  site_id uuid NOT NULL REFERENCES sites (id) ON DELETE RESTRICT,
  host_id uuid NOT NULL,
  hostname text NOT NULL,
  check_id text NOT NULL,
  priority text NOT NULL CHECK (priority IN ('critical', 'high', 'medium', 'low')),
  state text NOT NULL CHECK (state IN ('open', 'acknowledged', 'resolved')),
  summary text NOT NULL,
  detected jsonb NOT NULL,
  attempts jsonb NOT NULL,
  evidence_seqs jsonb NOT NULL,
  created_at timestamptz NOT NULL,
  received_at timestamptz NOT NULL,
  sla_due_at timestamptz NOT NULL,
  acknowledged_at timestamptz,
  acknowledged_by uuid REFERENCES users (id) ON DELETE SET NULL,
  resolved_at timestamptz,
  resolved_by uuid REFERENCES users (id) ON DELETE SET NULL,
  resolution text
);
CREATE INDEX escalations_site_idx ON escalations (site_id, state, received_at);
CREATE INDEX escalations_open_idx ON escalations (state, sla_due_at);
CREATE INDEX escalations_appliance_idx ON escalations (appliance_id);
CREATE INDEX escalations_acknowledged_by_idx ON escalations (acknowledged_by);
CREATE INDEX escalations_resolved_by_idx ON escalations (resolved_by);
