import { createHash } from 'node:crypto';
import {
  ApplianceUpdateState,
  type Rollout,
  type RolloutAppliance,
  type RolloutStage,
  type RolloutTarget,
} from '@osiris/protocol';
import type { RolloutApplianceRow, RolloutRow, StageRow } from './fleet.store';

/** States an appliance does not leave by itself; `failed` counts as finished for completion. */
export const FINISHED_STATES: readonly string[] = ['healthy', 'failed', 'rolled_back'];
/** States a report never moves an appliance out of. */
export const TERMINAL_STATES: readonly string[] = ['healthy', 'rolled_back'];

/**
 * Deterministic stage membership: appliances ordered by SHA-256(rolloutId + applianceId); stage i
 * holds the first ceil(N × percent_i / 100) of them (at least 1 when N > 0) minus the earlier
 * stages. Returns, per appliance id, its position and stage.
 */
export function planStages(
  rolloutId: string,
  applianceIds: readonly string[],
  stages: readonly RolloutStage[],
): { applianceId: string; position: number; stage: number }[] {
  const ordered = applianceIds
    .map((id) => ({
      id,
      key: createHash('sha256')
        .update(rolloutId + id)
        .digest('hex'),
    }))
    .sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  const n = ordered.length;
  const upTo = stages.map((s) => (n === 0 ? 0 : Math.min(n, Math.max(1, Math.ceil((n * s.percent) / 100)))));
  return ordered.map(({ id }, position) => ({
    applianceId: id,
    position,
    stage: upTo.findIndex((limit) => position < limit),
  }));
}

type Counts = Record<ApplianceUpdateState, number>;
const zeroCounts = (): Counts => Object.fromEntries(ApplianceUpdateState.options.map((s) => [s, 0])) as Counts;

export function toRollout(
  row: RolloutRow,
  version: string,
  stages: readonly StageRow[],
  counts: readonly { stage: number; state: string; n: string | number }[],
): Rollout {
  const progress = stages.map((stage) => {
    const mine = counts.filter((c) => c.stage === stage.stage_index);
    const byState = zeroCounts();
    for (const c of mine) byState[c.state as ApplianceUpdateState] = Number(c.n);
    return {
      index: stage.stage_index,
      percent: stage.percent,
      healthyMinutes: stage.healthy_minutes,
      appliances: mine.reduce((sum, c) => sum + Number(c.n), 0),
      counts: byState,
      openedAt: stage.opened_at?.toISOString() ?? null,
      healthySince: stage.healthy_since?.toISOString() ?? null,
    };
  });
  return {
    id: row.id,
    name: row.name,
    version,
    target: row.target as unknown as RolloutTarget,
    stages: stages.map((s) => ({ percent: s.percent, healthyMinutes: s.healthy_minutes })),
    failureThresholdPercent: row.failure_threshold_percent,
    status: row.status as Rollout['status'],
    currentStage: row.current_stage,
    pauseReason: row.pause_reason,
    createdAt: row.created_at.toISOString(),
    createdBy: row.created_by,
    updatedAt: row.updated_at.toISOString(),
    completedAt: row.completed_at?.toISOString() ?? null,
    progress,
  };
}

export function toRolloutAppliance(
  row: RolloutApplianceRow & { hostname: string; site_id: string; site_name: string },
): RolloutAppliance {
  return {
    applianceId: row.appliance_id,
    hostname: row.hostname,
    siteId: row.site_id,
    siteName: row.site_name,
    stage: row.stage,
    state: row.state as RolloutAppliance['state'],
    fromVersion: row.from_version,
    errorCode: row.error_code,
    message: row.message,
    updatedAt: row.updated_at.toISOString(),
  };
}

/** Whether failed + rolled back appliances of a stage reach the threshold share of it. */
export function reachesFailureThreshold(failures: number, stageSize: number, thresholdPercent: number): boolean {
  return stageSize > 0 && failures > 0 && failures * 100 >= thresholdPercent * stageSize;
}
