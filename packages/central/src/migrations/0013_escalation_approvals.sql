-- L2 proposals that need a person's approval travel as escalations; an approval becomes a signed
-- run_runbook order to the appliance.
ALTER TABLE escalations ADD COLUMN proposal jsonb;
ALTER TABLE escalations ADD COLUMN approval_order_id uuid REFERENCES orders (id) ON DELETE RESTRICT;
ALTER TABLE escalations ADD COLUMN approved_by uuid REFERENCES users (id) ON DELETE SET NULL;
ALTER TABLE escalations ADD COLUMN approved_at timestamptz;
CREATE INDEX escalations_approval_order_idx ON escalations (approval_order_id);
CREATE INDEX escalations_approved_by_idx ON escalations (approved_by);
