import type { Database, Statement } from 'better-sqlite3';
import type { JsonValue } from '../checks/check';

export type IncidentSeverity = 'critical' | 'high' | 'medium' | 'low';
export type HealingTier = 'L1' | 'L2' | 'L3';
export type AttemptOutcome = 'success' | 'failure' | 'escalated' | 'refused';

export interface Incident {
  incidentId: string;
  hostId: string;
  hostname: string;
  checkId: string;
  incidentType: string;
  severity: IncidentSeverity;
  status: 'open' | 'closed';
  reason: string;
  observed: Record<string, JsonValue>;
  patternSignature: string;
  /** Failed results seen while this incident was open (1 when opened). */
  occurrences: number;
  openedAt: string;
  lastSeenAt: string;
  closedAt: string | null;
  fixedTier: HealingTier | null;
}

export interface HealingAttempt {
  attemptId: string;
  incidentId: string;
  hostId: string;
  tier: HealingTier;
  ruleId: string | null;
  runbookId: string | null;
  outcome: AttemptOutcome;
  isDryRun: boolean;
  durationMs: number;
  startedAt: string;
  finishedAt: string;
  error: string | null;
}

export interface PatternStats {
  patternSignature: string;
  checkId: string;
  incidentType: string;
  normalizedError: string;
  occurrences: number;
  l1Attempts: number;
  l1Successes: number;
  l2Attempts: number;
  l2Successes: number;
  l3Attempts: number;
  l3Successes: number;
  totalFixDurationMs: number;
  lastFixRunbookId: string | null;
  firstSeenAt: string;
  lastSeenAt: string;
}

/** `params` is canonical JSON, so equal parameters are one key. */
interface PatternFixKey {
  patternSignature: string;
  tier: 'L1' | 'L2';
  runbookId: string;
  params: string;
}

export interface PatternFix {
  tier: 'L1' | 'L2';
  runbookId: string;
  /** Canonical JSON. */
  params: string;
  attempts: number;
  successes: number;
}

type Row = Record<string, string | number | null>;

const toIncident = (r: Row): Incident => ({
  incidentId: String(r.incident_id),
  hostId: String(r.host_id),
  hostname: String(r.hostname),
  checkId: String(r.check_id),
  incidentType: String(r.incident_type),
  severity: r.severity as IncidentSeverity,
  status: r.status as Incident['status'],
  reason: String(r.reason),
  observed: JSON.parse(String(r.observed)) as Record<string, JsonValue>,
  patternSignature: String(r.pattern_signature),
  occurrences: Number(r.occurrences),
  openedAt: String(r.opened_at),
  lastSeenAt: String(r.last_seen_at),
  closedAt: r.closed_at === null ? null : String(r.closed_at),
  fixedTier: (r.fixed_tier ?? null) as HealingTier | null,
});

const toAttempt = (r: Row): HealingAttempt => ({
  attemptId: String(r.attempt_id),
  incidentId: String(r.incident_id),
  hostId: String(r.host_id),
  tier: r.tier as HealingTier,
  ruleId: r.rule_id === null ? null : String(r.rule_id),
  runbookId: r.runbook_id === null ? null : String(r.runbook_id),
  outcome: r.outcome as AttemptOutcome,
  isDryRun: r.is_dry_run === 1,
  durationMs: Number(r.duration_ms),
  startedAt: String(r.started_at),
  finishedAt: String(r.finished_at),
  error: r.error === null ? null : String(r.error),
});

const toStats = (r: Row): PatternStats => ({
  patternSignature: String(r.pattern_signature),
  checkId: String(r.check_id),
  incidentType: String(r.incident_type),
  normalizedError: String(r.normalized_error),
  occurrences: Number(r.occurrences),
  l1Attempts: Number(r.l1_attempts),
  l1Successes: Number(r.l1_successes),
  l2Attempts: Number(r.l2_attempts),
  l2Successes: Number(r.l2_successes),
  l3Attempts: Number(r.l3_attempts),
  l3Successes: Number(r.l3_successes),
  totalFixDurationMs: Number(r.total_fix_duration_ms),
  lastFixRunbookId: r.last_fix_runbook_id === null ? null : String(r.last_fix_runbook_id),
  firstSeenAt: String(r.first_seen_at),
  lastSeenAt: String(r.last_seen_at),
});

// Column names come from this fixed map, never from callers, so they are safe to interpolate.
const TIER_COLUMNS: Record<HealingTier, { attempts: string; successes: string }> = {
  L1: { attempts: 'l1_attempts', successes: 'l1_successes' },
  L2: { attempts: 'l2_attempts', successes: 'l2_successes' },
  L3: { attempts: 'l3_attempts', successes: 'l3_successes' },
};

/**
 * Incidents, healing attempts, pattern statistics and L1 cooldowns (migration 3). Plain statements:
 * the healing service composes them inside `transaction`, which takes SQLite's write lock first
 * (BEGIN IMMEDIATE) so a read-then-write can never interleave with another connection's.
 */
export function createIncidentsStore(db: Database) {
  const selectOpen = db.prepare("SELECT * FROM incidents WHERE host_id = ? AND check_id = ? AND status = 'open'");
  const selectById = db.prepare('SELECT * FROM incidents WHERE incident_id = ?');
  const selectAllOpen = db.prepare("SELECT * FROM incidents WHERE status = 'open' ORDER BY opened_at LIMIT ?");
  const insertIncident = db.prepare(`
    INSERT INTO incidents (incident_id, host_id, hostname, check_id, incident_type, severity, status, reason,
      observed, pattern_signature, occurrences, opened_at, last_seen_at)
    VALUES (@incidentId, @hostId, @hostname, @checkId, @incidentType, @severity, 'open', @reason,
      @observed, @patternSignature, 1, @at, @at)`);
  const updateSeen = db.prepare(`
    UPDATE incidents SET hostname = @hostname, reason = @reason, observed = @observed,
      occurrences = occurrences + 1, last_seen_at = @at
    WHERE incident_id = @incidentId AND status = 'open'`);
  const closeIncident = db.prepare(
    "UPDATE incidents SET status = 'closed', closed_at = ?, last_seen_at = ? WHERE incident_id = ? AND status = 'open'",
  );
  const markFixed = db.prepare('UPDATE incidents SET fixed_tier = ? WHERE incident_id = ? AND fixed_tier IS NULL');
  const insertAttempt = db.prepare(`
    INSERT INTO healing_attempts (attempt_id, incident_id, host_id, tier, rule_id, runbook_id, outcome, is_dry_run,
      duration_ms, started_at, finished_at, error)
    VALUES (@attemptId, @incidentId, @hostId, @tier, @ruleId, @runbookId, @outcome, @isDryRun, @durationMs,
      @startedAt, @finishedAt, @error)
    ON CONFLICT (attempt_id) DO NOTHING`);
  const selectAttempts = db.prepare('SELECT * FROM healing_attempts WHERE incident_id = ? ORDER BY started_at');
  const countSince = db.prepare(`
    SELECT COUNT(*) AS n FROM healing_attempts
    WHERE started_at >= @since AND tier IN ('L1', 'L2') AND outcome <> 'refused'
      AND (@hostId IS NULL OR host_id = @hostId)`);
  const upsertOccurrence = db.prepare(`
    INSERT INTO pattern_stats (pattern_signature, check_id, incident_type, normalized_error, occurrences,
      first_seen_at, last_seen_at)
    VALUES (@patternSignature, @checkId, @incidentType, @normalizedError, 1, @at, @at)
    ON CONFLICT (pattern_signature) DO UPDATE SET occurrences = occurrences + 1, last_seen_at = excluded.last_seen_at`);
  const countTier = Object.fromEntries(
    Object.entries(TIER_COLUMNS).map(([tier, c]) => [
      tier,
      {
        attempt: db.prepare(`UPDATE pattern_stats SET ${c.attempts} = ${c.attempts} + 1 WHERE pattern_signature = ?`),
        fix: db.prepare(`
          UPDATE pattern_stats SET ${c.successes} = ${c.successes} + 1,
            total_fix_duration_ms = total_fix_duration_ms + @durationMs,
            last_fix_runbook_id = COALESCE(@runbookId, last_fix_runbook_id)
          WHERE pattern_signature = @patternSignature`),
      },
    ]),
  ) as Record<HealingTier, { attempt: Statement; fix: Statement }>;
  const selectStats = db.prepare('SELECT * FROM pattern_stats WHERE pattern_signature = ?');
  const selectStatsList = db.prepare('SELECT * FROM pattern_stats ORDER BY last_seen_at DESC LIMIT ?');
  const fixAttempt = db.prepare(`
    INSERT INTO pattern_fixes (pattern_signature, tier, runbook_id, params, attempts, successes)
    VALUES (@patternSignature, @tier, @runbookId, @params, 1, 0)
    ON CONFLICT (pattern_signature, tier, runbook_id, params) DO UPDATE SET attempts = attempts + 1`);
  const fixSuccess = db.prepare(`
    UPDATE pattern_fixes SET successes = successes + 1
    WHERE pattern_signature = @patternSignature AND tier = @tier AND runbook_id = @runbookId AND params = @params`);
  const selectFixes = db.prepare(
    'SELECT * FROM pattern_fixes WHERE pattern_signature = ? ORDER BY successes DESC, attempts DESC LIMIT 20',
  );
  const selectCooldown = db.prepare('SELECT until FROM l1_cooldowns WHERE rule_id = ? AND host_id = ?');
  const upsertCooldown = db.prepare(`
    INSERT INTO l1_cooldowns (rule_id, host_id, until) VALUES (?, ?, ?)
    ON CONFLICT (rule_id, host_id) DO UPDATE SET until = excluded.until`);

  return {
    /** Runs `fn` in one IMMEDIATE transaction (nested calls join the outer one). */
    transaction<T>(fn: () => T): T {
      return db.inTransaction ? fn() : db.transaction(fn).immediate();
    },
    findOpen(hostId: string, checkId: string): Incident | null {
      const row = selectOpen.get(hostId, checkId) as Row | undefined;
      return row ? toIncident(row) : null;
    },
    get(incidentId: string): Incident | null {
      const row = selectById.get(incidentId) as Row | undefined;
      return row ? toIncident(row) : null;
    },
    listOpen(limit = 500): Incident[] {
      return (selectAllOpen.all(limit) as Row[]).map(toIncident);
    },
    insertOpen(incident: {
      incidentId: string;
      hostId: string;
      hostname: string;
      checkId: string;
      incidentType: string;
      severity: IncidentSeverity;
      reason: string;
      observed: Record<string, JsonValue>;
      patternSignature: string;
      at: string;
    }): void {
      insertIncident.run({ ...incident, observed: JSON.stringify(incident.observed) });
    },
    updateSeen(seen: {
      incidentId: string;
      hostname: string;
      reason: string;
      observed: Record<string, JsonValue>;
      at: string;
    }): void {
      updateSeen.run({ ...seen, observed: JSON.stringify(seen.observed) });
    },
    close(incidentId: string, at: string): boolean {
      return closeIncident.run(at, at, incidentId).changes === 1;
    },
    /** True only for the first successful fix of the incident: the caller counts it then, and only then. */
    markFixed(incidentId: string, tier: HealingTier): boolean {
      return markFixed.run(tier, incidentId).changes === 1;
    },
    /** False when an attempt with this id is already stored (a retried record after a crash). */
    insertAttempt(attempt: HealingAttempt): boolean {
      return insertAttempt.run({ ...attempt, isDryRun: attempt.isDryRun ? 1 : 0 }).changes === 1;
    },
    attempts(incidentId: string): HealingAttempt[] {
      return (selectAttempts.all(incidentId) as Row[]).map(toAttempt);
    },
    /** L1/L2 runs (dry runs included, refusals not) started at or after `since`, on one host or all. */
    countRunsSince(since: string, hostId: string | null = null): number {
      return (countSince.get({ since, hostId }) as { n: number }).n;
    },
    countOccurrence(pattern: {
      patternSignature: string;
      checkId: string;
      incidentType: string;
      normalizedError: string;
      at: string;
    }): void {
      upsertOccurrence.run(pattern);
    },
    countAttempt(patternSignature: string, tier: HealingTier): void {
      countTier[tier].attempt.run(patternSignature);
    },
    countFix(patternSignature: string, tier: HealingTier, durationMs: number, runbookId: string | null): void {
      countTier[tier].fix.run({ patternSignature, durationMs, runbookId });
    },
    patternStats(patternSignature: string): PatternStats | null {
      const row = selectStats.get(patternSignature) as Row | undefined;
      return row ? toStats(row) : null;
    },
    listPatternStats(limit = 200): PatternStats[] {
      return (selectStatsList.all(limit) as Row[]).map(toStats);
    },
    /** Counts a runbook run (not a dry run) for the pattern, by tier, runbook and parameters. */
    countFixAttempt(fix: PatternFixKey): void {
      fixAttempt.run(fix);
    },
    /** Counts the fix an attempt counted by `countFixAttempt` made (first fix of an incident only). */
    countFixSuccess(fix: PatternFixKey): void {
      fixSuccess.run(fix);
    },
    /** Per runbook and parameters: how each did on the pattern (at most 20, most successful first). */
    patternFixes(patternSignature: string): PatternFix[] {
      return (selectFixes.all(patternSignature) as Row[]).map((r) => ({
        tier: String(r.tier) as 'L1' | 'L2',
        runbookId: String(r.runbook_id),
        params: String(r.params),
        attempts: Number(r.attempts),
        successes: Number(r.successes),
      }));
    },
    cooldownUntil(ruleId: string, hostId: string): string | null {
      const row = selectCooldown.get(ruleId, hostId) as { until: string } | undefined;
      return row?.until ?? null;
    },
    setCooldown(ruleId: string, hostId: string, until: string): void {
      upsertCooldown.run(ruleId, hostId, until);
    },
  };
}
