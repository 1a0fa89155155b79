import type { Database } from 'better-sqlite3';

export interface EnrollmentTokenRow {
  tokenId: string;
  maxUses: number;
  uses: number;
  expiresAt: string;
  createdAt: string;
  revokedAt: string | null;
}

export type TokenRefusal = 'unknown' | 'expired' | 'exhausted' | 'revoked';

export interface AgentRow {
  agentId: string;
  siteId: string;
  hostname: string;
  osFamily: string;
  machineId: string;
  agentVersion: string;
  /** The agent's last host facts (protobuf JSON form of HostFacts). */
  factsJson: string;
  enrolledAt: string;
  lastHeartbeatAt: string | null;
  clockSkewMs: number | null;
  configVersion: number;
  droppedResultsTotal: number;
  revokedAt: string | null;
}

export interface CertificateRow {
  serial: string;
  agentId: string;
  notBefore: string;
  notAfter: string;
  revokedAt: string | null;
}

export interface NewAgent {
  agentId: string;
  siteId: string;
  tokenId: string;
  hostname: string;
  osFamily: string;
  machineId: string;
  agentVersion: string;
  protocolVersion: number;
  facts: string;
  enrolledAt: string;
}

export interface NewCertificate {
  serial: string;
  agentId: string;
  notBefore: string;
  notAfter: string;
}

const tokenRow = (r: Record<string, unknown>): EnrollmentTokenRow => ({
  tokenId: String(r.token_id),
  maxUses: Number(r.max_uses),
  uses: Number(r.uses),
  expiresAt: String(r.expires_at),
  createdAt: String(r.created_at),
  revokedAt: r.revoked_at === null ? null : String(r.revoked_at),
});

const agentRow = (r: Record<string, unknown>): AgentRow => ({
  agentId: String(r.agent_id),
  siteId: String(r.site_id),
  hostname: String(r.hostname),
  osFamily: String(r.os_family),
  machineId: String(r.machine_id),
  agentVersion: String(r.agent_version),
  factsJson: String(r.facts),
  enrolledAt: String(r.enrolled_at),
  lastHeartbeatAt: r.last_heartbeat_at === null ? null : String(r.last_heartbeat_at),
  clockSkewMs: r.clock_skew_ms === null ? null : Number(r.clock_skew_ms),
  configVersion: Number(r.config_version),
  droppedResultsTotal: Number(r.dropped_results_total),
  revokedAt: r.revoked_at === null ? null : String(r.revoked_at),
});

/** Enrollment tokens (hashed), enrolled agents and the client certificates issued to them. */
export function createAgentsStore(db: Database) {
  const insertToken = db.prepare(`
    INSERT INTO agent_enrollment_tokens (token_id, token_hash, max_uses, expires_at, created_at)
    VALUES (@tokenId, @tokenHash, @maxUses, @expiresAt, @createdAt)`);
  const selectTokenByHash = db.prepare('SELECT * FROM agent_enrollment_tokens WHERE token_hash = ?');
  const selectTokens = db.prepare('SELECT * FROM agent_enrollment_tokens ORDER BY created_at, token_id');
  const revokeToken = db.prepare(
    'UPDATE agent_enrollment_tokens SET revoked_at = ? WHERE token_id = ? AND revoked_at IS NULL',
  );
  const useToken = db.prepare('UPDATE agent_enrollment_tokens SET uses = uses + 1 WHERE token_id = ?');
  const insertAgent = db.prepare(`
    INSERT INTO agents (agent_id, site_id, token_id, hostname, os_family, machine_id, agent_version,
      protocol_version, facts, enrolled_at)
    VALUES (@agentId, @siteId, @tokenId, @hostname, @osFamily, @machineId, @agentVersion,
      @protocolVersion, @facts, @enrolledAt)`);
  const insertCertificate = db.prepare(`
    INSERT INTO agent_certificates (serial, agent_id, not_before, not_after, issued_at)
    VALUES (@serial, @agentId, @notBefore, @notAfter, @issuedAt)`);
  const selectAgent = db.prepare('SELECT * FROM agents WHERE agent_id = ?');
  const selectAgents = db.prepare('SELECT * FROM agents ORDER BY hostname, agent_id');
  const selectCertificate = db.prepare('SELECT * FROM agent_certificates WHERE serial = ?');
  const revokeAgent = db.prepare('UPDATE agents SET revoked_at = ? WHERE agent_id = ? AND revoked_at IS NULL');
  const revokeAgentCertificates = db.prepare(
    'UPDATE agent_certificates SET revoked_at = ? WHERE agent_id = ? AND revoked_at IS NULL',
  );
  const revokeCertificate = db.prepare(
    'UPDATE agent_certificates SET revoked_at = ? WHERE serial = ? AND revoked_at IS NULL',
  );
  const updateHeartbeat = db.prepare(`
    UPDATE agents SET hostname = COALESCE(@hostname, hostname), os_family = COALESCE(@osFamily, os_family),
      machine_id = COALESCE(@machineId, machine_id), facts = COALESCE(@facts, facts),
      agent_version = @agentVersion, protocol_version = @protocolVersion,
      last_heartbeat_at = @at, clock_skew_ms = @clockSkewMs, config_version = @configVersion,
      queue = @queue, dropped_results_total = MAX(dropped_results_total, @droppedResultsTotal)
    WHERE agent_id = @agentId`);

  function checkToken(row: EnrollmentTokenRow | undefined, now: Date): TokenRefusal | EnrollmentTokenRow {
    if (!row) return 'unknown';
    if (row.revokedAt) return 'revoked';
    if (Date.parse(row.expiresAt) <= now.getTime()) return 'expired';
    if (row.uses >= row.maxUses) return 'exhausted';
    return row;
  }

  const lookup = (tokenHash: string) => {
    const row = selectTokenByHash.get(tokenHash) as Record<string, unknown> | undefined;
    return row ? tokenRow(row) : undefined;
  };

  /** Uses the token once and records the agent and its first certificate, or nothing at all. */
  const enroll = db.transaction(
    (tokenHash: string, now: Date, agent: Omit<NewAgent, 'tokenId'>, certificate: NewCertificate) => {
      const checked = checkToken(lookup(tokenHash), now);
      if (typeof checked === 'string') return checked;
      useToken.run(checked.tokenId);
      insertAgent.run({ ...agent, tokenId: checked.tokenId });
      insertCertificate.run({ ...certificate, issuedAt: now.toISOString() });
      return checked;
    },
  );

  return {
    createToken(token: { tokenId: string; tokenHash: string; maxUses: number; expiresAt: string; createdAt: string }) {
      insertToken.run(token);
    },
    listTokens(): EnrollmentTokenRow[] {
      return (selectTokens.all() as Record<string, unknown>[]).map(tokenRow);
    },
    revokeToken(tokenId: string, at: Date): boolean {
      return revokeToken.run(at.toISOString(), tokenId).changes === 1;
    },
    /** Whether a token could be used now (does not use it). */
    peekToken(tokenHash: string, now: Date): TokenRefusal | EnrollmentTokenRow {
      return checkToken(lookup(tokenHash), now);
    },
    enroll(
      tokenHash: string,
      now: Date,
      agent: Omit<NewAgent, 'tokenId'>,
      certificate: NewCertificate,
    ): TokenRefusal | EnrollmentTokenRow {
      return enroll(tokenHash, now, agent, certificate);
    },
    addCertificate(certificate: NewCertificate, at: Date): void {
      insertCertificate.run({ ...certificate, issuedAt: at.toISOString() });
    },
    agent(agentId: string): AgentRow | null {
      const row = selectAgent.get(agentId) as Record<string, unknown> | undefined;
      return row ? agentRow(row) : null;
    },
    listAgents(): AgentRow[] {
      return (selectAgents.all() as Record<string, unknown>[]).map(agentRow);
    },
    certificate(serial: string): CertificateRow | null {
      const r = selectCertificate.get(serial) as Record<string, unknown> | undefined;
      if (!r) return null;
      return {
        serial: String(r.serial),
        agentId: String(r.agent_id),
        notBefore: String(r.not_before),
        notAfter: String(r.not_after),
        revokedAt: r.revoked_at === null ? null : String(r.revoked_at),
      };
    },
    /** Revokes the agent and every certificate it holds; false when it was unknown or already revoked. */
    revokeAgent: db.transaction((agentId: string, at: Date): boolean => {
      revokeAgentCertificates.run(at.toISOString(), agentId);
      return revokeAgent.run(at.toISOString(), agentId).changes === 1;
    }),
    revokeCertificate(serial: string, at: Date): boolean {
      return revokeCertificate.run(at.toISOString(), serial).changes === 1;
    },
    /** Host facts left null keep the stored ones (a heartbeat without `host`). */
    recordHeartbeat(update: {
      agentId: string;
      hostname: string | null;
      osFamily: string | null;
      machineId: string | null;
      agentVersion: string;
      protocolVersion: number;
      facts: string | null;
      at: string;
      clockSkewMs: number | null;
      configVersion: number;
      queue: string | null;
      droppedResultsTotal: number;
    }): void {
      updateHeartbeat.run(update);
    },
  };
}

export type AgentsStore = ReturnType<typeof createAgentsStore>;
