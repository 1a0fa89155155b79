import { setTimeout as sleep } from 'node:timers/promises';
import type { EvidenceBundle, LatestResult, TreeHeadRecord } from '@osiris/protocol';
import { type ExportSystem, runHostScript } from './export-system';

/** What every phase needs: the stop signal, the run's deadline and its progress line. */
export interface PhaseContext {
  signal: AbortSignal;
  /** Epoch ms after which waiting is a failure. */
  deadline: number;
  timeoutSeconds: number;
  say(line: string): void;
}

/** Polls `probe` until it answers something truthy; bounded by the deadline, stopped by the signal. */
async function waitFor<T>(
  ctx: PhaseContext,
  what: string,
  probe: () => Promise<T | null | undefined | false>,
  intervalMs = 1_000,
): Promise<T> {
  for (;;) {
    ctx.signal.throwIfAborted();
    const value = await probe();
    if (value) return value;
    if (Date.now() + intervalMs > ctx.deadline)
      throw new Error(`timed out (--timeout ${ctx.timeoutSeconds} s) waiting for ${what}`);
    await sleep(intervalMs, undefined, { signal: ctx.signal });
  }
}

/**
 * A check cycle of the appliance; an abort does not wait for it (stopping the appliance in the
 * cleanup aborts the checks still running).
 */
async function runCycle(system: ExportSystem, signal: AbortSignal): Promise<void> {
  signal.throwIfAborted();
  let onAbort = () => {};
  const aborted = new Promise<never>((_, reject) => {
    onAbort = () => reject(signal.reason);
    signal.addEventListener('abort', onAbort, { once: true });
  });
  try {
    await Promise.race([system.appliance.scheduler.runCycle(), aborted]);
  } finally {
    signal.removeEventListener('abort', onAbort);
  }
}

/** One full check cycle, then every lab host must have results on central (read as the practice owner). */
export async function waitForCheckResults(system: ExportSystem, ctx: PhaseContext): Promise<LatestResult[]> {
  await runCycle(system, ctx.signal);
  const names = system.hosts.map((h) => h.info.name);
  const results = await waitFor(ctx, 'check results of every lab host on central', async () => {
    const { items } = await system.owner.json<{ items: LatestResult[] }>('GET', `/v1/sites/${system.siteId}/results`);
    return names.every((name) => items.some((r) => r.hostname === name)) ? items : null;
  });
  const failing = results.filter((r) => r.status !== 'pass').length;
  ctx.say(`${results.length} latest results for ${names.length} host(s), ${failing} not passing`);
  return results;
}

export interface HealedAttack {
  hostname: string;
  detection: { seq: number; bundle: EvidenceBundle };
  healing: { seq: number; bundle: EvidenceBundle };
}

/**
 * Breaks the attacked setting on every lab host, runs a check cycle, and waits until central has,
 * for each host, the failing check result and a passing L1 healing bundle after the attack.
 */
export async function attackAndHeal(
  system: ExportSystem,
  attack: { id: string; checkId: string; script: string },
  ctx: PhaseContext,
): Promise<HealedAttack[]> {
  const attackedAt = Date.now();
  for (const host of system.hosts) await runHostScript(host, attack.script, `attack ${attack.id}`);
  ctx.say(`attack "${attack.id}" launched on ${system.hosts.length} host(s); check ${attack.checkId} must fail`);
  await runCycle(system, ctx.signal);
  let lastPending = -1;
  const healed = await waitFor(
    ctx,
    `detection and L1 healing of ${attack.checkId}`,
    async () => {
      const records = await system.central.evidence(system.appliance.applianceId);
      const after = records.filter(
        (r) => r.signed.bundle.checkId === attack.checkId && Date.parse(r.signed.bundle.startedAt) >= attackedAt,
      );
      const rows = system.hosts.map((host) => {
        const mine = after.filter((r) => r.signed.bundle.hostname === host.info.name);
        const detection = mine.find((r) => r.signed.bundle.kind !== 'healing' && r.signed.bundle.status === 'fail');
        const healing = mine.find((r) => r.signed.bundle.kind === 'healing' && r.signed.bundle.status === 'pass');
        return detection && healing
          ? {
              hostname: host.info.name,
              detection: { seq: detection.seq, bundle: detection.signed.bundle },
              healing: { seq: healing.seq, bundle: healing.signed.bundle },
            }
          : null;
      });
      const pending = rows.filter((row) => row === null).length;
      if (pending !== lastPending) ctx.say(`${pending} host(s) not yet detected and healed`);
      lastPending = pending;
      return pending === 0 ? (rows as HealedAttack[]) : null;
    },
    2_000,
  );
  await waitFor(ctx, "the appliance's evidence outbox to drain", async () => {
    return system.appliance.status().queues.evidenceOutbox === 0;
  });
  for (const row of healed)
    ctx.say(
      `${row.hostname}: failed at seq ${row.detection.seq}, healed by ${String(row.healing.bundle.observed.tier)} ` +
        `(${String(row.healing.bundle.observed.runbookId)}) at seq ${row.healing.seq}`,
    );
  return healed;
}

/**
 * Issues a signed tree head (the tree-head job, called directly) and waits until one covers the
 * healing bundle and carries the time-stamping authority's token. A head issued less than a minute
 * earlier blocks a new one (log-writer.service.ts), so a retry waits for that minute, no longer.
 */
export async function issueCoveringTreeHead(
  system: ExportSystem,
  healing: { seq: number },
  ctx: PhaseContext,
): Promise<TreeHeadRecord> {
  const writer = system.central.t.services.transparency;
  await writer.backfill();
  const path = `/v1/appliances/${system.appliance.applianceId}/evidence/${healing.seq}/inclusion`;
  return waitFor(
    ctx,
    'a signed tree head covering the healing bundle',
    async () => {
      const issued = await writer.issueTreeHead();
      const response = await system.owner.request('GET', path);
      if (response.status === 401 || response.status === 403)
        throw new Error(`GET inclusion proof: HTTP ${response.status} for the practice owner`);
      if (!response.ok) {
        await response.body?.cancel();
        ctx.say(
          `no tree head covers seq ${healing.seq} yet${issued ? '' : ' (the one-minute head interval is not over)'}`,
        );
        return null;
      }
      const { treeHead } = (await response.json()) as { treeHead: TreeHeadRecord };
      if (treeHead.tsaError) throw new Error(`the time-stamping authority failed: ${treeHead.tsaError}`);
      return treeHead.tsaToken ? treeHead : null;
    },
    5_000,
  );
}

/** The UTC month before `at`, as YYYY-MM: the latest month a packet can be made for. */
export function previousMonth(at: Date): string {
  return new Date(Date.UTC(at.getUTCFullYear(), at.getUTCMonth() - 1, 1)).toISOString().slice(0, 7);
}

/** The practice owner makes the packet of the month that just ended, through the HTTP API. */
export async function makePacket(system: ExportSystem, month: string): Promise<{ id: string; month: string }> {
  return system.owner.json<{ id: string; month: string }>('POST', `/v1/practices/${system.practice.id}/packets`, {
    month,
  });
}

const ZIP_MAGIC = [0x50, 0x4b, 0x03, 0x04];

/** The auditor downloads the export of `period` through the HTTP API. */
export async function downloadExport(system: ExportSystem, period: { from: string; to: string }): Promise<Uint8Array> {
  const query = new URLSearchParams(period).toString();
  const path = `/v1/practices/${system.practice.id}/evidence-export?${query}`;
  const response = await system.auditor.request('GET', path);
  if (!response.ok) {
    const text = (await response.text()).slice(0, 300);
    const hint = response.status === 404 ? ' (is the evidence-export endpoint deployed in central?)' : '';
    throw new Error(`GET evidence-export as the auditor: HTTP ${response.status} ${text}${hint}`);
  }
  const zip = new Uint8Array(await response.arrayBuffer());
  if (!ZIP_MAGIC.every((byte, i) => zip[i] === byte)) throw new Error('the evidence export is not a ZIP file');
  return zip;
}
