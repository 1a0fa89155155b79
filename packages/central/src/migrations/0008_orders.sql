-- Orders central signed for an appliance, delivered in check-in replies and answered by it.
CREATE TABLE orders (
  id uuid PRIMARY KEY,
  appliance_id uuid NOT NULL REFERENCES appliances (id) ON DELETE RESTRICT,
  type text NOT NULL,
  state text NOT NULL CHECK (state IN ('pending', 'delivered', 'succeeded', 'failed', 'refused', 'expired')),
  created_by uuid REFERENCES users (id) ON DELETE SET NULL,
  issued_at timestamptz NOT NULL,
  expires_at timestamptz NOT NULL,
  delivered_at timestamptz,
  completed_at timestamptz,
  result_code text,
  result_message text,
  signed jsonb NOT NULL
);
CREATE INDEX orders_appliance_id_idx ON orders (appliance_id, issued_at);
CREATE INDEX orders_created_by_idx ON orders (created_by);
