-- Appliance releases and staged rollouts (issue 10), owned by modules/fleet.

-- A release, from its signed manifest (the signature is checked against the configured release
-- keys before the row exists). `artifact_upload_id` names the chunks of the verified artifact.
CREATE TABLE releases (
  id uuid PRIMARY KEY,
  version text NOT NULL UNIQUE,
  channel text NOT NULL CHECK (channel IN ('stable', 'beta')),
  state text NOT NULL CHECK (state IN ('awaiting_artifact', 'available', 'withdrawn')),
  sha256 text NOT NULL,
  size_bytes bigint NOT NULL CHECK (size_bytes > 0),
  min_upgrade_from text,
  notes text NOT NULL,
  key_id text NOT NULL,
  built_at timestamptz NOT NULL,
  signed jsonb NOT NULL,
  is_latest boolean NOT NULL DEFAULT false,
  artifact_upload_id uuid,
  created_at timestamptz NOT NULL,
  created_by uuid REFERENCES users (id) ON DELETE SET NULL,
  CHECK (NOT is_latest OR state = 'available'),
  CHECK ((state = 'available') = (artifact_upload_id IS NOT NULL) OR state = 'withdrawn')
);
CREATE INDEX releases_created_by_idx ON releases (created_by);
-- At most one latest release per channel.
CREATE UNIQUE INDEX releases_latest_per_channel_idx ON releases (channel) WHERE is_latest;

-- The artifact in 1 MiB chunks, so a Range request reads only the chunks it covers. An upload
-- writes under its own upload id; only the verified one is named by releases.artifact_upload_id,
-- and chunks of failed or abandoned uploads are deleted.
CREATE TABLE release_artifact_chunks (
  release_id uuid NOT NULL REFERENCES releases (id) ON DELETE CASCADE,
  upload_id uuid NOT NULL,
  chunk_index integer NOT NULL CHECK (chunk_index >= 0),
  data bytea NOT NULL,
  created_at timestamptz NOT NULL,
  PRIMARY KEY (release_id, upload_id, chunk_index)
);

CREATE TABLE rollouts (
  id uuid PRIMARY KEY,
  release_id uuid NOT NULL REFERENCES releases (id) ON DELETE RESTRICT,
  name text NOT NULL,
  target jsonb NOT NULL,
  failure_threshold_percent integer NOT NULL CHECK (failure_threshold_percent BETWEEN 1 AND 100),
  status text NOT NULL CHECK (status IN ('active', 'paused', 'completed', 'cancelled')),
  current_stage integer NOT NULL CHECK (current_stage >= 0),
  pause_reason text,
  -- Failures of the current stage an admin accepted by resuming; auto-pause needs a new one.
  acknowledged_failures integer NOT NULL DEFAULT 0,
  created_at timestamptz NOT NULL,
  created_by uuid REFERENCES users (id) ON DELETE SET NULL,
  updated_at timestamptz NOT NULL,
  completed_at timestamptz
);
CREATE INDEX rollouts_release_id_idx ON rollouts (release_id);
CREATE INDEX rollouts_created_by_idx ON rollouts (created_by);
CREATE INDEX rollouts_status_idx ON rollouts (status);

CREATE TABLE rollout_stages (
  rollout_id uuid NOT NULL REFERENCES rollouts (id) ON DELETE CASCADE,
  stage_index integer NOT NULL CHECK (stage_index >= 0),
  percent integer NOT NULL CHECK (percent BETWEEN 1 AND 100),
  healthy_minutes integer CHECK (healthy_minutes >= 0),
  opened_at timestamptz,
  healthy_since timestamptz,
  PRIMARY KEY (rollout_id, stage_index)
);

CREATE TABLE rollout_appliances (
  rollout_id uuid NOT NULL REFERENCES rollouts (id) ON DELETE CASCADE,
  appliance_id uuid NOT NULL REFERENCES appliances (id) ON DELETE RESTRICT,
  stage integer NOT NULL CHECK (stage >= 0),
  position integer NOT NULL CHECK (position >= 0),
  state text NOT NULL CHECK (state IN ('pending', 'downloading', 'installed', 'healthy', 'failed', 'rolled_back')),
  from_version text,
  error_code text,
  message text,
  bytes_downloaded bigint,
  order_id uuid REFERENCES orders (id) ON DELETE SET NULL,
  -- When the appliance reported `healthy`; it is healthy once its check-in version is the target too.
  reported_healthy_at timestamptz,
  -- The newest report's own time: older reports arriving late change nothing.
  last_report_at timestamptz,
  updated_at timestamptz NOT NULL,
  PRIMARY KEY (rollout_id, appliance_id)
);
CREATE INDEX rollout_appliances_appliance_id_idx ON rollout_appliances (appliance_id);
CREATE INDEX rollout_appliances_order_id_idx ON rollout_appliances (order_id);

ALTER TABLE appliances ADD COLUMN update_channel text NOT NULL DEFAULT 'stable'
  CHECK (update_channel IN ('stable', 'beta'));
