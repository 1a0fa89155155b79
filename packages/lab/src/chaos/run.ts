import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createLogger, LINUX_RUNBOOKS, parseConfig, startAppliance } from '@osiris/appliance';
import { startCentralServer } from '@osiris/central/testing';
import type { EvidenceBundle } from '@osiris/protocol';
import { DRIFTS_GROUP_A } from '../drifts/group-a';
import { DRIFTS_GROUP_B } from '../drifts/group-b';
import { createLab } from '../hosts/lab';
import type { LabHost } from '../hosts/lab-host';
import { labApplianceConfig } from '../scenarios/lab-appliance';
import { ATTACKS } from './attacks';

export interface ChaosOptions {
  hosts: number;
  rounds: number;
  /** Only these attack ids (default: the whole catalog). */
  attackIds?: readonly string[];
  /** The appliance's check interval during the run. */
  intervalSeconds: number;
  /** How long to wait for detection and healing after launching a round's attacks. */
  roundTimeoutSeconds: number;
  progress: (line: string) => void;
}

interface AttackRow {
  round: number;
  host: string;
  attackId: string;
  category: string;
  checkId: string;
  /** A non-disruptive runbook that needs no reboot or window repairs this check: L1 should heal it. */
  hasSafeRunbook: boolean;
  /**
   * An attack in the round on this check expects L1's fix to fail (see Attack.expect): the row is
   * then judged by `healFailed`, not counted in the heal rate.
   */
  expectsEscalation: boolean;
  /** A healing attempt on this check failed after the attack (what leads to an escalation). */
  healFailed: boolean;
  detected: boolean;
  detectionLatencyMs: number | null;
  healed: boolean;
  healTier: string | null;
  timeToHealMs: number | null;
  /** The healing attempt's signed bundle is on central (and the chain verified). */
  evidenceVerified: boolean;
}

export interface ChaosReport {
  startedAt: string;
  hosts: number;
  rounds: number;
  intervalSeconds: number;
  detectionRate: number;
  healRate: number;
  medianTimeToHealMs: number | null;
  chainVerified: boolean;
  rows: AttackRow[];
}

const RECIPES = [...DRIFTS_GROUP_A, ...DRIFTS_GROUP_B];
const SAFE_RUNBOOKS = new Set(
  LINUX_RUNBOOKS.filter((r) => !r.disruptive && !r.requiresReboot && !r.requiresMaintenanceWindow).flatMap(
    (r) => r.checks,
  ),
);

const median = (values: number[]): number | null => {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? (sorted[mid] ?? null) : Math.round(((sorted[mid - 1] ?? 0) + (sorted[mid] ?? 0)) / 2);
};

async function runScript(host: LabHost, script: string, what: string): Promise<void> {
  const result = await host.exec('sh -s', { input: script, timeoutMs: 60_000 });
  if (result.exitCode !== 0)
    throw new Error(`${what} on ${host.info.name} failed (${result.exitCode}): ${result.stderr}`);
}

/**
 * One chaos run (issue 4): central and an appliance (healing tier `full`, pack `full_coverage`)
 * against fresh lab hosts; each round resets and hardens the hosts, launches every attack, and
 * measures from central's evidence whether and when each attack was detected and healed.
 */
export async function runChaos(options: ChaosOptions): Promise<ChaosReport> {
  const attacks = ATTACKS.filter((a) => !options.attackIds || options.attackIds.includes(a.id));
  if (attacks.length === 0) throw new Error('no attack selected');
  // Checks whose fix is expected to fail this round; other attacks on the same check share its fate.
  const escalating = new Set(attacks.filter((a) => a.expect === 'escalated').map((a) => a.checkId));
  const expectsHeal = (checkId: string) => SAFE_RUNBOOKS.has(checkId) && !escalating.has(checkId);
  const lab = createLab();
  const hosts: LabHost[] = [];
  const dir = await mkdtemp(join(tmpdir(), 'osiris-chaos-'));
  const central = await startCentralServer('pglite');
  let appliance: Awaited<ReturnType<typeof startAppliance>> | null = null;
  const rows: AttackRow[] = [];
  const startedAt = new Date();
  try {
    for (let i = 0; i < options.hosts; i++) {
      hosts.push(await lab.createHost());
      options.progress(`host ${i + 1}/${options.hosts} up`);
    }
    const { siteId } = await central.createSite('chaos');
    const config = labApplianceConfig({
      centralUrl: central.url,
      dataDir: join(dir, 'data'),
      provisionCode: await central.provisionCode(siteId),
      hosts,
      extra: {
        checks: { defaultIntervalSeconds: options.intervalSeconds, initialSpreadSeconds: 0, jitter: 0.1 },
        healing: {
          tier: 'full',
          pack: 'full_coverage',
          // Rounds follow each other within minutes; the production cooldown (15 min) would skip them.
          packCooldownSeconds: 5,
          rateLimits: { globalPerHour: 10_000, perHostPerHour: 1_000 },
        },
        sync: { coalesceMs: 500 },
      },
    });
    for (let round = 1; round <= options.rounds; round++) {
      await appliance?.stop();
      for (const host of hosts) {
        await host.reset();
        for (const recipe of RECIPES)
          if (recipe.harden) await runScript(host, recipe.harden, `harden ${recipe.checkId}`);
      }
      appliance = await startAppliance({ config: parseConfig(JSON.stringify(config), {}), log: createLogger('error') });
      await appliance.scheduler.runCycle();
      const launchedAt = Date.now();
      for (const host of hosts)
        for (const attack of attacks) await runScript(host, attack.script, `attack ${attack.id}`);
      options.progress(`round ${round}/${options.rounds}: ${attacks.length * hosts.length} attacks launched`);
      const deadline = launchedAt + options.roundTimeoutSeconds * 1000;
      let bundles: EvidenceBundle[] = [];
      for (;;) {
        bundles = (await central.evidence(appliance.applianceId)).map((e) => e.signed.bundle);
        const pending = hosts.flatMap((host) =>
          attacks.filter((a) => {
            const after = bundles.filter(
              (b) => b.hostname === host.info.name && b.checkId === a.checkId && Date.parse(b.startedAt) >= launchedAt,
            );
            const detected = after.some((b) => b.kind !== 'healing' && b.status === 'fail');
            const settled = escalating.has(a.checkId)
              ? after.some((b) => b.kind === 'healing')
              : after.some((b) => b.kind === 'healing' && b.status === 'pass') || !SAFE_RUNBOOKS.has(a.checkId);
            return !detected || !settled;
          }),
        );
        options.progress(`round ${round}: ${pending.length} attack(s) not yet detected and healed`);
        if (pending.length === 0 || Date.now() > deadline) break;
        await new Promise((r) => setTimeout(r, 2_000));
      }
      const chain = await central.verifyChain(appliance.applianceId);
      for (const host of hosts)
        for (const attack of attacks) {
          const after = bundles.filter(
            (b) =>
              b.hostname === host.info.name && b.checkId === attack.checkId && Date.parse(b.startedAt) >= launchedAt,
          );
          const detection = after.find((b) => b.kind !== 'healing' && b.status === 'fail');
          const heal = after.find((b) => b.kind === 'healing' && b.status === 'pass');
          rows.push({
            round,
            host: host.info.name,
            attackId: attack.id,
            category: attack.category,
            checkId: attack.checkId,
            hasSafeRunbook: expectsHeal(attack.checkId),
            expectsEscalation: escalating.has(attack.checkId),
            healFailed: after.some((b) => b.kind === 'healing' && b.status !== 'pass'),
            detected: detection !== undefined,
            detectionLatencyMs: detection ? Date.parse(detection.finishedAt) - launchedAt : null,
            healed: heal !== undefined,
            healTier: heal ? String(heal.observed.tier ?? '') : null,
            timeToHealMs: heal ? Date.parse(heal.finishedAt) - launchedAt : null,
            evidenceVerified: heal !== undefined && chain.ok,
          });
        }
    }
    const detected = rows.filter((r) => r.detected).length;
    const healable = rows.filter((r) => r.hasSafeRunbook);
    const chain = appliance ? await central.verifyChain(appliance.applianceId) : { ok: false };
    return {
      startedAt: startedAt.toISOString(),
      hosts: options.hosts,
      rounds: options.rounds,
      intervalSeconds: options.intervalSeconds,
      detectionRate: rows.length ? detected / rows.length : 0,
      healRate: healable.length ? healable.filter((r) => r.healed).length / healable.length : 0,
      medianTimeToHealMs: median(rows.flatMap((r) => (r.timeToHealMs === null ? [] : [r.timeToHealMs]))),
      chainVerified: chain.ok,
      rows,
    };
  } finally {
    await appliance?.stop().catch(() => undefined);
    await central.close().catch(() => undefined);
    for (const host of hosts) await host.destroy().catch(() => undefined);
    await rm(dir, { recursive: true, force: true });
  }
}
