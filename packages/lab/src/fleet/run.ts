import { readFile, mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Rollout, RolloutStage } from '@osiris/protocol';
import { type CentralServer, startCentralServer } from '@osiris/central/testing';
import { sleep, waitFor } from '../agents/lab-wait';
import { createCleanup } from '../export/export-system';
import { createLab } from '../hosts/lab';
import type { LabHost } from '../hosts/lab-host';
import { type FleetAdmin, orderedVersion, signInFleetAdmin } from './fleet-admin';
import { createFleetAppliance, type FleetAppliance, type FleetTimings } from './fleet-appliance';
import { type ApplianceWatch, startFleetMonitor } from './fleet-monitor';
import {
  BAD_BUILD_MARKER,
  buildBadRelease,
  buildGoodRelease,
  bumpPatch,
  createReleaseKey,
  packRelease,
  sourceVersion,
} from './fleet-release';
import { assertSupervisorsRun, type RolloutOutcome, runRollout } from './fleet-rollout';
import { type ApplianceFacts, type FleetSummary, judgeFleetRun } from './fleet-verdict';

/** The updater's rule (issue 10): a new version that fails this many starts is rolled back. */
const MAX_START_ATTEMPTS = 3;
const SAMPLE_MS = 250;
const CENTRAL_EVERY_MS = 1_000;

export interface FleetLabOptions {
  appliances: number;
  /** Lab hosts the appliances check over SSH (appliance i checks host i mod hosts). */
  hosts: number;
  stages: RolloutStage[];
  timings: FleetTimings;
  rolloutTickSeconds: number;
  /** Longest wait for each rollout to complete or pause. */
  rolloutTimeoutSeconds: number;
  /** After the bad rollout paused: how long to watch that it stays paused and nobody else gets the release. */
  holdSeconds: number;
  /** Longest allowed gap without a working version (a restart into a new version, a failed start). */
  maxGapSeconds: number;
  backend: 'pglite' | 'postgres';
  /** Keep the work dir (logs, roots, data) even when the run passed. */
  keep?: boolean;
  progress: (line: string) => void;
  /** Runs against the live system before teardown: the CI test's own checks of central's DB and the roots. */
  inspect?: (live: FleetLive) => Promise<void>;
}

export interface FleetLive {
  central: CentralServer;
  admin: FleetAdmin;
  appliances: readonly FleetAppliance[];
  versions: { base: string; good: string; bad: string };
  goodRolloutId: string;
  badRolloutId: string;
  summary: FleetSummary;
}

export interface FleetLabReport {
  summary: FleetSummary;
  /** Kept only when the run failed: the appliances' logs and roots. */
  keptDir: string | null;
}

const countMarker = async (file: string) =>
  (await readFile(file, 'utf8').catch(() => '')).split('\n').filter((line) => line.includes(BAD_BUILD_MARKER)).length;

/**
 * Issue 10's acceptance scenario. Central (release key of this run, short rollout tick), lab hosts
 * as check targets, and N appliances, each an `osiris-appliance supervise` process with its own
 * install root seeded with the version the sources build. A good release (packed, signed,
 * registered by an admin over HTTP) is rolled out in stages until every appliance is healthy on it;
 * then a bad one (see buildBadRelease) must roll back in the first stage and pause the rollout by
 * itself, the rest never receiving it. All along, every appliance is sampled for a working version.
 */
export async function runFleetLab(options: FleetLabOptions): Promise<FleetLabReport> {
  const startedAt = Date.now();
  const progress = (line: string) => options.progress(`[${Math.round((Date.now() - startedAt) / 1000)} s] ${line}`);
  const cleanup = createCleanup();
  const dir = await mkdtemp(join(tmpdir(), 'osiris-lab-fleet-'));
  let keep = options.keep ?? false;
  cleanup.add('work dir', () => (keep ? Promise.resolve() : rm(dir, { recursive: true, force: true })));
  const appliances: FleetAppliance[] = [];
  try {
    const releasesDir = join(dir, 'releases');
    await mkdir(releasesDir, { recursive: true });
    const key = await createReleaseKey(join(dir, 'release-key'));
    const base = await sourceVersion();
    const versions = { base, good: bumpPatch(base, 1), bad: bumpPatch(base, 2) };
    const baseArtifact = await packRelease(base, releasesDir);
    progress(`release key made; ${base} (installed), ${versions.good} (good) and ${versions.bad} (bad) to pack`);
    const good = await buildGoodRelease(key, versions.good, releasesDir);
    const bad = await buildBadRelease(key, versions.bad, releasesDir);
    progress(`packed and signed ${good.version} and ${bad.version} (whose daemon exits at start)`);

    const central = await startCentralServer(options.backend, {
      RELEASE_PUBLIC_KEYS: [key.publicKey],
      ROLLOUT_TICK_SECONDS: options.rolloutTickSeconds,
      JOBS_ENABLED: true,
    });
    cleanup.add('central', () => central.close());
    const { siteId } = await central.createSite('fleet-lab');
    const admin = await signInFleetAdmin(central);
    progress(`central at ${central.url} (${options.backend}), rollout tick ${options.rolloutTickSeconds} s`);

    const lab = createLab();
    const hosts: LabHost[] = [];
    for (let i = 0; i < options.hosts; i++) {
      const host = await lab.createHost();
      cleanup.add(`lab host ${host.info.name}`, () => host.destroy());
      hosts.push(host);
    }
    progress(`${hosts.length} lab host(s) up as check targets: ${hosts.map((h) => h.info.name).join(', ')}`);

    cleanup.add('appliances', () => Promise.all(appliances.map((a) => a.stop())));
    for (let i = 0; i < options.appliances; i++) {
      const appliance = await createFleetAppliance({
        index: i + 1,
        dir,
        centralUrl: central.url,
        provisionCode: await central.provisionCode(siteId),
        host: hosts[i % hosts.length] as LabHost,
        releasePublicKey: key.publicKey,
        baseArtifact,
        timings: options.timings,
      });
      appliances.push(appliance);
      await appliance.start();
    }
    progress(`${appliances.length} supervisor(s) started, each with ${base} in slot a`);
    const registered = await waitFor('every appliance registered and checking in', 180_000, async () => {
      await assertSupervisorsRun(appliances);
      const listed = await admin.appliances(siteId);
      const byName = new Map(listed.map((a) => [a.hostname, a]));
      const all = appliances.map((a) => byName.get(a.hostname));
      return all.every((a) => a?.lastCheckinAt && a.version === base) ? all : null;
    });
    registered.forEach((record, i) => {
      (appliances[i] as FleetAppliance).applianceId = record?.id ?? null;
    });
    progress(`every appliance registered and checks in with ${base}`);

    const freshMs = (options.timings.checkinIntervalSeconds * 3 + 2) * 1000;
    const monitorStartedAt = Date.now();
    const monitor = startFleetMonitor({
      appliances,
      knownGood: [base, versions.good],
      readCentral: () => admin.appliances(siteId),
      freshMs,
      intervalMs: SAMPLE_MS,
      centralEveryMs: CENTRAL_EVERY_MS,
      onError: progress,
    });
    let watches: ApplianceWatch[] | null = null;
    cleanup.add('monitor', async () => {
      watches ??= await monitor.stop();
    });

    const timeoutMs = options.rolloutTimeoutSeconds * 1000;
    const goodOutcome = await runRollout({
      admin,
      appliances,
      release: good,
      stages: options.stages,
      label: 'good',
      isDone: (r) => r.status === 'completed',
      timeoutMs,
      progress,
    });
    progress(`good: ${goodOutcome.rollout.status} in ${goodOutcome.seconds} s`);
    await waitFor(`every appliance checking in with ${versions.good}`, 60_000, async () =>
      appliances.every((a) => monitor.central().get(a.applianceId ?? '')?.version === versions.good),
    );

    const badOutcome = await runRollout({
      admin,
      appliances,
      release: bad,
      stages: options.stages,
      label: 'bad',
      isDone: (r) => r.status === 'paused',
      timeoutMs,
      progress,
    });
    progress(`bad: ${badOutcome.rollout.status} after ${badOutcome.seconds} s: ${badOutcome.rollout.pauseReason}`);
    const hold = await holdPaused(admin, badOutcome, options.holdSeconds, appliances, progress);

    watches ??= await monitor.stop();
    const monitoredMs = Date.now() - monitorStartedAt;
    const facts: ApplianceFacts[] = [];
    for (const [i, appliance] of appliances.entries()) {
      const id = appliance.applianceId ?? '';
      const orders = await admin.orders(id);
      facts.push({
        hostname: appliance.hostname,
        applianceId: id,
        central: (await admin.appliances(siteId)).find((a) => a.id === id),
        good: goodOutcome.members.find((m) => m.applianceId === id),
        bad: hold.members.find((m) => m.applianceId === id),
        root: appliance.readRoot(),
        badStarts: await countMarker(appliance.logFile),
        badOrders: orders.filter((o) => orderedVersion(o) === versions.bad).length,
        watch: watches[i] as ApplianceWatch,
      });
    }
    const paused = await admin.audit('rollout.paused', badOutcome.rollout.id);
    const { summary, failures } = judgeFleetRun({
      versions,
      good: goodOutcome,
      bad: { ...badOutcome, rollout: hold.rollout, members: hold.members },
      hold,
      autoPauseAudited: paused.some((e) => e.details.mode === 'auto' && e.actorType === 'system'),
      appliances: facts,
      maxGapMs: options.maxGapSeconds * 1000,
      freshMs,
      sampleMs: SAMPLE_MS,
      monitoredMs,
      centralEveryMs: CENTRAL_EVERY_MS,
      maxStartAttempts: MAX_START_ATTEMPTS,
    });
    await options.inspect?.({
      central,
      admin,
      appliances,
      versions,
      goodRolloutId: goodOutcome.rollout.id,
      badRolloutId: badOutcome.rollout.id,
      summary,
    });
    if (failures.length > 0) {
      keep = true;
      progress(`run failed (${failures.length}): ${failures.join('; ')}; logs kept in ${dir}`);
    }
    return { summary, keptDir: keep ? dir : null };
  } catch (error) {
    keep = true;
    throw new Error(`${(error as Error).message} (logs kept in ${dir})`, { cause: error });
  } finally {
    const failures = await cleanup.run();
    for (const failure of failures) progress(`cleanup: ${failure}`);
  }
}

/** Watches the paused bad rollout for `seconds`: it must stay paused at stage 1, the others pending. */
async function holdPaused(
  admin: FleetAdmin,
  outcome: RolloutOutcome,
  seconds: number,
  appliances: readonly FleetAppliance[],
  progress: (line: string) => void,
) {
  const id = outcome.rollout.id;
  let stayedPaused = outcome.rollout.status === 'paused';
  let othersStayedPending = true;
  let rollout: Rollout = outcome.rollout;
  let members = outcome.members;
  const until = Date.now() + seconds * 1000;
  progress(`bad: watching the paused rollout for ${seconds} s`);
  do {
    await sleep(1_000);
    await assertSupervisorsRun(appliances);
    rollout = await admin.rollout(id);
    members = await admin.members(id);
    stayedPaused &&= rollout.status === 'paused' && rollout.currentStage === 0;
    othersStayedPending &&= members.filter((m) => m.stage > 0).every((m) => m.state === 'pending');
  } while (Date.now() < until);
  return { seconds, stayedPaused, othersStayedPending, rollout, members };
}
