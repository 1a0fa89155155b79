import { z } from 'zod';
import { checkById } from './catalog';
import { Id, Timestamp } from './common';
import { checksForFrameworkControl, controlsOf, FrameworkId, isManualControl } from './frameworks';

/**
 * Compliance scores (issue 7): one formula, used by central for live scores and daily snapshots,
 * shown in the UI help, and runnable anywhere (it is pure and needs only this package).
 *
 * 1. Each host × check gets one item status from its newest result as of the moment scored:
 *    - `excepted` when an approved exception covers it at that moment (or the appliance reported
 *      it `excepted`);
 *    - `unknown` when the result is stale — older than two check intervals — or the check could not
 *      judge the host (`error`);
 *    - otherwise the result's `pass` or `fail`.
 * 2. Each control of a framework gets one status over the items of the checks that evidence it:
 *    `fail` if any item fails; else `unknown` if any is unknown; else `pass` if any passes; else
 *    `excepted` if all are excepted. An automated control with no item at all (none of its checks
 *    ran on these hosts, e.g. Windows checks at a Linux-only site) is `not_assessed`.
 *    A manual control (no check evidences it) is `pass` while a person's attestation for it is
 *    valid (attested at or before the moment, expiring after it) and `unattested` otherwise.
 * 3. score = passing ÷ (passing + failing + unknown) controls, as a percentage with one decimal.
 *    Excepted, not assessed and unattested controls are counted apart and are not in the score.
 *    No control in the denominator → no score (null).
 */

export const SCORE_FORMULA =
  'score = passing controls ÷ (passing + failing + unknown controls) × 100. A control fails if any host fails one of its checks; it is unknown if evidence is stale (no result within two check intervals) or a check could not run; excepted controls, controls no check here can assess, and manual controls without a valid attestation are counted apart. A manual control counts as passing while its attestation is valid.';

export const ItemStatus = z.enum(['pass', 'fail', 'unknown', 'excepted']);
export type ItemStatus = z.infer<typeof ItemStatus>;
export const ControlStatus = z.enum(['pass', 'fail', 'unknown', 'excepted', 'not_assessed', 'unattested']);
export type ControlStatus = z.infer<typeof ControlStatus>;

export interface ScoreResultInput {
  hostId: string;
  checkId: string;
  status: 'pass' | 'fail' | 'error' | 'excepted';
  finishedAt: string;
}
export interface ScoreExceptionInput {
  id: string;
  hostId: string | null;
  checkIds: readonly string[];
  startsAt: string;
  expiresAt: string;
}
export interface ScoreAttestationInput {
  framework: FrameworkId;
  controlId: string;
  attestedAt: string;
  expiresAt: string;
}
export interface ScoreInputs {
  /** The moment scored (ISO timestamp). */
  at: string;
  frameworks: readonly FrameworkId[];
  /** The newest result per host and check as of `at`. */
  results: readonly ScoreResultInput[];
  /** Approved exceptions that had not ended by `at` (time bounds are checked here). */
  exceptions: readonly ScoreExceptionInput[];
  /** Attestations not revoked by `at`; none for a host score (manual controls are the practice's). */
  attestations: readonly ScoreAttestationInput[];
  /** Whether manual controls take part (site, practice); a host score leaves them out. */
  includeManual: boolean;
}

export const ScoreCounts = z.object({
  passing: z.number().int(),
  failing: z.number().int(),
  unknown: z.number().int(),
  excepted: z.number().int(),
  notAssessed: z.number().int(),
  unattested: z.number().int(),
});
export type ScoreCounts = z.infer<typeof ScoreCounts>;

export const ControlScore = z.object({
  id: z.string(),
  title: z.string(),
  family: z.string(),
  manual: z.boolean(),
  status: ControlStatus,
  /** Item counts over the control's checks (automated controls). */
  items: z.object({
    pass: z.number().int(),
    fail: z.number().int(),
    unknown: z.number().int(),
    excepted: z.number().int(),
  }),
});
export type ControlScore = z.infer<typeof ControlScore>;

export const FrameworkScore = z.object({
  framework: FrameworkId,
  /** Percentage with one decimal, or null when no control is passing, failing or unknown. */
  score: z.number().min(0).max(100).nullable(),
  counts: ScoreCounts,
  controls: z.array(ControlScore),
});
export type FrameworkScore = z.infer<typeof FrameworkScore>;

export const ComplianceScore = z.object({
  scope: z.object({ kind: z.enum(['host', 'site', 'practice', 'partner']), id: Id }),
  at: Timestamp,
  formula: z.string(),
  frameworks: z.array(FrameworkScore),
});
export type ComplianceScore = z.infer<typeof ComplianceScore>;

const DEFAULT_INTERVAL_SECONDS = 300;

/** A result older than two of its check's intervals says nothing about now. */
export function isStale(checkId: string, finishedAt: string, at: string): boolean {
  const interval = checkById(checkId)?.defaultIntervalSeconds ?? DEFAULT_INTERVAL_SECONDS;
  return Date.parse(at) - Date.parse(finishedAt) > 2 * interval * 1000;
}

const within = (at: number, from: string, until: string) => Date.parse(from) <= at && at < Date.parse(until);

/** Step 1: the status of each host × check, keyed `hostId checkId`. */
export function itemStatuses(inputs: Pick<ScoreInputs, 'at' | 'results' | 'exceptions'>): Map<string, ItemStatus> {
  const at = Date.parse(inputs.at);
  const items = new Map<string, ItemStatus>();
  for (const result of inputs.results) {
    const excepted =
      result.status === 'excepted' ||
      inputs.exceptions.some(
        (e) =>
          (e.hostId === null || e.hostId === result.hostId) &&
          e.checkIds.includes(result.checkId) &&
          within(at, e.startsAt, e.expiresAt),
      );
    const status: ItemStatus = excepted
      ? 'excepted'
      : result.status === 'error' || isStale(result.checkId, result.finishedAt, inputs.at)
        ? 'unknown'
        : result.status === 'pass'
          ? 'pass'
          : 'fail';
    items.set(`${result.hostId} ${result.checkId}`, status);
  }
  return items;
}

/** Step 2 for one automated control: its status from its items. */
export function automatedStatus(counts: ControlScore['items']): ControlStatus {
  if (counts.fail > 0) return 'fail';
  if (counts.unknown > 0) return 'unknown';
  if (counts.pass > 0) return 'pass';
  if (counts.excepted > 0) return 'excepted';
  return 'not_assessed';
}

/** Step 3: the percentage with one decimal, or null. */
export function scoreOf(counts: ScoreCounts): number | null {
  const denominator = counts.passing + counts.failing + counts.unknown;
  return denominator === 0 ? null : Math.round((counts.passing / denominator) * 1000) / 10;
}

/** Scores of every framework asked for, with every control's status. */
export function computeScores(inputs: ScoreInputs): FrameworkScore[] {
  const items = itemStatuses(inputs);
  const hosts = [...new Set(inputs.results.map((r) => r.hostId))];
  const at = Date.parse(inputs.at);
  return inputs.frameworks.map((framework) => {
    const counts: ScoreCounts = { passing: 0, failing: 0, unknown: 0, excepted: 0, notAssessed: 0, unattested: 0 };
    const controls: ControlScore[] = [];
    for (const control of controlsOf(framework)) {
      const manual = isManualControl(framework, control.id);
      if (manual && !inputs.includeManual) continue;
      const tally = { pass: 0, fail: 0, unknown: 0, excepted: 0 };
      let status: ControlStatus;
      if (manual) {
        const attested = inputs.attestations.some(
          (a) => a.framework === framework && a.controlId === control.id && within(at, a.attestedAt, a.expiresAt),
        );
        status = attested ? 'pass' : 'unattested';
      } else {
        for (const checkId of checksForFrameworkControl(framework, control.id))
          for (const hostId of hosts) {
            const item = items.get(`${hostId} ${checkId}`);
            if (item) tally[item]++;
          }
        status = automatedStatus(tally);
      }
      const key = {
        pass: 'passing',
        fail: 'failing',
        unknown: 'unknown',
        excepted: 'excepted',
        not_assessed: 'notAssessed',
        unattested: 'unattested',
      } as const;
      counts[key[status]]++;
      controls.push({ id: control.id, title: control.title, family: control.family, manual, status, items: tally });
    }
    return { framework, score: scoreOf(counts), counts, controls };
  });
}
