-- Partner admins promote L2 fixes seen on their own appliances, for their own appliances; a
-- platform admin's decision (partner_id NULL) applies to every appliance.
ALTER TABLE learning_decisions ADD COLUMN partner_id uuid REFERENCES partners (id) ON DELETE CASCADE;
CREATE INDEX learning_decisions_partner_idx ON learning_decisions (partner_id, decision);
