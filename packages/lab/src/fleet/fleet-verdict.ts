import type { Appliance, RolloutAppliance } from '@osiris/protocol';
import type { RootState } from './fleet-appliance';
import type { ApplianceWatch } from './fleet-monitor';
import type { RolloutOutcome, StageTiming } from './fleet-rollout';

/** What the runner gathered about one appliance at the end, from central, its root and its log. */
export interface ApplianceFacts {
  hostname: string;
  applianceId: string;
  central: Appliance | undefined;
  good: RolloutAppliance | undefined;
  bad: RolloutAppliance | undefined;
  root: RootState;
  /** Starts of the bad build (its marker lines in the supervisor's log). */
  badStarts: number;
  /** install_release orders central issued to it for the bad version. */
  badOrders: number;
  watch: ApplianceWatch;
}

export interface FleetFacts {
  versions: { base: string; good: string; bad: string };
  good: RolloutOutcome;
  bad: RolloutOutcome;
  /** The bad rollout's status, stage and untouched members at each second of the hold after the pause. */
  hold: { seconds: number; stayedPaused: boolean; othersStayedPending: boolean };
  autoPauseAudited: boolean;
  appliances: ApplianceFacts[];
  maxGapMs: number;
  freshMs: number;
  sampleMs: number;
  /** How long the monitor ran (from before the good rollout to after the hold). */
  monitoredMs: number;
  centralEveryMs: number;
  /** The most failed starts the supervisor allows a new version before it rolls back. */
  maxStartAttempts: number;
}

const rounded = (ms: number) => Math.round(ms / 100) / 10;

function stageSummary(stages: readonly StageTiming[]) {
  return stages.map((s) => ({
    stage: s.index + 1,
    percent: s.percent,
    appliances: s.appliances,
    seconds: s.seconds,
    counts: s.counts,
  }));
}

/** The failures of a run (empty when it passed) and the summary printed as the final JSON line. */
export function judgeFleetRun(facts: FleetFacts) {
  const failures: string[] = [];
  const fail = (what: string) => failures.push(what);
  const { good, bad, versions } = facts;
  const healthSafe = (a: ApplianceFacts) =>
    a.root.pending === null &&
    a.root.knownGoodVersion === versions.good &&
    a.root.current === a.root.knownGood &&
    a.root.good === a.root.knownGood &&
    a.root.knownGood !== null &&
    a.root.slots[a.root.knownGood as 'a' | 'b'] === versions.good;

  // The good release: completed, every appliance healthy, checking in with it, its root settled on it.
  if (good.rollout.status !== 'completed') fail(`good rollout is ${good.rollout.status}, not completed`);
  if (good.stages.some((s) => s.openedAt === null)) fail('a stage of the good rollout never opened');
  for (const a of facts.appliances) {
    if (a.good?.state !== 'healthy') fail(`${a.hostname}: ${a.good?.state ?? 'no'} state in the good rollout`);
    if (a.central?.version !== versions.good) fail(`${a.hostname}: central sees version ${a.central?.version}`);
    if (!healthSafe(a)) fail(`${a.hostname}: root not settled on ${versions.good}: ${JSON.stringify(a.root)}`);
  }

  // The bad release: the first stage rolls back after its failed starts, the rollout pauses by itself.
  const firstStage = facts.appliances.filter((a) => a.bad?.stage === 0);
  const others = facts.appliances.filter((a) => a.bad && a.bad.stage > 0);
  if (bad.rollout.status !== 'paused') fail(`bad rollout is ${bad.rollout.status}, not paused`);
  if (!/^Paused automatically/.test(bad.rollout.pauseReason ?? '')) fail(`pause reason: ${bad.rollout.pauseReason}`);
  if (bad.rollout.currentStage !== 0) fail(`bad rollout reached stage ${bad.rollout.currentStage + 1}`);
  if (!facts.autoPauseAudited) fail('no automatic rollout.paused in the audit log');
  if (!facts.hold.stayedPaused) fail('the bad rollout did not stay paused');
  if (!facts.hold.othersStayedPending) fail('an appliance outside the first stage left pending');
  if (firstStage.length === 0) fail('the bad rollout had no first-stage appliance');
  if (others.length + firstStage.length !== facts.appliances.length) fail('not every appliance was in the bad rollout');
  for (const a of firstStage) {
    if (a.bad?.state !== 'rolled_back') fail(`${a.hostname}: ${a.bad?.state} in the bad rollout, not rolled_back`);
    if (!['START_FAILED', 'HEALTH_GATE_FAILED'].includes(a.bad?.errorCode ?? ''))
      fail(`${a.hostname}: error code ${a.bad?.errorCode}`);
    if (a.badStarts !== facts.maxStartAttempts) fail(`${a.hostname}: the bad build started ${a.badStarts} times`);
    if (a.badOrders !== 1) fail(`${a.hostname}: ${a.badOrders} install orders for ${versions.bad}`);
    if (!healthSafe(a)) fail(`${a.hostname}: not back on ${versions.good}: ${JSON.stringify(a.root)}`);
  }
  for (const a of others) {
    if (a.bad?.state !== 'pending') fail(`${a.hostname}: ${a.bad?.state} in the bad rollout, outside its first stage`);
    if (a.badOrders !== 0 || a.badStarts !== 0) fail(`${a.hostname}: received the bad release`);
    if (Object.values(a.root.slots).includes(versions.bad)) fail(`${a.hostname}: has ${versions.bad} in a slot`);
  }

  // Never without a working version: every gap short, none still open, the bad version never checked in.
  for (const a of facts.appliances) {
    if (a.watch.maxGapMs > facts.maxGapMs)
      fail(`${a.hostname}: without a working version for ${rounded(a.watch.maxGapMs)} s (${a.watch.maxGapReason})`);
    if (a.watch.maxCheckinSilenceMs > facts.maxGapMs)
      fail(`${a.hostname}: no check-in for ${rounded(a.watch.maxCheckinSilenceMs)} s`);
    if (a.watch.stillInGapMs !== null) fail(`${a.hostname}: not working at the end (${a.watch.maxGapReason})`);
    if (a.watch.checkinVersions.includes(versions.bad)) fail(`${a.hostname}: checked in with ${versions.bad}`);
    if (a.watch.workingSamples === 0) fail(`${a.hostname}: never sampled working`);
    if (a.watch.daemonStarts < 2) fail(`${a.hostname}: its daemon was never seen restarting into a new version`);
  }

  const worst = [...facts.appliances].sort((x, y) => y.watch.maxGapMs - x.watch.maxGapMs)[0];
  const summary = {
    ok: failures.length === 0,
    appliances: facts.appliances.length,
    versions,
    goodRollout: {
      id: good.rollout.id,
      status: good.rollout.status,
      seconds: good.seconds,
      stages: stageSummary(good.stages),
      healthy: facts.appliances.filter((a) => a.good?.state === 'healthy').length,
      onGoodVersion: facts.appliances.filter((a) => a.central?.version === versions.good).length,
    },
    badRollout: {
      id: bad.rollout.id,
      status: bad.rollout.status,
      pauseReason: bad.rollout.pauseReason,
      secondsToPause: bad.seconds,
      stages: stageSummary(bad.stages),
      firstStage: firstStage.map((a) => ({
        hostname: a.hostname,
        state: a.bad?.state,
        errorCode: a.bad?.errorCode,
        message: a.bad?.message,
        badStarts: a.badStarts,
        runningVersion: a.root.knownGoodVersion,
      })),
      untouched: others.filter((a) => a.bad?.state === 'pending' && a.badOrders === 0 && a.badStarts === 0).length,
      heldPausedSeconds: facts.hold.seconds,
    },
    availability: {
      rule: `daemon up from a known-good slot and checked in with a known-good version within ${facts.freshMs / 1000} s; processes sampled every ${facts.sampleMs / 1000} s, central every ${facts.centralEveryMs / 1000} s`,
      allowedGapSeconds: facts.maxGapMs / 1000,
      worstGapSeconds: worst ? rounded(worst.watch.maxGapMs) : null,
      worstGapAppliance: worst?.hostname ?? null,
      worstGapReason: worst?.watch.maxGapReason ?? null,
      worstCheckinSilenceSeconds: rounded(Math.max(0, ...facts.appliances.map((a) => a.watch.maxCheckinSilenceMs))),
      monitoredSeconds: rounded(facts.monitoredMs),
      samples: facts.appliances.reduce((n, a) => n + a.watch.samples, 0),
      workingSamples: facts.appliances.reduce((n, a) => n + a.watch.workingSamples, 0),
    },
    perAppliance: facts.appliances.map((a) => ({
      hostname: a.hostname,
      applianceId: a.applianceId,
      version: a.central?.version ?? null,
      good: { stage: (a.good?.stage ?? -1) + 1, state: a.good?.state ?? null },
      bad: { stage: (a.bad?.stage ?? -1) + 1, state: a.bad?.state ?? null, errorCode: a.bad?.errorCode ?? null },
      root: { knownGood: a.root.knownGood, knownGoodVersion: a.root.knownGoodVersion, slots: a.root.slots },
      samples: a.watch.samples,
      daemonStarts: a.watch.daemonStarts,
      maxCheckinSilenceSeconds: rounded(a.watch.maxCheckinSilenceMs),
      gaps: a.watch.gaps,
      maxGapSeconds: rounded(a.watch.maxGapMs),
    })),
    failures,
  };
  return { summary, failures };
}
export type FleetSummary = ReturnType<typeof judgeFleetRun>['summary'];
