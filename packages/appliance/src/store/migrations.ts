import type { Database } from 'better-sqlite3';

/** One forward-only schema step. Versions start at 1 and increase by one; never edit a released step. */
export interface Migration {
  version: number;
  name: string;
  sql: string;
}

export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: 'registration and settings',
    sql: `
      CREATE TABLE registration (
        id INTEGER PRIMARY KEY CHECK (id = 1),
        appliance_id TEXT NOT NULL,
        site_id TEXT NOT NULL,
        token TEXT NOT NULL,
        order_signing_public_key TEXT NOT NULL,
        central_url TEXT NOT NULL,
        registered_at TEXT NOT NULL
      ) STRICT;
      CREATE TABLE settings (
        key TEXT PRIMARY KEY,
        value TEXT NOT NULL,
        updated_at TEXT NOT NULL
      ) STRICT;
    `,
  },
  {
    version: 2,
    name: 'evidence chain, outbox, results, targets, schedule, orders, host key pins',
    sql: `
      -- Where this appliance's hash chain ends (seq 0 + genesis hash before the first bundle).
      CREATE TABLE evidence_chain_head (
        id INTEGER PRIMARY KEY CHECK (id = 1),
        seq INTEGER NOT NULL,
        hash TEXT NOT NULL
      ) STRICT;
      -- Signed bundles central has not acknowledged yet, in chain order.
      CREATE TABLE evidence_outbox (
        seq INTEGER PRIMARY KEY,
        hash TEXT NOT NULL UNIQUE,
        signed TEXT NOT NULL,
        created_at TEXT NOT NULL
      ) STRICT;
      -- The newest result per host and check, for the status page and run-now decisions.
      CREATE TABLE last_results (
        host_id TEXT NOT NULL,
        check_id TEXT NOT NULL,
        hostname TEXT NOT NULL,
        status TEXT NOT NULL,
        reason TEXT NOT NULL,
        seq INTEGER NOT NULL,
        finished_at TEXT NOT NULL,
        PRIMARY KEY (host_id, check_id)
      ) STRICT;
      -- Targets central sent with set_targets (configured targets live in the config file).
      CREATE TABLE order_targets (
        host_id TEXT PRIMARY KEY,
        definition TEXT NOT NULL,
        updated_at TEXT NOT NULL
      ) STRICT;
      -- Per-check schedule from set_schedule; checks not listed use the default interval.
      CREATE TABLE check_schedule (
        check_id TEXT PRIMARY KEY,
        interval_seconds INTEGER NOT NULL,
        is_enabled INTEGER NOT NULL CHECK (is_enabled IN (0, 1))
      ) STRICT;
      -- Every order seen (applied or refused), so an id is never applied twice; the result is
      -- reported to central until it is acknowledged (reported_at set).
      CREATE TABLE orders_seen (
        order_id TEXT PRIMARY KEY,
        type TEXT NOT NULL,
        outcome TEXT NOT NULL CHECK (outcome IN ('applied', 'refused', 'failed')),
        code TEXT,
        detail TEXT NOT NULL,
        received_at TEXT NOT NULL,
        reported_at TEXT
      ) STRICT;
      -- SSH host keys pinned on first use, per host:port.
      CREATE TABLE host_key_pins (
        endpoint TEXT PRIMARY KEY,
        fingerprint TEXT NOT NULL,
        pinned_at TEXT NOT NULL
      ) STRICT;
    `,
  },
  {
    version: 3,
    name: 'incidents, healing attempts, pattern statistics, L1 cooldowns',
    sql: `
      -- A check that failed on a host, open until the check passes there again. The partial unique
      -- index is the last line of defence for "one open incident per host and check".
      CREATE TABLE incidents (
        incident_id TEXT PRIMARY KEY,
        host_id TEXT NOT NULL,
        hostname TEXT NOT NULL,
        check_id TEXT NOT NULL,
        incident_type TEXT NOT NULL,
        severity TEXT NOT NULL CHECK (severity IN ('critical', 'high', 'medium', 'low')),
        status TEXT NOT NULL CHECK (status IN ('open', 'closed')),
        reason TEXT NOT NULL,
        observed TEXT NOT NULL,
        pattern_signature TEXT NOT NULL,
        occurrences INTEGER NOT NULL,
        opened_at TEXT NOT NULL,
        last_seen_at TEXT NOT NULL,
        closed_at TEXT,
        -- Tier of the first successful fix; set once, so a fix is counted once per incident.
        fixed_tier TEXT CHECK (fixed_tier IN ('L1', 'L2', 'L3')),
        CHECK ((status = 'open') = (closed_at IS NULL))
      ) STRICT;
      CREATE UNIQUE INDEX incidents_one_open ON incidents (host_id, check_id) WHERE status = 'open';
      CREATE INDEX incidents_signature ON incidents (pattern_signature);
      CREATE INDEX incidents_opened_at ON incidents (opened_at);
      -- Every healing attempt on an incident (L1 rule, L2 plan, L3 escalation), including refusals.
      CREATE TABLE healing_attempts (
        attempt_id TEXT PRIMARY KEY,
        incident_id TEXT NOT NULL REFERENCES incidents (incident_id),
        host_id TEXT NOT NULL,
        tier TEXT NOT NULL CHECK (tier IN ('L1', 'L2', 'L3')),
        rule_id TEXT,
        runbook_id TEXT,
        outcome TEXT NOT NULL CHECK (outcome IN ('success', 'failure', 'escalated', 'refused')),
        is_dry_run INTEGER NOT NULL CHECK (is_dry_run IN (0, 1)),
        duration_ms INTEGER NOT NULL CHECK (duration_ms >= 0),
        started_at TEXT NOT NULL,
        finished_at TEXT NOT NULL,
        error TEXT
      ) STRICT;
      CREATE INDEX healing_attempts_incident ON healing_attempts (incident_id);
      CREATE INDEX healing_attempts_started ON healing_attempts (started_at);
      CREATE INDEX healing_attempts_host_started ON healing_attempts (host_id, started_at);
      -- Per pattern (check + incident type + normalised error, hashed): how often it happens and
      -- which tier fixes it; the learning loop promotes patterns L2 fixes reliably.
      CREATE TABLE pattern_stats (
        pattern_signature TEXT PRIMARY KEY,
        check_id TEXT NOT NULL,
        incident_type TEXT NOT NULL,
        normalized_error TEXT NOT NULL,
        occurrences INTEGER NOT NULL DEFAULT 0,
        l1_attempts INTEGER NOT NULL DEFAULT 0,
        l1_successes INTEGER NOT NULL DEFAULT 0,
        l2_attempts INTEGER NOT NULL DEFAULT 0,
        l2_successes INTEGER NOT NULL DEFAULT 0,
        l3_attempts INTEGER NOT NULL DEFAULT 0,
        l3_successes INTEGER NOT NULL DEFAULT 0,
        total_fix_duration_ms INTEGER NOT NULL DEFAULT 0,
        last_fix_runbook_id TEXT,
        first_seen_at TEXT NOT NULL,
        last_seen_at TEXT NOT NULL
      ) STRICT;
      -- An L1 rule that ran on a host may not run there again before this time.
      CREATE TABLE l1_cooldowns (
        rule_id TEXT NOT NULL,
        host_id TEXT NOT NULL,
        until TEXT NOT NULL,
        PRIMARY KEY (rule_id, host_id)
      ) STRICT;
    `,
  },
  {
    version: 4,
    name: 'escalation queue',
    sql: `
      -- L3 escalations waiting for central; removed once central has them.
      CREATE TABLE escalation_queue (
        id TEXT PRIMARY KEY,
        body TEXT NOT NULL,
        created_at TEXT NOT NULL,
        attempts INTEGER NOT NULL DEFAULT 0,
        last_error TEXT
      ) STRICT;
    `,
  },
  {
    version: 5,
    name: 'pattern fixes by runbook and parameters',
    sql: `
      -- Per pattern, tier, runbook and parameters (canonical JSON): attempts and fixes. Central sums
      -- these over appliances to find L2 fixes worth promoting to L1 rules.
      CREATE TABLE pattern_fixes (
        pattern_signature TEXT NOT NULL REFERENCES pattern_stats (pattern_signature),
        tier TEXT NOT NULL CHECK (tier IN ('L1', 'L2')),
        runbook_id TEXT NOT NULL,
        params TEXT NOT NULL,
        attempts INTEGER NOT NULL DEFAULT 0 CHECK (attempts >= 0),
        successes INTEGER NOT NULL DEFAULT 0 CHECK (successes >= 0),
        PRIMARY KEY (pattern_signature, tier, runbook_id, params)
      ) STRICT;
    `,
  },
  {
    version: 6,
    name: 'transparency log proofs',
    sql: `
      -- Inclusion proofs of this appliance's bundles in central's Merkle log, each checked against a
      -- tree head signed by the pinned log key; the head is kept so the proof can be re-checked offline.
      CREATE TABLE proofs (
        seq INTEGER PRIMARY KEY,
        bundle_hash TEXT NOT NULL,
        tree_size INTEGER NOT NULL CHECK (tree_size > 0),
        leaf_index INTEGER NOT NULL CHECK (leaf_index >= 0 AND leaf_index < tree_size),
        proof TEXT NOT NULL,
        root_hash TEXT NOT NULL,
        tree_head TEXT NOT NULL,
        verified_at TEXT NOT NULL
      ) STRICT;
    `,
  },
  {
    version: 7,
    name: 'workstation agents: enrollment tokens, agents, certificates, results, heal commands',
    sql: `
      -- Site enrollment tokens: only a SHA-256 of the secret is kept.
      CREATE TABLE agent_enrollment_tokens (
        token_id TEXT PRIMARY KEY,
        token_hash TEXT NOT NULL UNIQUE,
        max_uses INTEGER NOT NULL CHECK (max_uses > 0),
        uses INTEGER NOT NULL DEFAULT 0 CHECK (uses >= 0),
        expires_at TEXT NOT NULL,
        created_at TEXT NOT NULL,
        revoked_at TEXT
      ) STRICT;
      CREATE TABLE agents (
        agent_id TEXT PRIMARY KEY,
        site_id TEXT NOT NULL,
        token_id TEXT NOT NULL REFERENCES agent_enrollment_tokens (token_id),
        hostname TEXT NOT NULL,
        os_family TEXT NOT NULL,
        machine_id TEXT NOT NULL,
        agent_version TEXT NOT NULL,
        protocol_version INTEGER NOT NULL,
        facts TEXT NOT NULL,
        enrolled_at TEXT NOT NULL,
        last_heartbeat_at TEXT,
        clock_skew_ms INTEGER,
        config_version INTEGER NOT NULL DEFAULT 0,
        queue TEXT,
        dropped_results_total INTEGER NOT NULL DEFAULT 0,
        revoked_at TEXT
      ) STRICT;
      CREATE INDEX agents_token ON agents (token_id);
      -- Every client certificate issued; revoked_at set = refused on every call.
      CREATE TABLE agent_certificates (
        serial TEXT PRIMARY KEY,
        agent_id TEXT NOT NULL REFERENCES agents (agent_id),
        not_before TEXT NOT NULL,
        not_after TEXT NOT NULL,
        issued_at TEXT NOT NULL,
        revoked_at TEXT
      ) STRICT;
      CREATE INDEX agent_certificates_agent ON agent_certificates (agent_id);
      -- Check results as the agent sent them, one row per (agent, seq); detected_at is the agent's.
      CREATE TABLE agent_results (
        agent_id TEXT NOT NULL REFERENCES agents (agent_id),
        seq INTEGER NOT NULL CHECK (seq > 0),
        check_id TEXT NOT NULL,
        status TEXT NOT NULL,
        detected_at TEXT NOT NULL,
        received_at TEXT NOT NULL,
        body TEXT NOT NULL,
        PRIMARY KEY (agent_id, seq)
      ) STRICT;
      -- Results acknowledged but never accepted (e.g. unknown status), so a resend is answered the same way.
      CREATE TABLE agent_rejected_results (
        agent_id TEXT NOT NULL REFERENCES agents (agent_id),
        seq INTEGER NOT NULL CHECK (seq > 0),
        code TEXT NOT NULL,
        message TEXT NOT NULL,
        received_at TEXT NOT NULL,
        PRIMARY KEY (agent_id, seq)
      ) STRICT;
      CREATE TABLE agent_heal_commands (
        command_id TEXT PRIMARY KEY,
        agent_id TEXT NOT NULL REFERENCES agents (agent_id),
        runbook_id TEXT NOT NULL,
        check_id TEXT NOT NULL,
        params TEXT NOT NULL,
        required_tier TEXT NOT NULL CHECK (required_tier IN ('self_heal', 'full_remediation')),
        timeout_seconds INTEGER NOT NULL,
        incident_id TEXT,
        issued_at TEXT NOT NULL,
        expires_at TEXT NOT NULL,
        result_status TEXT,
        result TEXT,
        result_at TEXT
      ) STRICT;
      CREATE INDEX agent_heal_commands_agent ON agent_heal_commands (agent_id, issued_at);
    `,
  },
];

/** The database was written by a newer build (or is not ours); the appliance must not touch it. */
export class SchemaTooNewError extends Error {
  constructor(
    readonly databaseVersion: number,
    readonly buildVersion: number,
  ) {
    super(
      `The appliance database is at schema version ${databaseVersion}, newer than this build knows ` +
        `(${buildVersion}). Install the newer appliance release instead of downgrading.`,
    );
    this.name = 'SchemaTooNewError';
  }
}

/** Applies every migration newer than the database, each in its own transaction; returns those applied. */
export function migrate(db: Database, migrations: readonly Migration[] = MIGRATIONS): number[] {
  migrations.forEach((m, index) => {
    if (m.version !== index + 1) throw new Error(`migration ${m.name} has version ${m.version}, expected ${index + 1}`);
  });
  db.exec(`CREATE TABLE IF NOT EXISTS schema_migrations (
    version INTEGER PRIMARY KEY,
    name TEXT NOT NULL,
    applied_at TEXT NOT NULL
  ) STRICT`);
  const row = db.prepare('SELECT COALESCE(MAX(version), 0) AS version FROM schema_migrations').get() as {
    version: number;
  };
  const latest = migrations.length;
  if (row.version > latest) throw new SchemaTooNewError(row.version, latest);
  const record = db.prepare('INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)');
  const applied: number[] = [];
  for (const m of migrations.slice(row.version)) {
    db.transaction(() => {
      db.exec(m.sql);
      record.run(m.version, m.name, new Date().toISOString());
    })();
    applied.push(m.version);
  }
  return applied;
}
