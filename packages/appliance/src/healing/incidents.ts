import { createHash, randomUUID } from 'node:crypto';
import { canonicalJson, checkById } from '@osiris/protocol';
import type { JsonValue } from '../checks/check';
import type { CheckRunResult } from '../evidence/evidence-writer';
import type { Store } from '../store';
import type {
  AttemptOutcome,
  HealingAttempt,
  HealingTier,
  Incident,
  IncidentSeverity,
  PatternStats,
} from '../store/incidents.store';

/** A failed check: the setting drifted from what the check requires. */
const DRIFT = 'drift';
const NORMALISED_MAX_CHARS = 500;

// Order matters: whole tokens (timestamps, uuids, addresses) go before the bare-number rule would split them.
const NORMALISERS: readonly [RegExp, string][] = [
  [/\b\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})?/gi, '<TIME>'],
  [/\b(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec) +\d{1,2} \d{2}:\d{2}:\d{2}\b/gi, '<TIME>'],
  [/\b[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\b/gi, '<UUID>'],
  [/\b(?:\d{1,3}\.){3}\d{1,3}(?:\/\d{1,2})?(?::\d{1,5})?\b/g, '<IP>'],
  [/\b\d{1,2}:\d{2}:\d{2}(?:\.\d+)?\b/g, '<TIME>'],
  // IPv6: the full eight groups, or any compressed form (which always contains '::').
  [/(?<![\w:])(?:[0-9a-f]{1,4}:){7}[0-9a-f]{1,4}(?![\w:])/gi, '<IP>'],
  [/(?<![\w:])(?:[0-9a-f]{1,4}:)*[0-9a-f]{0,4}::(?:[0-9a-f]{1,4}:)*[0-9a-f]{0,4}(?![\w:])/gi, '<IP>'],
  [/\b0x[0-9a-f]+\b/gi, '<HEX>'],
  // Long hex runs with at least one digit: hashes, container and session ids (not words like "deadbeef").
  [/\b(?=[0-9a-f]*\d)[0-9a-f]{8,}\b/gi, '<HEX>'],
  // The variable part of paths: a person's home, temporary names, per-process and per-user dirs.
  [/(\/home\/|\/Users\/)[^/\s'"]+/g, '$1<USER>'],
  [/(\/(?:tmp|var\/tmp)\/)[^/\s'"]+/g, '$1<TMP>'],
  [/(\/(?:proc|run\/user)\/)\d+/g, '$1<N>'],
  [/\d+(?:\.\d+)?/g, '<N>'],
];

/**
 * The error text with everything that differs between two occurrences of the same problem
 * replaced by placeholders (times, ids, addresses, numbers, variable path parts), lower-cased and
 * with whitespace collapsed, so that repeats of one problem share one pattern signature.
 */
export function normaliseError(text: string): string {
  let out = text.slice(0, 4 * NORMALISED_MAX_CHARS);
  for (const [pattern, replacement] of NORMALISERS) out = out.replace(pattern, replacement);
  return out.replace(/\s+/g, ' ').trim().toLowerCase().slice(0, NORMALISED_MAX_CHARS);
}

/** Canonical JSON of runbook parameters (equal parameters, equal key); `{}` when there are none. */
function paramsKey(params: unknown): string {
  try {
    return canonicalJson(params ?? {});
  } catch {
    return '{"unserialisable":true}';
  }
}

/** SHA-256 (hex) of check id, incident type and normalised error; the host is not part of it, so patterns span hosts. */
export function patternSignature(checkId: string, incidentType: string, error: string): string {
  // NUL separators: no field can run into the next and collide with a different split.
  return createHash('sha256')
    .update(`${checkId}\0${incidentType}\0${normaliseError(error)}`)
    .digest('hex');
}

type ResultChange = 'opened' | 'updated' | 'closed' | 'none';

/** The check result fields incidents need (a `CheckRunResult` fits). */
type ResultInput = Pick<CheckRunResult, 'hostId' | 'hostname' | 'checkId' | 'status' | 'reason' | 'finishedAt'> & {
  observed: Record<string, JsonValue>;
};

interface AttemptInput {
  incidentId: string;
  tier: HealingTier;
  ruleId?: string | null;
  runbookId?: string | null;
  outcome: AttemptOutcome;
  isDryRun?: boolean;
  startedAt: Date;
  finishedAt: Date;
  error?: string | null;
  /** The parameters the runbook ran with; counted per runbook and parameters for the learning loop. */
  params?: unknown;
  /** Give the same id when re-recording after a crash: the attempt is then stored and counted once. */
  attemptId?: string;
}

/**
 * Incidents from check results, and the healing attempts made on them. Every change runs in one
 * IMMEDIATE transaction, so neither a crash nor a second connection (daemon + CLI) can leave two
 * open incidents for one host and check, or count one fix twice.
 */
export function createIncidentsService(deps: {
  store: Pick<Store, 'incidents'>;
  /** Catalog severity by check id; checks the catalog does not know count as medium. */
  severityOf?: (checkId: string) => IncidentSeverity | undefined;
}) {
  const incidents = deps.store.incidents;
  const severityOf = deps.severityOf ?? ((checkId: string) => checkById(checkId)?.severity);

  function recordResult(result: ResultInput): { change: ResultChange; incident: Incident | null } {
    const at = result.finishedAt.toISOString();
    return incidents.transaction(() => {
      const open = incidents.findOpen(result.hostId, result.checkId);
      if (result.status === 'pass') {
        if (!open) return { change: 'none', incident: null };
        incidents.close(open.incidentId, at);
        return { change: 'closed', incident: incidents.get(open.incidentId) };
      }
      // An error result means the check could not judge the host, and an excepted one must not be
      // acted on: neither opens nor closes anything (an open incident resumes once the exception ends).
      if (result.status === 'error' || result.status === 'excepted') return { change: 'none', incident: open };
      if (open) {
        incidents.updateSeen({ ...result, incidentId: open.incidentId, at });
        return { change: 'updated', incident: incidents.get(open.incidentId) };
      }
      const incidentId = randomUUID();
      const signature = patternSignature(result.checkId, DRIFT, result.reason);
      incidents.insertOpen({
        incidentId,
        hostId: result.hostId,
        hostname: result.hostname,
        checkId: result.checkId,
        incidentType: DRIFT,
        severity: severityOf(result.checkId) ?? 'medium',
        reason: result.reason,
        observed: result.observed,
        patternSignature: signature,
        at,
      });
      incidents.countOccurrence({
        patternSignature: signature,
        checkId: result.checkId,
        incidentType: DRIFT,
        normalizedError: normaliseError(result.reason),
        at,
      });
      return { change: 'opened', incident: incidents.get(incidentId) };
    });
  }

  /**
   * Records one attempt and counts it in the pattern statistics. A success counts as a fix only
   * the first time for an incident; dry runs are stored (rate limits see them) but never counted
   * as attempts or fixes, since nothing was changed.
   */
  function recordAttempt(input: AttemptInput): { isRecorded: boolean; attempt: HealingAttempt } {
    return incidents.transaction(() => {
      const incident = incidents.get(input.incidentId);
      if (!incident) throw new Error(`no incident ${input.incidentId}`);
      const attempt: HealingAttempt = {
        attemptId: input.attemptId ?? randomUUID(),
        incidentId: incident.incidentId,
        hostId: incident.hostId,
        tier: input.tier,
        ruleId: input.ruleId ?? null,
        runbookId: input.runbookId ?? null,
        outcome: input.outcome,
        isDryRun: input.isDryRun ?? false,
        durationMs: Math.max(0, Math.round(input.finishedAt.getTime() - input.startedAt.getTime())),
        startedAt: input.startedAt.toISOString(),
        finishedAt: input.finishedAt.toISOString(),
        error: input.error ? input.error.slice(0, 2_000) : null,
      };
      const isRecorded = incidents.insertAttempt(attempt);
      if (!isRecorded || attempt.isDryRun || attempt.outcome === 'refused') return { isRecorded, attempt };
      incidents.countAttempt(incident.patternSignature, attempt.tier);
      const fix =
        attempt.runbookId && attempt.tier !== 'L3'
          ? {
              patternSignature: incident.patternSignature,
              tier: attempt.tier,
              runbookId: attempt.runbookId,
              params: paramsKey(input.params),
            }
          : null;
      if (fix) incidents.countFixAttempt(fix);
      if (attempt.outcome === 'success' && incidents.markFixed(incident.incidentId, attempt.tier)) {
        incidents.countFix(incident.patternSignature, attempt.tier, attempt.durationMs, attempt.runbookId);
        if (fix) incidents.countFixSuccess(fix);
      }
      return { isRecorded, attempt };
    });
  }

  return {
    recordResult,
    recordAttempt,
    get: (incidentId: string): Incident | null => incidents.get(incidentId),
    listOpen: (limit?: number): Incident[] => incidents.listOpen(limit),
    attempts: (incidentId: string): HealingAttempt[] => incidents.attempts(incidentId),
    patternStats: (signature: string): PatternStats | null => incidents.patternStats(signature),
    listPatternStats: (limit?: number): PatternStats[] => incidents.listPatternStats(limit),
  };
}
