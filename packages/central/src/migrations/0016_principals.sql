-- People beyond the platform's own staff (issue 5): partner users (partner_admin, technician),
-- practice users (practice_owner, practice_admin, practice_viewer) and auditors of one practice
-- for a limited time. Partner users sign in by OpenID Connect, practice users and auditors by
-- emailed sign-in link, so only platform staff have passwords.
ALTER TABLE users DROP CONSTRAINT users_role_check;
ALTER TABLE users ADD CONSTRAINT users_role_check CHECK (role IN (
  'admin', 'operator', 'readonly',
  'partner_admin', 'technician',
  'practice_owner', 'practice_admin', 'practice_viewer',
  'auditor'));
ALTER TABLE users ALTER COLUMN password_hash DROP NOT NULL;
ALTER TABLE users ADD COLUMN partner_id uuid REFERENCES partners (id) ON DELETE RESTRICT;
ALTER TABLE users ADD COLUMN practice_id uuid REFERENCES practices (id) ON DELETE RESTRICT;
ALTER TABLE users ADD COLUMN oidc_issuer text;
ALTER TABLE users ADD COLUMN oidc_subject text;
ALTER TABLE users ADD COLUMN access_starts_at timestamptz;
ALTER TABLE users ADD COLUMN access_expires_at timestamptz;
ALTER TABLE users ADD CONSTRAINT users_scope_check CHECK (
  (role IN ('admin', 'operator', 'readonly') AND partner_id IS NULL AND practice_id IS NULL
    AND password_hash IS NOT NULL)
  OR (role IN ('partner_admin', 'technician') AND partner_id IS NOT NULL AND practice_id IS NULL)
  OR (role IN ('practice_owner', 'practice_admin', 'practice_viewer') AND practice_id IS NOT NULL
    AND partner_id IS NULL)
  OR (role = 'auditor' AND practice_id IS NOT NULL AND partner_id IS NULL
    AND access_starts_at IS NOT NULL AND access_expires_at IS NOT NULL AND access_expires_at > access_starts_at));
CREATE INDEX users_partner_id_idx ON users (partner_id);
CREATE INDEX users_practice_id_idx ON users (practice_id);
CREATE UNIQUE INDEX users_oidc_key ON users (oidc_issuer, oidc_subject) WHERE oidc_issuer IS NOT NULL;
-- A practice has exactly one owner at a time.
CREATE UNIQUE INDEX users_one_owner_key ON users (practice_id) WHERE role = 'practice_owner';

-- Invitations now also invite into a partner or a practice, and auditors for a time window.
ALTER TABLE invitations DROP CONSTRAINT invitations_role_check;
ALTER TABLE invitations ADD CONSTRAINT invitations_role_check CHECK (role IN (
  'admin', 'operator', 'readonly',
  'partner_admin', 'technician',
  'practice_owner', 'practice_admin', 'practice_viewer',
  'auditor'));
ALTER TABLE invitations ADD COLUMN partner_id uuid REFERENCES partners (id) ON DELETE CASCADE;
ALTER TABLE invitations ADD COLUMN practice_id uuid REFERENCES practices (id) ON DELETE CASCADE;
ALTER TABLE invitations ADD COLUMN access_starts_at timestamptz;
ALTER TABLE invitations ADD COLUMN access_expires_at timestamptz;
CREATE INDEX invitations_partner_id_idx ON invitations (partner_id);
CREATE INDEX invitations_practice_id_idx ON invitations (practice_id);

-- Partners sign up and wait for approval unless their mail domain is allowed.
ALTER TABLE partners DROP CONSTRAINT partners_status_check;
ALTER TABLE partners ADD CONSTRAINT partners_status_check CHECK (status IN ('pending', 'active', 'suspended', 'rejected'));
ALTER TABLE partners ADD COLUMN brand_name text;
ALTER TABLE partners ADD COLUMN brand_color text CHECK (brand_color ~ '^#[0-9a-f]{6}$');
ALTER TABLE partners ADD COLUMN logo_type text CHECK (logo_type IN ('image/png', 'image/jpeg', 'image/webp'));
ALTER TABLE partners ADD COLUMN logo bytea;
ALTER TABLE partners ADD COLUMN decided_by uuid REFERENCES users (id) ON DELETE SET NULL;
ALTER TABLE partners ADD COLUMN decided_at timestamptz;
ALTER TABLE partners ADD COLUMN decision_reason text;
CREATE INDEX partners_decided_by_idx ON partners (decided_by);

-- Partner API keys: shown once, stored as a keyed hash, prefix visible.
CREATE TABLE api_keys (
  id uuid PRIMARY KEY,
  partner_id uuid NOT NULL REFERENCES partners (id) ON DELETE CASCADE,
  name text NOT NULL,
  prefix text NOT NULL UNIQUE,
  key_hash text NOT NULL UNIQUE,
  scope text NOT NULL CHECK (scope IN ('read', 'read_write')),
  created_by uuid REFERENCES users (id) ON DELETE SET NULL,
  created_at timestamptz NOT NULL,
  expires_at timestamptz NOT NULL,
  last_used_at timestamptz,
  revoked_at timestamptz,
  revoked_by uuid REFERENCES users (id) ON DELETE SET NULL
);
CREATE INDEX api_keys_partner_idx ON api_keys (partner_id, created_at);
CREATE INDEX api_keys_created_by_idx ON api_keys (created_by);
CREATE INDEX api_keys_revoked_by_idx ON api_keys (revoked_by);

-- Emailed sign-in links: single use, short-lived, hashed, bound to the browser that asked.
CREATE TABLE sign_in_links (
  id uuid PRIMARY KEY,
  token_hash text NOT NULL UNIQUE,
  browser_hash text NOT NULL,
  user_id uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  created_at timestamptz NOT NULL,
  expires_at timestamptz NOT NULL,
  used_at timestamptz,
  ip text
);
CREATE INDEX sign_in_links_user_idx ON sign_in_links (user_id);
CREATE INDEX sign_in_links_expires_idx ON sign_in_links (expires_at);

-- A practice asks to move to another partner; the platform admin decides.
CREATE TABLE practice_transfers (
  id uuid PRIMARY KEY,
  practice_id uuid NOT NULL REFERENCES practices (id) ON DELETE CASCADE,
  from_partner_id uuid NOT NULL REFERENCES partners (id) ON DELETE CASCADE,
  to_partner_id uuid NOT NULL REFERENCES partners (id) ON DELETE CASCADE,
  reason text NOT NULL,
  state text NOT NULL CHECK (state IN ('pending', 'approved', 'rejected')),
  requested_by uuid REFERENCES users (id) ON DELETE SET NULL,
  requested_at timestamptz NOT NULL,
  decided_by uuid REFERENCES users (id) ON DELETE SET NULL,
  decided_at timestamptz,
  decision_note text
);
CREATE UNIQUE INDEX practice_transfers_one_pending ON practice_transfers (practice_id) WHERE state = 'pending';
CREATE INDEX practice_transfers_from_idx ON practice_transfers (from_partner_id);
CREATE INDEX practice_transfers_to_idx ON practice_transfers (to_partner_id);
CREATE INDEX practice_transfers_requested_by_idx ON practice_transfers (requested_by);
CREATE INDEX practice_transfers_decided_by_idx ON practice_transfers (decided_by);

-- API keys act in their own name in the audit log.
ALTER TABLE audit_log DROP CONSTRAINT audit_log_actor_type_check;
ALTER TABLE audit_log ADD CONSTRAINT audit_log_actor_type_check
  CHECK (actor_type IN ('user', 'system', 'anonymous', 'appliance', 'api_key'));
