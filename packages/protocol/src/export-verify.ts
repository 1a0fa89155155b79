import type { ExportFiles } from './export-unzip';
import { checkAppliances, checkFileHashes, checkPackets } from './export-verify-appliances';
import {
  ExportCheckFailure,
  type ExportSummary,
  type ExportVerifyOptions,
  type ExportVerifyResult,
  type VerifyContext,
} from './export-verify-context';
import {
  checkConsistency,
  checkLogKey,
  checkManifest,
  checkManifestSignature,
  checkTreeHeads,
} from './export-verify-log';
import { checkTimestamps } from './export-verify-tsa';

export { type ExportFiles, exportFilesFromMap, unzipExport } from './export-unzip';
export type { ExportSummary, ExportVerifyOptions, ExportVerifyResult } from './export-verify-context';
export { parsePemCertificates } from './export-verify-tsa';

/**
 * Offline verification of an auditor export (export-format.ts; docs/evidence-format.md §7), on
 * WebCrypto only so it runs in Node and browsers. Checks run item by item in a fixed order — the
 * manifest, log key, manifest signature, tree heads, consistency proofs, timestamps, then each
 * appliance's registration, bundles and inclusion proofs, the packets, and last the file hashes —
 * and stop at the first item that does not hold, so the failure names the most specific item.
 */
export async function verifyExport(files: ExportFiles, options: ExportVerifyOptions = {}): Promise<ExportVerifyResult> {
  const paths = files.paths();
  const summary: ExportSummary = {
    practiceName: null,
    period: null,
    appliances: 0,
    bundles: 0,
    proofs: 0,
    treeHeads: 0,
    consistencyProofs: 0,
    tsaTokens: 0,
    tsaTrustSource: 'none',
    packets: 0,
    files: paths.length,
    warnings: [],
  };
  const steps: string[] = [];
  let current = 'manifest';
  const ctx: VerifyContext = {
    files,
    options,
    summary,
    steps,
    progress(step, done, total) {
      current = step;
      options.onProgress?.({ step, done, total });
    },
  };
  try {
    const { manifest, raw } = checkManifest(ctx);
    const logKey = await checkLogKey(ctx, manifest);
    await checkManifestSignature(ctx, raw, logKey);
    const heads = await checkTreeHeads(ctx, manifest, logKey);
    await checkConsistency(ctx, heads);
    await checkTimestamps(ctx, heads);
    const log = { manifest, logKey, heads, head: heads.at(-1) as (typeof heads)[number] };
    await checkAppliances(ctx, log);
    checkPackets(ctx, log);
    await checkFileHashes(ctx, log);
    return { ok: true, summary, steps };
  } catch (error) {
    if (error instanceof ExportCheckFailure) {
      return { ok: false, summary, steps, failure: { item: error.item, step: error.step, message: error.message } };
    }
    const message = error instanceof Error ? error.message : String(error);
    return {
      ok: false,
      summary,
      steps,
      failure: { item: 'export', step: current, message: `verification stopped: ${message}` },
    };
  }
}
