-- Notifications (issue 7): channels owned by the platform (partner_id NULL) or a partner, routing
-- rules, and the delivery outbox. Channel settings (URLs, secrets, addresses) are stored only
-- encrypted with the server keyring; `target` and `secret_hint` are what the API may show.
CREATE TABLE notification_channels (
  id uuid PRIMARY KEY,
  partner_id uuid REFERENCES partners (id) ON DELETE CASCADE,
  name text NOT NULL,
  kind text NOT NULL CHECK (kind IN ('email', 'webhook', 'slack', 'teams', 'sms')),
  is_enabled boolean NOT NULL DEFAULT true,
  settings_enc text NOT NULL,
  target text NOT NULL,
  secret_hint text,
  created_by uuid REFERENCES users (id) ON DELETE SET NULL,
  created_at timestamptz NOT NULL,
  updated_at timestamptz NOT NULL
);
CREATE INDEX notification_channels_partner_idx ON notification_channels (partner_id, created_at);
CREATE INDEX notification_channels_created_by_idx ON notification_channels (created_by);

CREATE TABLE notification_rules (
  id uuid PRIMARY KEY,
  partner_id uuid REFERENCES partners (id) ON DELETE CASCADE,
  event_types jsonb NOT NULL,
  min_priority text NOT NULL CHECK (min_priority IN ('P1', 'P2', 'P3', 'P4')),
  created_at timestamptz NOT NULL,
  updated_at timestamptz NOT NULL
);
CREATE INDEX notification_rules_partner_idx ON notification_rules (partner_id);

CREATE TABLE notification_rule_channels (
  rule_id uuid NOT NULL REFERENCES notification_rules (id) ON DELETE CASCADE,
  channel_id uuid NOT NULL REFERENCES notification_channels (id) ON DELETE CASCADE,
  PRIMARY KEY (rule_id, channel_id)
);
CREATE INDEX notification_rule_channels_channel_idx ON notification_rule_channels (channel_id);

-- One row per event and channel (or one digest). Digests collect the held rows of a flood.
CREATE TABLE notification_deliveries (
  id uuid PRIMARY KEY,
  channel_id uuid NOT NULL REFERENCES notification_channels (id) ON DELETE CASCADE,
  partner_id uuid REFERENCES partners (id) ON DELETE CASCADE,
  event_type text NOT NULL,
  priority text NOT NULL,
  title text NOT NULL,
  body text NOT NULL,
  link text,
  dedup_key text NOT NULL,
  is_digest boolean NOT NULL DEFAULT false,
  digest_id uuid REFERENCES notification_deliveries (id) ON DELETE SET NULL,
  status text NOT NULL CHECK (status IN ('queued', 'held', 'digested', 'sent', 'failed')),
  attempts integer NOT NULL DEFAULT 0 CHECK (attempts >= 0),
  max_attempts integer NOT NULL CHECK (max_attempts >= 1),
  suppressed_count integer NOT NULL DEFAULT 0,
  next_attempt_at timestamptz,
  last_status_code integer,
  last_error text,
  created_at timestamptz NOT NULL,
  sent_at timestamptz
);
CREATE INDEX notification_deliveries_due_idx ON notification_deliveries (status, next_attempt_at);
CREATE INDEX notification_deliveries_channel_idx ON notification_deliveries (channel_id, created_at);
CREATE INDEX notification_deliveries_dedup_idx ON notification_deliveries (channel_id, dedup_key, created_at);
CREATE INDEX notification_deliveries_partner_idx ON notification_deliveries (partner_id, created_at);
CREATE INDEX notification_deliveries_digest_idx ON notification_deliveries (digest_id);
