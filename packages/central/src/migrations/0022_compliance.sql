-- Compliance model (issue 7): framework selection per site (partner defaults for sites that never
-- chose), manual-control attestations with a document, and daily score snapshots for trends.
CREATE TABLE site_frameworks (
  site_id uuid PRIMARY KEY REFERENCES sites (id) ON DELETE CASCADE,
  preset text,
  frameworks jsonb NOT NULL,
  updated_by uuid REFERENCES users (id) ON DELETE SET NULL,
  updated_at timestamptz NOT NULL
);
CREATE INDEX site_frameworks_updated_by_idx ON site_frameworks (updated_by);

ALTER TABLE partners ADD COLUMN compliance_defaults jsonb;

-- A person vouches for a manual control (one no check can prove) with a document; it counts until it expires.
CREATE TABLE compliance_attestations (
  id uuid PRIMARY KEY,
  partner_id uuid NOT NULL REFERENCES partners (id) ON DELETE CASCADE,
  practice_id uuid NOT NULL REFERENCES practices (id) ON DELETE CASCADE,
  framework text NOT NULL,
  control_id text NOT NULL,
  statement text NOT NULL,
  document bytea NOT NULL,
  document_name text NOT NULL,
  document_type text NOT NULL,
  document_sha256 text NOT NULL,
  attested_by uuid REFERENCES users (id) ON DELETE SET NULL,
  attested_at timestamptz NOT NULL,
  expires_at timestamptz NOT NULL,
  revoked_at timestamptz,
  revoked_by uuid REFERENCES users (id) ON DELETE SET NULL,
  CHECK (expires_at > attested_at AND expires_at <= attested_at + interval '366 days')
);
CREATE INDEX compliance_attestations_practice_idx ON compliance_attestations (practice_id, framework, control_id);
CREATE INDEX compliance_attestations_partner_idx ON compliance_attestations (partner_id);
CREATE INDEX compliance_attestations_attested_by_idx ON compliance_attestations (attested_by);
CREATE INDEX compliance_attestations_revoked_by_idx ON compliance_attestations (revoked_by);

-- One score per scope, framework and UTC day, as computed at `at` (reproducible from stored rows).
CREATE TABLE compliance_score_snapshots (
  scope_type text NOT NULL CHECK (scope_type IN ('site', 'practice', 'partner')),
  scope_id uuid NOT NULL,
  framework text NOT NULL,
  day date NOT NULL,
  at timestamptz NOT NULL,
  score numeric(4, 1),
  counts jsonb NOT NULL,
  computed_at timestamptz NOT NULL,
  verified_at timestamptz,
  PRIMARY KEY (scope_type, scope_id, framework, day)
);
CREATE INDEX compliance_score_snapshots_day_idx ON compliance_score_snapshots (day);
