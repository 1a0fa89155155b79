-- Compliance exceptions (issue 7): a site or one of its hosts excused from a check, or from every
-- check evidencing a control, for a bounded time. Rows are never deleted: state changes are audited.
CREATE TABLE compliance_exceptions (
  id uuid PRIMARY KEY,
  partner_id uuid NOT NULL REFERENCES partners (id) ON DELETE CASCADE,
  practice_id uuid NOT NULL REFERENCES practices (id) ON DELETE CASCADE,
  site_id uuid NOT NULL REFERENCES sites (id) ON DELETE CASCADE,
  -- A host registered in central or one the site's appliances report results for (no foreign key).
  host_id uuid,
  check_id text,
  framework text,
  control_id text,
  check_ids jsonb NOT NULL,
  reason text NOT NULL,
  state text NOT NULL CHECK (state IN ('pending', 'approved', 'rejected', 'revoked', 'expired')),
  requested_by uuid REFERENCES users (id) ON DELETE SET NULL,
  requested_at timestamptz NOT NULL,
  decided_by uuid REFERENCES users (id) ON DELETE SET NULL,
  decided_at timestamptz,
  decision_note text,
  starts_at timestamptz NOT NULL,
  expires_at timestamptz NOT NULL,
  ended_at timestamptz,
  ended_by uuid REFERENCES users (id) ON DELETE SET NULL,
  -- Why it was revoked early (null for an expiry).
  end_note text,
  CHECK ((check_id IS NULL) = (control_id IS NOT NULL)),
  CHECK ((control_id IS NULL) = (framework IS NULL)),
  CHECK (expires_at > starts_at AND expires_at <= starts_at + interval '365 days')
);
CREATE INDEX compliance_exceptions_site_idx ON compliance_exceptions (site_id, state, requested_at);
CREATE INDEX compliance_exceptions_due_idx ON compliance_exceptions (state, expires_at);
CREATE INDEX compliance_exceptions_partner_idx ON compliance_exceptions (partner_id);
CREATE INDEX compliance_exceptions_practice_idx ON compliance_exceptions (practice_id);
CREATE INDEX compliance_exceptions_host_idx ON compliance_exceptions (host_id);
CREATE INDEX compliance_exceptions_requested_by_idx ON compliance_exceptions (requested_by);
CREATE INDEX compliance_exceptions_decided_by_idx ON compliance_exceptions (decided_by);
CREATE INDEX compliance_exceptions_ended_by_idx ON compliance_exceptions (ended_by);
