-- Workstation agents (issue 9). Each agent an appliance reports is a host of the appliance's site
-- (role workstation, host id = agent id); its agent facts live here, as last reported. An agent
-- missing from the appliance's next roster report is dropped from this table (its host stays,
-- retired, so its evidence keeps its host).
CREATE TABLE workstation_agents (
  host_id uuid PRIMARY KEY REFERENCES hosts (id) ON DELETE CASCADE,
  site_id uuid NOT NULL REFERENCES sites (id) ON DELETE RESTRICT,
  appliance_id uuid NOT NULL REFERENCES appliances (id) ON DELETE RESTRICT,
  os text NOT NULL CHECK (os IN ('windows', 'macos', 'linux')),
  os_version text NOT NULL,
  agent_version text NOT NULL,
  status text NOT NULL CHECK (status IN ('active', 'revoked')),
  enrolled_at timestamptz NOT NULL,
  last_seen_at timestamptz,
  dropped_results_total bigint NOT NULL CHECK (dropped_results_total >= 0),
  reported_at timestamptz NOT NULL
);
CREATE INDEX workstation_agents_site_id_idx ON workstation_agents (site_id);
CREATE INDEX workstation_agents_appliance_id_idx ON workstation_agents (appliance_id);

-- What the site's agents may heal by themselves (no row: monitor_only).
CREATE TABLE site_agent_tiers (
  site_id uuid PRIMARY KEY REFERENCES sites (id) ON DELETE CASCADE,
  tier text NOT NULL CHECK (tier IN ('monitor_only', 'self_heal', 'full_remediation')),
  updated_at timestamptz NOT NULL
);
