import { createHash } from 'node:crypto';
import {
  ActionParams,
  AppliancePatternsResponse,
  type PatternReport,
  PatternReport as PatternReportSchema,
} from '@osiris/protocol';
import type { Logger } from '../log';
import type { Store } from '../store';
import { type FetchImpl, postJson } from './central-client';

/** Patterns per report: the most recently seen first (central keeps what it was sent before). */
const MAX_PATTERNS = 1_000;

/** This appliance's pattern statistics in the wire format; fixes whose parameters cannot travel are left out. */
export function patternReports(store: Pick<Store, 'incidents'>): PatternReport[] {
  return store.incidents.listPatternStats(MAX_PATTERNS).flatMap((stats) => {
    const fixes = store.incidents.patternFixes(stats.patternSignature).flatMap((fix) => {
      const params = ActionParams.safeParse(JSON.parse(fix.params));
      return params.success ? [{ ...fix, params: params.data }] : [];
    });
    const report = PatternReportSchema.safeParse({
      patternSignature: stats.patternSignature,
      checkId: stats.checkId,
      incidentType: stats.incidentType,
      occurrences: stats.occurrences,
      l1Attempts: stats.l1Attempts,
      l1Successes: stats.l1Successes,
      l2Attempts: stats.l2Attempts,
      l2Successes: stats.l2Successes,
      l3Escalations: stats.l3Attempts,
      firstSeenAt: stats.firstSeenAt,
      lastSeenAt: stats.lastSeenAt,
      fixes,
    });
    return report.success ? [report.data] : [];
  });
}

/**
 * The learning loop's appliance half: sends the pattern statistics to central when they changed
 * since the last report central accepted. Counters are totals, so a lost or repeated report is
 * harmless; a failure is logged and the next round tries again.
 */
export function createPatternSync(deps: { store: Store; log: Logger; fetchImpl?: FetchImpl }) {
  const { store, log } = deps;
  let lastSentDigest: string | null = null;

  return {
    /** Returns the number of patterns sent (0 when nothing changed or the appliance is not registered). */
    async flush(): Promise<number> {
      const registration = store.registration.get();
      if (!registration) return 0;
      const body = { schemaVersion: 1, patterns: patternReports(store) };
      if (body.patterns.length === 0) return 0;
      const digest = createHash('sha256').update(JSON.stringify(body)).digest('hex');
      if (digest === lastSentDigest) return 0;
      await postJson(
        deps.fetchImpl ?? fetch,
        `${registration.centralUrl}/v1/appliance/patterns`,
        body,
        AppliancePatternsResponse,
        {
          token: registration.token,
          describeStatus: () => null,
        },
      );
      lastSentDigest = digest;
      log.debug('pattern statistics sent', { patterns: body.patterns.length });
      return body.patterns.length;
    },
  };
}
