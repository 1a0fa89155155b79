-- Monthly compliance packets (issue 8): one PDF per practice and calendar month, kept as made.
CREATE TABLE compliance_packets (
  id uuid PRIMARY KEY,
  partner_id uuid NOT NULL REFERENCES partners (id) ON DELETE CASCADE,
  practice_id uuid NOT NULL REFERENCES practices (id) ON DELETE CASCADE,
  -- The first day of the month covered.
  month date NOT NULL CHECK (extract(day FROM month) = 1),
  pdf bytea NOT NULL,
  sha256 text NOT NULL,
  pages integer NOT NULL CHECK (pages > 0),
  created_at timestamptz NOT NULL,
  created_by uuid REFERENCES users (id) ON DELETE SET NULL,
  UNIQUE (practice_id, month)
);
CREATE INDEX compliance_packets_partner_idx ON compliance_packets (partner_id);
CREATE INDEX compliance_packets_created_by_idx ON compliance_packets (created_by);
