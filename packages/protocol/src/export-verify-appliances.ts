import { base64UrlToBytes, type Ed25519VerifyKey, importVerifyKey, sha256Hex } from './crypto';
import {
  EXPORT_PATHS,
  type ExportApplianceEntry,
  REGISTRATION_SIGNING_PREFIX,
  RegistrationRecord,
  verifyLogKeySignature,
} from './export-format';
import { checkBundles, checkProofs, type Progress } from './export-verify-chain';
import { describeIssue, fail, readJson, type VerifiedLog, type VerifyContext } from './export-verify-context';

/** Step 7 of the export verification: per appliance, its registration, then its chain and proofs; steps 8 and 9. */

const STEP = 'appliances';

async function checkRegistration(
  ctx: VerifyContext,
  log: VerifiedLog,
  entry: ExportApplianceEntry,
): Promise<Ed25519VerifyKey> {
  const path = EXPORT_PATHS.registration(entry.id);
  const parsed = RegistrationRecord.safeParse(readJson(ctx, path, STEP));
  if (!parsed.success) fail(path, STEP, describeIssue(parsed.error));
  const { signature, ...body } = parsed.data;
  if (!(await verifyLogKeySignature(REGISTRATION_SIGNING_PREFIX, body, signature, log.logKey))) {
    fail(path, STEP, 'the signature does not verify with the log key');
  }
  if (body.applianceId !== entry.id) fail(path, STEP, `applianceId ${body.applianceId} is not ${entry.id}`);
  if (body.siteId !== entry.siteId) fail(path, STEP, `siteId ${body.siteId} is not the manifest's ${entry.siteId}`);
  if (body.practiceId !== log.manifest.practice.id) {
    fail(path, STEP, `practiceId ${body.practiceId} is not the manifest's ${log.manifest.practice.id}`);
  }
  if (body.keyId !== log.manifest.keyId) {
    fail(path, STEP, `keyId ${body.keyId} is not the manifest's ${log.manifest.keyId}`);
  }
  const raw = base64UrlToBytes(body.publicKey);
  if ((await sha256Hex(raw)) !== body.fingerprint) fail(path, STEP, 'fingerprint is not the SHA-256 of publicKey');
  const key = await importVerifyKey(raw);
  if (!key) fail(path, STEP, 'publicKey is not a usable Ed25519 key');
  return key;
}

export async function checkAppliances(ctx: VerifyContext, log: VerifiedLog): Promise<void> {
  const progress: Progress = {
    done: 0,
    // Each bundle is counted twice: once for its chain link, once for its inclusion proof.
    total: 2 * log.manifest.appliances.reduce((sum, entry) => sum + entry.bundleCount, 0),
  };
  ctx.progress(STEP, 0, progress.total);
  for (const entry of log.manifest.appliances) {
    const key = await checkRegistration(ctx, log, entry);
    const chain = await checkBundles(ctx, entry, key, progress);
    ctx.summary.bundles += chain.seqs.length;
    ctx.summary.proofs += await checkProofs(ctx, log, entry, chain, progress);
    const span =
      entry.firstSeq === null
        ? 'no bundles in the period'
        : `${entry.bundleCount} bundle(s), seq ${entry.firstSeq}–${entry.lastSeq}`;
    ctx.steps.push(
      `appliances/${entry.id} (${entry.hostname}): ${span}, signed by the registered key, chained, included in tree head ${log.head.treeSize}`,
    );
  }
}

/** Step 8: every packet the manifest lists is present, and no other file sits under packets/. */
export function checkPackets(ctx: VerifyContext, log: VerifiedLog): void {
  const step = 'packets';
  const listed = new Set(log.manifest.packets.map(EXPORT_PATHS.packet));
  ctx.progress(step, 0, listed.size);
  for (const path of listed) {
    if (ctx.files.read(path) === undefined) {
      fail(path, step, 'is listed in manifest.packets but missing from the export');
    }
  }
  for (const path of ctx.files.paths()) {
    if (path.startsWith('packets/') && !listed.has(path)) {
      fail(path, step, 'is not a packet listed in manifest.packets');
    }
  }
  ctx.steps.push(`packets: ${listed.size} monthly packet(s) present`);
}

/** Step 9: every file is listed in manifest.files with its SHA-256, and nothing else is in the export. */
export async function checkFileHashes(ctx: VerifyContext, log: VerifiedLog): Promise<void> {
  const step = 'file hashes';
  const listed = Object.entries(log.manifest.files).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  for (const [index, [path, expected]] of listed.entries()) {
    const bytes = ctx.files.read(path);
    if (bytes === undefined) fail(path, step, 'is listed in manifest.files but missing from the export');
    if ((await sha256Hex(bytes)) !== expected) fail(path, step, 'its SHA-256 is not the one in manifest.files');
    ctx.progress(step, index + 1, listed.length);
  }
  const unsigned = new Set<string>([EXPORT_PATHS.manifest, EXPORT_PATHS.manifestSignature]);
  for (const path of [...ctx.files.paths()].sort()) {
    if (!unsigned.has(path) && !Object.hasOwn(log.manifest.files, path)) {
      fail(path, step, 'is in the export but not listed in manifest.files');
    }
  }
  const layout = layoutPaths(log);
  for (const path of [...ctx.files.paths()].sort()) {
    if (!layout.has(path)) fail(path, step, 'is not a file of the export layout (docs/evidence-format.md §7.2)');
  }
  ctx.steps.push(`manifest.files: ${listed.length} file(s) match their SHA-256`);
}

/** Every path the export may hold, given its manifest and tree heads. */
function layoutPaths(log: VerifiedLog): Set<string> {
  const paths = new Set<string>([
    EXPORT_PATHS.manifest,
    EXPORT_PATHS.manifestSignature,
    EXPORT_PATHS.logKey,
    EXPORT_PATHS.treeHeads,
    EXPORT_PATHS.consistency,
    EXPORT_PATHS.tsaTrust,
    EXPORT_PATHS.readme,
  ]);
  for (const head of log.heads) paths.add(EXPORT_PATHS.tsaToken(head.treeSize));
  for (const entry of log.manifest.appliances) {
    paths
      .add(EXPORT_PATHS.registration(entry.id))
      .add(EXPORT_PATHS.bundles(entry.id))
      .add(EXPORT_PATHS.proofs(entry.id));
  }
  for (const month of log.manifest.packets) paths.add(EXPORT_PATHS.packet(month));
  return paths;
}
