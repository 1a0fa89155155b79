-- Escalations with P1–P4 priorities and acknowledge SLAs (issue 7): assignment, notes, and the
-- breach job's mark. A partner may override the default SLA minutes per priority.
ALTER TABLE escalations DROP CONSTRAINT escalations_priority_check;
UPDATE escalations SET priority = CASE priority
  WHEN 'critical' THEN 'P1' WHEN 'high' THEN 'P2' WHEN 'medium' THEN 'P3' ELSE 'P4' END;
ALTER TABLE escalations ADD CONSTRAINT escalations_priority_check CHECK (priority IN ('P1', 'P2', 'P3', 'P4'));
ALTER TABLE escalations ADD COLUMN assigned_to uuid REFERENCES users (id) ON DELETE SET NULL;
ALTER TABLE escalations ADD COLUMN assigned_at timestamptz;
ALTER TABLE escalations ADD COLUMN breached_at timestamptz;
CREATE INDEX escalations_assigned_to_idx ON escalations (assigned_to);
CREATE INDEX escalations_breach_idx ON escalations (sla_due_at) WHERE state = 'open' AND breached_at IS NULL;

CREATE TABLE escalation_notes (
  id uuid PRIMARY KEY,
  escalation_id uuid NOT NULL REFERENCES escalations (id) ON DELETE CASCADE,
  author_id uuid REFERENCES users (id) ON DELETE SET NULL,
  body text NOT NULL,
  created_at timestamptz NOT NULL
);
CREATE INDEX escalation_notes_escalation_idx ON escalation_notes (escalation_id, created_at);
CREATE INDEX escalation_notes_author_idx ON escalation_notes (author_id);

ALTER TABLE partners ADD COLUMN escalation_sla jsonb;
