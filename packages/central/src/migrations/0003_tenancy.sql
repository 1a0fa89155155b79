CREATE TABLE partners (
  id uuid PRIMARY KEY,
  name text NOT NULL,
  slug text NOT NULL UNIQUE,
  contact_email text,
  status text NOT NULL CHECK (status IN ('active', 'suspended')),
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX partners_status_idx ON partners (status);

CREATE TABLE practices (
  id uuid PRIMARY KEY,
  partner_id uuid NOT NULL REFERENCES partners (id) ON DELETE RESTRICT,
  name text NOT NULL,
  contact_email text,
  status text NOT NULL CHECK (status IN ('active', 'inactive')),
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX practices_partner_id_idx ON practices (partner_id, id);

CREATE TABLE sites (
  id uuid PRIMARY KEY,
  practice_id uuid NOT NULL REFERENCES practices (id) ON DELETE RESTRICT,
  name text NOT NULL,
  address text,
  timezone text NOT NULL,
  status text NOT NULL CHECK (status IN ('active', 'inactive')),
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX sites_practice_id_idx ON sites (practice_id, id);

CREATE TABLE hosts (
  id uuid PRIMARY KEY,
  site_id uuid NOT NULL REFERENCES sites (id) ON DELETE RESTRICT,
  hostname text NOT NULL,
  address text,
  platform text NOT NULL CHECK (platform IN ('linux', 'windows', 'macos', 'network', 'other')),
  role text NOT NULL CHECK (role IN ('server', 'workstation', 'domain_controller', 'network_device', 'other')),
  status text NOT NULL CHECK (status IN ('active', 'retired')),
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  UNIQUE (site_id, hostname)
);
CREATE INDEX hosts_site_id_idx ON hosts (site_id, id);
