-- The learning loop: what each appliance reports about its incident patterns, and the decisions
-- people made about promoting L2 fixes to L1 rules.

-- One pattern's counters on one appliance (totals: a newer report replaces the older one).
CREATE TABLE pattern_reports (
  appliance_id uuid NOT NULL REFERENCES appliances (id) ON DELETE CASCADE,
  pattern_signature text NOT NULL CHECK (pattern_signature ~ '^[0-9a-f]{64}$'),
  site_id uuid NOT NULL REFERENCES sites (id) ON DELETE CASCADE,
  check_id text NOT NULL,
  incident_type text NOT NULL,
  occurrences bigint NOT NULL CHECK (occurrences >= 0),
  l1_attempts bigint NOT NULL CHECK (l1_attempts >= 0),
  l1_successes bigint NOT NULL CHECK (l1_successes >= 0),
  l2_attempts bigint NOT NULL CHECK (l2_attempts >= 0),
  l2_successes bigint NOT NULL CHECK (l2_successes >= 0),
  l3_escalations bigint NOT NULL CHECK (l3_escalations >= 0),
  first_seen_at timestamptz NOT NULL,
  last_seen_at timestamptz NOT NULL,
  received_at timestamptz NOT NULL,
  PRIMARY KEY (appliance_id, pattern_signature)
);
CREATE INDEX pattern_reports_site_idx ON pattern_reports (site_id);
CREATE INDEX pattern_reports_signature_idx ON pattern_reports (pattern_signature);

-- Per pattern, tier, runbook and parameters (canonical JSON in params_key): attempts and fixes.
CREATE TABLE pattern_fix_reports (
  appliance_id uuid NOT NULL,
  pattern_signature text NOT NULL,
  tier text NOT NULL CHECK (tier IN ('L1', 'L2')),
  runbook_id text NOT NULL,
  params_key text NOT NULL,
  params jsonb NOT NULL,
  attempts bigint NOT NULL CHECK (attempts >= 0),
  successes bigint NOT NULL CHECK (successes >= 0 AND successes <= attempts),
  PRIMARY KEY (appliance_id, pattern_signature, tier, runbook_id, params_key),
  FOREIGN KEY (appliance_id, pattern_signature) REFERENCES pattern_reports (appliance_id, pattern_signature)
    ON DELETE CASCADE
);
CREATE INDEX pattern_fix_reports_candidates_idx ON pattern_fix_reports (tier, pattern_signature, runbook_id, params_key);

-- A person's decision on a candidate (approve: the rule it became, with provenance; or reject).
CREATE TABLE learning_decisions (
  candidate_id text PRIMARY KEY CHECK (candidate_id ~ '^[0-9a-f]{64}$'),
  pattern_signature text NOT NULL,
  check_id text NOT NULL,
  runbook_id text NOT NULL,
  params jsonb NOT NULL,
  decision text NOT NULL CHECK (decision IN ('approved', 'rejected')),
  rule jsonb,
  note text,
  l2_attempts bigint NOT NULL,
  l2_successes bigint NOT NULL,
  appliance_count integer NOT NULL,
  site_count integer NOT NULL,
  incident_type text NOT NULL,
  first_seen_at timestamptz NOT NULL,
  last_seen_at timestamptz NOT NULL,
  decided_by uuid REFERENCES users (id) ON DELETE SET NULL,
  decided_at timestamptz NOT NULL,
  CHECK ((decision = 'approved') = (rule IS NOT NULL))
);
CREATE INDEX learning_decisions_decided_by_idx ON learning_decisions (decided_by);
CREATE INDEX learning_decisions_approved_idx ON learning_decisions (decision, decided_at);
