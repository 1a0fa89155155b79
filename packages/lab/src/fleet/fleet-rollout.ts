import { readFile } from 'node:fs/promises';
import type { Rollout, RolloutAppliance, RolloutStage } from '@osiris/protocol';
import { sleep } from '../agents/lab-wait';
import type { FleetAdmin } from './fleet-admin';
import type { FleetAppliance } from './fleet-appliance';
import type { LabRelease } from './fleet-release';

export interface StageTiming {
  index: number;
  percent: number;
  appliances: number;
  openedAt: string | null;
  healthySince: string | null;
  /** From the stage's opening to the next one's (or to completion / the pause); null if never opened. */
  seconds: number | null;
  counts: Record<string, number>;
}

export interface RolloutOutcome {
  rollout: Rollout;
  members: RolloutAppliance[];
  /** From creating the rollout to reaching the awaited state. */
  seconds: number;
  stages: StageTiming[];
  /** When the rollout reached the awaited state (completion or the pause), by this machine's clock. */
  endedAtMs: number;
}

const countsLine = (rollout: Rollout) =>
  rollout.progress
    .map((p) => {
      const counts = Object.entries(p.counts)
        .filter(([, n]) => n > 0)
        .map(([state, n]) => `${state} ${n}`)
        .join(', ');
      return `stage ${p.index + 1} (${p.percent} %${p.openedAt ? '' : ', closed'}): ${counts || 'none'}`;
    })
    .join(' · ');

function stageTimings(rollout: Rollout, endedAt: string | null): StageTiming[] {
  return rollout.progress.map((p, i) => {
    const next = rollout.progress[i + 1]?.openedAt ?? endedAt;
    return {
      index: p.index,
      percent: p.percent,
      appliances: p.appliances,
      openedAt: p.openedAt,
      healthySince: p.healthySince,
      seconds: p.openedAt && next ? Math.round((Date.parse(next) - Date.parse(p.openedAt)) / 100) / 10 : null,
      counts: Object.fromEntries(Object.entries(p.counts).filter(([, n]) => n > 0)),
    };
  });
}

/** A supervisor that exited by itself fails the run at once, with the end of its log. */
export async function assertSupervisorsRun(appliances: readonly FleetAppliance[]): Promise<void> {
  for (const appliance of appliances) {
    const supervisor = appliance.supervisor;
    if (!supervisor) continue;
    const exited = await Promise.race([supervisor.exited, sleep(0).then(() => null)]);
    if (exited === null) continue;
    const log = await readFile(appliance.logFile, 'utf8').catch(() => '');
    throw new Error(`the supervisor of ${appliance.hostname} exited (${exited}):\n${log.slice(-2000)}`);
  }
}

/**
 * Registers `release` as the admin (signed manifest, then the artifact), creates a rollout of it to
 * every appliance with `stages`, and follows it until `isDone` says so, printing each change of the
 * per-stage counts. A rollout that ends otherwise (completed when a pause was awaited, or the
 * reverse) ends the wait too, so the caller judges it.
 */
export async function runRollout(params: {
  admin: FleetAdmin;
  appliances: readonly FleetAppliance[];
  release: LabRelease;
  stages: readonly RolloutStage[];
  label: string;
  isDone: (rollout: Rollout) => boolean;
  timeoutMs: number;
  progress: (line: string) => void;
}): Promise<RolloutOutcome> {
  const { admin, release, label, progress } = params;
  const registered = await admin.registerRelease(release);
  progress(
    `${label}: release ${registered.version} registered (${registered.state}, sha256 ${registered.sha256.slice(0, 12)}…)`,
  );
  const created = await admin.createRollout(release.version, params.stages, `Lab ${label} ${release.version}`);
  const startedAt = Date.now();
  progress(
    `${label}: rollout ${created.id} created: ${created.progress.map((p) => `${p.percent} % (${p.appliances})`).join(' → ')}`,
  );
  let last = '';
  let rollout = created;
  for (;;) {
    await assertSupervisorsRun(params.appliances);
    rollout = await admin.rollout(created.id);
    const line = `${rollout.status}, ${countsLine(rollout)}`;
    if (line !== last) {
      progress(`${label} +${Math.round((Date.now() - startedAt) / 1000)} s: ${line}`);
      last = line;
    }
    if (params.isDone(rollout) || rollout.status !== 'active') break;
    if (Date.now() - startedAt > params.timeoutMs)
      throw new Error(`${label}: the rollout did not get there within ${params.timeoutMs / 1000} s (${line})`);
    await sleep(1_000);
  }
  const endedAtMs = Date.now();
  const endedAt = rollout.completedAt ?? (rollout.status === 'paused' ? rollout.updatedAt : null);
  return {
    rollout,
    members: await admin.members(created.id),
    seconds: Math.round((endedAtMs - startedAt) / 100) / 10,
    stages: stageTimings(rollout, endedAt),
    endedAtMs,
  };
}
