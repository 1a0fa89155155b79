-- Evidence retention (issue 8): how long a tenant keeps its evidence bundles, and the record of
-- every month the retention job purged or could not purge yet. Expiry never deletes silently.
--
-- Nothing references evidence_bundles by foreign key. What points at bundles by (appliance, seq):
-- latest_results (scores are computed from the newest result per host and check, so the job keeps
-- such a bundle until a newer result replaces it), escalations.evidence_seqs (history; a purged
-- seq there stays a dangling number, as in any record older than retention) and merkle_leaves
-- (hashes only, never deleted: inclusion of a purged bundle stays provable by its hash).

-- A partner's retention in months (no row: the default of 72, six years, what HIPAA asks of
-- documentation). Bounded so a typo cannot shorten it below six years or make it meaningless.
CREATE TABLE retention_partner_settings (
  partner_id uuid PRIMARY KEY REFERENCES partners (id) ON DELETE CASCADE,
  evidence_retention_months integer NOT NULL CHECK (evidence_retention_months BETWEEN 72 AND 1200),
  updated_at timestamptz NOT NULL,
  updated_by uuid REFERENCES users (id) ON DELETE SET NULL
);
CREATE INDEX retention_partner_settings_updated_by_idx ON retention_partner_settings (updated_by);

-- A practice's own retention, overriding its partner's (no row: the partner's applies).
CREATE TABLE retention_practice_settings (
  practice_id uuid PRIMARY KEY REFERENCES practices (id) ON DELETE CASCADE,
  evidence_retention_months integer NOT NULL CHECK (evidence_retention_months BETWEEN 72 AND 1200),
  updated_at timestamptz NOT NULL,
  updated_by uuid REFERENCES users (id) ON DELETE SET NULL
);
CREATE INDEX retention_practice_settings_updated_by_idx ON retention_practice_settings (updated_by);

-- One row per practice and calendar month (UTC) the job acted on: blocked (no packet for the
-- month yet; audited once) or purged (what was deleted, audited).
CREATE TABLE retention_runs (
  id uuid PRIMARY KEY,
  practice_id uuid NOT NULL REFERENCES practices (id) ON DELETE CASCADE,
  month date NOT NULL CHECK (extract(day FROM month) = 1),
  state text NOT NULL CHECK (state IN ('blocked', 'purged')),
  retention_months integer NOT NULL CHECK (retention_months BETWEEN 72 AND 1200),
  blocked_at timestamptz,
  purged_at timestamptz,
  purged_count bigint NOT NULL DEFAULT 0 CHECK (purged_count >= 0),
  kept_count bigint NOT NULL DEFAULT 0 CHECK (kept_count >= 0),
  packet_sha256 text,
  CHECK ((state = 'purged') = (purged_at IS NOT NULL)),
  UNIQUE (practice_id, month)
);

-- Per purged month and appliance: how many bundles went, how many were kept (latest results),
-- and the last purged bundle, whose seq and hash anchor the verification of what remains.
CREATE TABLE retention_run_appliances (
  run_id uuid NOT NULL REFERENCES retention_runs (id) ON DELETE CASCADE,
  appliance_id uuid NOT NULL REFERENCES appliances (id) ON DELETE RESTRICT,
  purged_count bigint NOT NULL CHECK (purged_count >= 0),
  kept_count bigint NOT NULL CHECK (kept_count >= 0),
  last_purged_seq bigint,
  last_purged_hash text,
  CHECK ((last_purged_seq IS NULL) = (last_purged_hash IS NULL)),
  PRIMARY KEY (run_id, appliance_id)
);
CREATE INDEX retention_run_appliances_appliance_idx ON retention_run_appliances (appliance_id, last_purged_seq);

-- The job finds a practice's bundles of one month by appliance and finish time.
CREATE INDEX evidence_bundles_appliance_finished_idx ON evidence_bundles (appliance_id, finished_at);

-- evidence_bundles stays append-only, except that the retention job may delete rows inside a
-- transaction that set `osiris.evidence_purge` to 'on' with SET LOCAL. UPDATE and TRUNCATE stay
-- refused; the audit and Merkle tables keep refuse_append_only_change unchanged.
CREATE FUNCTION evidence_bundles_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'DELETE' AND current_setting('osiris.evidence_purge', true) = 'on' THEN
    RETURN OLD;
  END IF;
  RAISE EXCEPTION '% is append-only: % refused', TG_TABLE_NAME, TG_OP USING ERRCODE = 'insufficient_privilege';
END;
$$;

DROP TRIGGER evidence_bundles_no_update_delete ON evidence_bundles;
CREATE TRIGGER evidence_bundles_no_update_delete BEFORE UPDATE OR DELETE ON evidence_bundles
  FOR EACH ROW EXECUTE FUNCTION evidence_bundles_append_only();
