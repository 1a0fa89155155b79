-- OpenID Connect sign-in attempts: one row per authorization request, single use, 10 minutes.
-- Only a SHA-256 of the state and of the browser binding is kept. The nonce and the PKCE verifier
-- are kept as they are (the nonce is compared with the ID token's claim, the verifier is sent to
-- the token endpoint); the verifier is cleared when the row is used.
CREATE TABLE oidc_login_states (
  state_hash text PRIMARY KEY,
  issuer_id text NOT NULL,
  nonce text NOT NULL,
  code_verifier text,
  browser_hash text NOT NULL,
  purpose text NOT NULL CHECK (purpose IN ('partner_signup', 'partner_signin')),
  return_to text CHECK (return_to IS NULL OR (return_to LIKE '/%' AND return_to NOT LIKE '//%')),
  created_at timestamptz NOT NULL,
  expires_at timestamptz NOT NULL,
  used_at timestamptz
);
CREATE INDEX oidc_login_states_expires_idx ON oidc_login_states (expires_at);
