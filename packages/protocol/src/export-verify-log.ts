import { base64UrlToBytes, bytesEqual, type Ed25519VerifyKey, hexToBytes, importVerifyKey } from './crypto';
import { EVIDENCE_GENESIS_HASH } from './evidence';
import {
  EXPORT_FORMAT,
  EXPORT_FORMAT_VERSION,
  EXPORT_PATHS,
  EXPORT_SIGNING_PREFIX,
  ExportConsistency,
  ExportManifest,
  ExportTreeHead,
  verifyLogKeySignature,
} from './export-format';
import { describeIssue, fail, readJson, readText, type VerifyContext } from './export-verify-context';
import { verifyConsistency } from './merkle';
import { LogKey, logKeyId, verifyTreeHead } from './tree-heads';

/** Steps 1–5 of the export verification: manifest, log key, manifest signature, tree heads, consistency. */

const MAX_TREE_HEADS = 1_000_000;

function checkApplianceEntries(manifest: ExportManifest): void {
  const seen = new Set<string>();
  for (const [index, entry] of manifest.appliances.entries()) {
    const where = `appliances[${index}] (${entry.id})`;
    if (seen.has(entry.id)) fail(EXPORT_PATHS.manifest, 'manifest', `${where} is listed twice`);
    seen.add(entry.id);
    const { firstSeq, lastSeq, firstPrevHash, bundleCount } = entry;
    if (firstSeq === null || lastSeq === null || firstPrevHash === null) {
      if (firstSeq !== null || lastSeq !== null || firstPrevHash !== null || bundleCount !== 0) {
        fail(
          EXPORT_PATHS.manifest,
          'manifest',
          `${where}: firstSeq, lastSeq and firstPrevHash are null only together, with bundleCount 0`,
        );
      }
      continue;
    }
    if (lastSeq - firstSeq + 1 !== bundleCount) {
      fail(EXPORT_PATHS.manifest, 'manifest', `${where}: seq ${firstSeq}–${lastSeq} is not ${bundleCount} bundles`);
    }
    if ((firstSeq === 1) !== (firstPrevHash === EVIDENCE_GENESIS_HASH)) {
      fail(EXPORT_PATHS.manifest, 'manifest', `${where}: firstPrevHash is 64 zeros exactly when firstSeq is 1`);
    }
  }
  const months = new Set(manifest.packets);
  if (months.size !== manifest.packets.length) fail(EXPORT_PATHS.manifest, 'manifest', 'packets lists a month twice');
  if (Date.parse(manifest.period.from) >= Date.parse(manifest.period.to)) {
    fail(EXPORT_PATHS.manifest, 'manifest', 'period.from is not before period.to');
  }
}

/** manifest.json parses: format, version, schema and internal coherence. Returns it and its raw JSON. */
export function checkManifest(ctx: VerifyContext): { manifest: ExportManifest; raw: unknown } {
  const step = 'manifest';
  ctx.progress(step, 0, 1);
  const raw = readJson(ctx, EXPORT_PATHS.manifest, step);
  const head = (typeof raw === 'object' && raw !== null ? raw : {}) as { format?: unknown; version?: unknown };
  if (head.format !== EXPORT_FORMAT) fail(EXPORT_PATHS.manifest, step, `is not an ${EXPORT_FORMAT} manifest`);
  if (head.version !== EXPORT_FORMAT_VERSION) {
    fail(
      EXPORT_PATHS.manifest,
      step,
      `has format version ${JSON.stringify(head.version)?.slice(0, 40)}; this verifier reads version ${EXPORT_FORMAT_VERSION}`,
    );
  }
  const parsed = ExportManifest.safeParse(raw);
  if (!parsed.success) fail(EXPORT_PATHS.manifest, step, describeIssue(parsed.error));
  const manifest = parsed.data;
  checkApplianceEntries(manifest);
  ctx.summary.practiceName = manifest.practice.name;
  ctx.summary.period = { ...manifest.period };
  ctx.summary.appliances = manifest.appliances.length;
  ctx.summary.packets = manifest.packets.length;
  ctx.steps.push(
    `${EXPORT_PATHS.manifest}: auditor export v${manifest.version} of ${manifest.practice.name}, ` +
      `${manifest.period.from} to ${manifest.period.to}, ${manifest.appliances.length} appliance(s)`,
  );
  return { manifest, raw };
}

async function matchesPin(pin: string, keyId: string, publicKey: Uint8Array): Promise<boolean | null> {
  if (/^[0-9a-f]{16}$/.test(pin)) return pin === keyId;
  let pinned: Uint8Array;
  try {
    pinned = base64UrlToBytes(pin);
  } catch {
    return null;
  }
  return pinned.length === 32 ? bytesEqual(pinned, publicKey) : null;
}

/** log-key.json: its keyId is its key's, equals the manifest's, and matches the pinned key if any. */
export async function checkLogKey(ctx: VerifyContext, manifest: ExportManifest): Promise<Ed25519VerifyKey> {
  const step = 'log key';
  const path = EXPORT_PATHS.logKey;
  ctx.progress(step, 0, 1);
  const parsed = LogKey.safeParse(readJson(ctx, path, step));
  if (!parsed.success) fail(path, step, describeIssue(parsed.error));
  const raw = base64UrlToBytes(parsed.data.publicKey);
  const computedId = await logKeyId(raw);
  if (computedId !== parsed.data.keyId) {
    fail(path, step, `keyId ${parsed.data.keyId} is not the id of its public key (${computedId})`);
  }
  if (computedId !== manifest.keyId) {
    fail(path, step, `key ${computedId} is not the manifest's keyId ${manifest.keyId}`);
  }
  const pin = ctx.options.pinnedLogKey;
  let pinned = false;
  if (pin !== undefined) {
    const matches = await matchesPin(pin.trim(), computedId, raw);
    if (matches === null) fail('pinned log key', step, 'is neither a 16-hex key id nor a base64url 32-byte public key');
    if (!matches) fail(path, step, `key ${computedId} is not the pinned log key ${pin.trim()}`);
    pinned = true;
  }
  const key = await importVerifyKey(raw);
  if (!key) fail(path, step, 'publicKey is not a usable Ed25519 key');
  if (!pinned) {
    ctx.summary.warnings.push(
      `The log key ${computedId} was taken from the export itself; compare it with the key you got from the practice or MSP (--log-key).`,
    );
  }
  ctx.steps.push(`${path}: Ed25519 log key ${computedId}${pinned ? ' (matches the pinned key)' : ''}`);
  return key;
}

/** manifest.sig: the log key's signature over EXPORT_SIGNING_PREFIX + canonical JSON of the manifest. */
export async function checkManifestSignature(ctx: VerifyContext, rawManifest: unknown, key: Ed25519VerifyKey) {
  const step = 'manifest signature';
  const path = EXPORT_PATHS.manifestSignature;
  ctx.progress(step, 0, 1);
  const signature = readText(ctx, path, step).replace(/\r?\n$/, '');
  if (!(await verifyLogKeySignature(EXPORT_SIGNING_PREFIX, rawManifest, signature, key))) {
    fail(path, step, 'is not a valid log-key signature over manifest.json');
  }
  ctx.steps.push(`${path}: manifest.json is signed by the log key`);
}

/** tree-heads.json: each head well-formed, signed by the log key, ascending, the last one the manifest's size. */
export async function checkTreeHeads(
  ctx: VerifyContext,
  manifest: ExportManifest,
  key: Ed25519VerifyKey,
): Promise<ExportTreeHead[]> {
  const step = 'tree heads';
  const path = EXPORT_PATHS.treeHeads;
  const raw = readJson(ctx, path, step);
  if (!Array.isArray(raw) || raw.length === 0) fail(path, step, 'is not a non-empty JSON array of tree heads');
  if (raw.length > MAX_TREE_HEADS) fail(path, step, `holds more than ${MAX_TREE_HEADS} tree heads`);
  const heads: ExportTreeHead[] = [];
  for (const [index, entry] of raw.entries()) {
    const size = (entry as { treeSize?: unknown } | null)?.treeSize;
    const item = `${path} entry ${index + 1}${typeof size === 'number' ? ` (treeSize ${size})` : ''}`;
    const parsed = ExportTreeHead.safeParse(entry);
    if (!parsed.success) fail(item, step, describeIssue(parsed.error));
    const head = parsed.data;
    if (head.keyId !== manifest.keyId) fail(item, step, `keyId ${head.keyId} is not the manifest's ${manifest.keyId}`);
    if (!(await verifyTreeHead(head, key))) fail(item, step, 'the signature does not verify with the log key');
    const previous = heads.at(-1);
    if (previous && head.treeSize <= previous.treeSize) {
      fail(item, step, `treeSize ${head.treeSize} does not follow ${previous.treeSize} (sizes must strictly ascend)`);
    }
    heads.push(head);
    ctx.progress(step, index + 1, raw.length);
  }
  const last = heads.at(-1) as ExportTreeHead;
  if (last.treeSize !== manifest.treeSize) {
    fail(
      `${path} entry ${heads.length} (treeSize ${last.treeSize})`,
      step,
      `the last head is not the manifest's treeSize ${manifest.treeSize}`,
    );
  }
  ctx.summary.treeHeads = heads.length;
  const first = heads[0] as ExportTreeHead;
  ctx.steps.push(`${path}: ${heads.length} signed tree head(s), treeSize ${first.treeSize} to ${last.treeSize}`);
  return heads;
}

/** consistency.json: one RFC 9162 consistency proof per consecutive pair of heads, each verifying. */
export async function checkConsistency(ctx: VerifyContext, heads: ExportTreeHead[]): Promise<void> {
  const step = 'consistency proofs';
  const path = EXPORT_PATHS.consistency;
  const raw = readJson(ctx, path, step);
  if (!Array.isArray(raw)) fail(path, step, 'is not a JSON array of consistency proofs');
  if (raw.length !== heads.length - 1) {
    fail(
      path,
      step,
      `holds ${raw.length} proof(s); ${heads.length} tree heads need ${heads.length - 1}, one per consecutive pair`,
    );
  }
  for (const [index, entry] of raw.entries()) {
    const older = heads[index] as ExportTreeHead;
    const newer = heads[index + 1] as ExportTreeHead;
    const item = `${path} entry ${index + 1} (treeSize ${older.treeSize} to ${newer.treeSize})`;
    const parsed = ExportConsistency.safeParse(entry);
    if (!parsed.success) fail(item, step, describeIssue(parsed.error));
    const { first, second, proof } = parsed.data;
    if (first !== older.treeSize || second !== newer.treeSize) {
      fail(item, step, `is for ${first} to ${second}, not for tree heads ${older.treeSize} to ${newer.treeSize}`);
    }
    const ok = await verifyConsistency(
      first,
      second,
      hexToBytes(older.rootHash),
      hexToBytes(newer.rootHash),
      proof.map(hexToBytes),
    );
    if (!ok) fail(item, step, `does not prove that tree head ${second} extends tree head ${first}`);
    ctx.progress(step, index + 1, raw.length);
  }
  ctx.summary.consistencyProofs = raw.length;
  ctx.steps.push(`${path}: ${raw.length} consistency proof(s) show the log was only appended to`);
}
