-- A host's history (newest first, per check) without scanning every bundle of its appliances.
CREATE INDEX evidence_bundles_host_history_idx ON evidence_bundles (host_id, check_id, finished_at DESC);
