import type { Writable } from 'node:stream';
import {
  canonicalJson,
  EXPORT_FORMAT,
  EXPORT_FORMAT_VERSION,
  EXPORT_PATHS,
  importSigningKey,
  type ExportApplianceEntry,
  type ExportConsistency,
  type ExportManifest,
  type ExportTreeHead,
  type LogKey,
  type RegistrationBody,
  signExportManifest,
  signRegistration,
} from '@osiris/protocol';
import type { Kysely } from 'kysely';
import type { ActorContext } from '../../platform/context';
import type { DB } from '../../platform/db-schema';
import type { LogSigningKey, ProofsService } from '../transparency';
import { renderExportReadme } from './export-readme';
import { createZipWriter, type ZipWriter } from './export-zip';
import type { ExportsStore } from './exports.store';

/** Where the export reads the practice's stored monthly packets (the packets service). */
export interface ExportPacketSource {
  list(actor: ActorContext, practiceId: string): Promise<{ items: { id: string; month: string }[] }>;
  pdf(actor: ActorContext, id: string): Promise<{ bytes: Uint8Array }>;
}

/** Bundles per database read, and proofs per bulk proof read. */
const BUNDLE_PAGE = 1000;
const PROOF_PAGE = 500;

/** Everything the export holds except the bundles and proofs, which are read page by page. */
export interface ExportPlan {
  actor: ActorContext;
  createdAt: string;
  createdBy: string;
  practice: { id: string; name: string };
  period: { from: string; to: string };
  logKey: LogKey;
  treeSize: number;
  heads: ExportTreeHead[];
  consistency: ExportConsistency[];
  tokens: { treeSize: number; der: Uint8Array }[];
  tsaTrustPem: string | null;
  appliances: { entry: ExportApplianceEntry; registration: RegistrationBody }[];
  packets: { id: string; month: string }[];
}

interface ContentDeps {
  db: Kysely<DB>;
  store: ExportsStore;
  proofs: ProofsService;
  packets: ExportPacketSource;
  signingKey: LogSigningKey;
}

const line = (value: unknown) => `${canonicalJson(value)}\n`;

/** bundles.jsonl: the range [firstSeq, lastSeq] as stored, checked to be gap-free. */
async function writeBundles(deps: ContentDeps, zip: ZipWriter, entry: ExportApplianceEntry): Promise<void> {
  const file = zip.entry(EXPORT_PATHS.bundles(entry.id));
  if (entry.firstSeq !== null && entry.lastSeq !== null) {
    let after = entry.firstSeq - 1;
    while (after < entry.lastSeq) {
      const rows = await deps.store.bundlesPage(deps.db, entry.id, after, entry.lastSeq, BUNDLE_PAGE);
      if (rows.length === 0) throw new Error(`bundles of ${entry.id} end before seq ${entry.lastSeq}`);
      let text = '';
      for (const row of rows) {
        const seq = Number(row.seq);
        if (seq !== after + 1) throw new Error(`bundle ${after + 1} of ${entry.id} is missing`);
        text += line({ bundle: row.bundle, hash: row.hash, signature: row.signature });
        after = seq;
      }
      await file.write(text);
    }
  }
  await file.end();
}

/** proofs.jsonl: one inclusion proof per bundle against the last head, same order. */
async function writeProofs(
  deps: ContentDeps,
  zip: ZipWriter,
  entry: ExportApplianceEntry,
  treeSize: number,
): Promise<void> {
  const file = zip.entry(EXPORT_PATHS.proofs(entry.id));
  if (entry.firstSeq !== null && entry.lastSeq !== null) {
    let after = entry.firstSeq - 1;
    while (after < entry.lastSeq) {
      const limit = Math.min(PROOF_PAGE, entry.lastSeq - after);
      const proofs = await deps.proofs.leafProofsPage(entry.id, after, treeSize, limit);
      if (proofs.length === 0) throw new Error(`leaves of ${entry.id} end before seq ${entry.lastSeq}`);
      let text = '';
      for (const proof of proofs) {
        if (proof.seq !== after + 1) throw new Error(`leaf ${after + 1} of ${entry.id} is not in the tree`);
        text += line(proof);
        after = proof.seq;
      }
      await file.write(text);
    }
  }
  await file.end();
}

/**
 * Writes the whole export ZIP to `out`, in the layout of protocol's export-format.ts: the log's
 * files first, then each appliance, the packets and the README, and last the manifest (it holds
 * every other file's hash) and its signature.
 */
export async function writeExport(
  deps: ContentDeps,
  plan: ExportPlan,
  out: Writable,
  signal: AbortSignal,
): Promise<void> {
  const zip = createZipWriter(out, signal, new Date(plan.createdAt));
  const key = await importSigningKey(deps.signingKey.privateKeyPkcs8);
  await zip.add(EXPORT_PATHS.logKey, canonicalJson(plan.logKey));
  await zip.add(EXPORT_PATHS.treeHeads, canonicalJson(plan.heads));
  await zip.add(EXPORT_PATHS.consistency, canonicalJson(plan.consistency));
  for (const token of plan.tokens) await zip.add(EXPORT_PATHS.tsaToken(token.treeSize), token.der);
  if (plan.tsaTrustPem !== null) await zip.add(EXPORT_PATHS.tsaTrust, plan.tsaTrustPem);
  for (const { entry, registration } of plan.appliances) {
    await zip.add(EXPORT_PATHS.registration(entry.id), canonicalJson(await signRegistration(registration, key)));
    await writeBundles(deps, zip, entry);
    await writeProofs(deps, zip, entry, plan.treeSize);
  }
  for (const packet of plan.packets) {
    const { bytes } = await deps.packets.pdf(plan.actor, packet.id);
    await zip.add(EXPORT_PATHS.packet(packet.month), new Uint8Array(bytes));
  }
  const entries = plan.appliances.map((a) => a.entry);
  const months = plan.packets.map((p) => p.month);
  await zip.add(
    EXPORT_PATHS.readme,
    renderExportReadme({
      practiceName: plan.practice.name,
      createdAt: plan.createdAt,
      createdBy: plan.createdBy,
      period: plan.period,
      keyId: plan.logKey.keyId,
      heads: plan.heads,
      appliances: entries,
      packets: months,
      hasTsaTrust: plan.tsaTrustPem !== null,
    }),
  );
  const manifest: ExportManifest = {
    format: EXPORT_FORMAT,
    version: EXPORT_FORMAT_VERSION,
    createdAt: plan.createdAt,
    practice: plan.practice,
    period: plan.period,
    keyId: plan.logKey.keyId,
    treeSize: plan.treeSize,
    appliances: entries,
    packets: months,
    files: zip.hashes(),
  };
  await zip.add(EXPORT_PATHS.manifest, canonicalJson(manifest));
  await zip.add(EXPORT_PATHS.manifestSignature, await signExportManifest(manifest, key));
  await zip.finish();
}
