import { randomBytes } from 'node:crypto';
import { rename, rm, writeFile } from 'node:fs/promises';
import { LINUX_RUNBOOKS } from '@osiris/appliance';
import type { CentralServer } from '@osiris/central/testing';
import type { ExportVerifyResult, TreeHeadRecord } from '@osiris/protocol';
import { ATTACKS } from '../chaos/attacks';
import { partialPath } from './export-args';
import {
  attackAndHeal,
  downloadExport,
  type HealedAttack,
  issueCoveringTreeHead,
  makePacket,
  type PhaseContext,
  previousMonth,
  waitForCheckResults,
} from './export-phases';
import { describeFailure, type ExportContents, readExportContents, verifyZip } from './export-report';
import { createCleanup, startExportSystem } from './export-system';

/** Breaks `linux.sysctl.accept-redirects`: its runbook is safe and in L1's standard pack. */
export const DEFAULT_EXPORT_ATTACK = 'icmp-redirects';

export interface ExportOptions {
  outPath: string;
  hosts: number;
  timeoutSeconds: number;
  /** Leave central (and the appliance and hosts) running after the export; see ExportRun.kept. */
  isKeep?: boolean;
  /** An attack of the chaos catalog whose check has a safe, non-disruptive runbook. */
  attackId?: string;
  /** Aborting stops the run (Ctrl-C) and removes everything it made. */
  signal?: AbortSignal;
  progress: (line: string) => void;
}

export interface ExportRun {
  outPath: string;
  sizeBytes: number;
  practiceId: string;
  elapsedMs: number;
  healed: HealedAttack[];
  treeHead: TreeHeadRecord;
  packetMonth: string;
  contents: ExportContents;
  verification: ExportVerifyResult;
  /** With isKeep: central still runs; close() removes everything. */
  kept: { centralUrl: string; email: string; password: string; close(): Promise<string[]> } | null;
}

const SAFE_CHECKS = new Set(
  LINUX_RUNBOOKS.filter((r) => !r.disruptive && !r.requiresReboot && !r.requiresMaintenanceWindow).flatMap(
    (r) => r.checks,
  ),
);

function pickAttack(id: string) {
  const attack = ATTACKS.find((a) => a.id === id);
  if (!attack) throw new Error(`unknown attack "${id}"`);
  if (attack.expect === 'escalated' || !SAFE_CHECKS.has(attack.checkId))
    throw new Error(`attack "${id}" has no safe L1 fix (${attack.checkId})`);
  return attack;
}

/** A staff account with read-only reach, so a person can sign in to the kept central and look around. */
async function browsingAccount(central: CentralServer) {
  const email = `lab-viewer-${randomBytes(3).toString('hex')}@lab.example`;
  const password = `lab-${randomBytes(12).toString('base64url')}`;
  await central.t.createUser('readonly', email, password);
  return { email, password };
}

/** Written beside the target and renamed over it, so --out never holds a half-written ZIP. */
async function writeZip(outPath: string, zip: Uint8Array): Promise<void> {
  const partial = partialPath(outPath);
  try {
    await writeFile(partial, zip, { mode: 0o644 });
    await rename(partial, outPath);
  } catch (error) {
    await rm(partial, { force: true });
    throw error;
  }
}

/**
 * `osiris-lab export` (issue 8): a small system on lab hosts runs until it has check results for
 * every host, a detected and L1-healed attack, a time-stamped signed tree head covering the healing
 * bundle and a monthly packet; then the practice's auditor downloads the auditor export over the
 * HTTP API, it is written to `outPath` and verified with the same verifier as `osiris-verify`.
 * Everything it made is removed on success, failure and abort (unless kept).
 */
export async function runExport(options: ExportOptions): Promise<ExportRun> {
  const attack = pickAttack(options.attackId ?? DEFAULT_EXPORT_ATTACK);
  const signal = options.signal ?? new AbortController().signal;
  const startedAt = Date.now();
  const say = (phase: string) => (line: string) =>
    options.progress(`[${((Date.now() - startedAt) / 1000).toFixed(1).padStart(6)} s] ${phase}: ${line}`);
  const ctx = (phase: string): PhaseContext => ({
    signal,
    deadline: startedAt + options.timeoutSeconds * 1000,
    timeoutSeconds: options.timeoutSeconds,
    say: say(phase),
  });
  const cleanup = createCleanup();
  let isKept = false;
  try {
    const system = await startExportSystem({ hosts: options.hosts, cleanup, signal, progress: say('system') });
    await waitForCheckResults(system, ctx('checks'));
    const healed = await attackAndHeal(system, attack, ctx('healing'));
    const lastHealing = healed.reduce((a, b) => (b.healing.seq > a.healing.seq ? b : a)).healing;
    const treeHead = await issueCoveringTreeHead(system, lastHealing, ctx('tree head'));
    say('tree head')(`size ${treeHead.treeSize} signed ${treeHead.issuedAt}, RFC 3161 time ${treeHead.tsaTime}`);
    const packetMonth = previousMonth(new Date());
    const packet = await makePacket(system, packetMonth);
    say('packet')(`monthly packet ${packet.month} (${packet.id}) made by the practice owner`);
    signal.throwIfAborted();

    const period = { from: `${packetMonth}-01T00:00:00.000Z`, to: new Date().toISOString() };
    const zip = await downloadExport(system, period);
    await writeZip(options.outPath, zip);
    say('export')(`${zip.length} bytes downloaded by the auditor, written to ${options.outPath}`);
    const { files, result } = await verifyZip(zip);
    if (!result.ok)
      throw new Error(`the export written to ${options.outPath} does not verify: ${describeFailure(result)}`);
    say('verify')(`verifyExport: ok (${result.steps.length} steps)`);
    const contents = readExportContents(files);
    const run: ExportRun = {
      outPath: options.outPath,
      sizeBytes: zip.length,
      practiceId: system.practice.id,
      elapsedMs: Date.now() - startedAt,
      healed,
      treeHead,
      packetMonth,
      contents,
      verification: result,
      kept: null,
    };
    if (options.isKeep) {
      run.kept = { centralUrl: system.central.url, ...(await browsingAccount(system.central)), close: cleanup.run };
      isKept = true;
    }
    return run;
  } finally {
    if (!isKept) {
      const failures = await cleanup.run();
      for (const failure of failures) options.progress(`cleanup failed: ${failure}`);
    }
  }
}
