import { readFile } from 'node:fs/promises';
import type { TestTsaServer } from '@osiris/central/testing';
import {
  buildTimestampRequest,
  bytesToBase64Url,
  bytesToHex,
  canonicalJson,
  consistencyProof,
  EVIDENCE_GENESIS_HASH,
  EXPORT_FORMAT,
  EXPORT_FORMAT_VERSION,
  EXPORT_PATHS,
  type Ed25519KeyPair,
  type ExportApplianceEntry,
  type ExportConsistency,
  type ExportManifest,
  type ExportTreeHead,
  generateSigningKeyPair,
  hexToBytes,
  inclusionProof,
  logKeyId,
  merkleRoot,
  parsePemCertificates,
  parseTimestampResponse,
  type SignedEvidenceBundle,
  sha256,
  sha256Hex,
  signBundle,
  signExportManifest,
  signRegistration,
  signTreeHead,
  treeHeadSigningInput,
  utf8Bytes,
  verifyTimestampToken,
} from '@osiris/protocol';
import { zipSync } from 'fflate';

/**
 * A valid auditor export built in memory from protocol functions only: two appliances with their
 * own keys (the second one's period starts at seq 3, so its chain continues from a bundle outside
 * the export), bundles interleaved in the log, three signed tree heads with consistency proofs,
 * real RFC 3161 tokens from the openssl-backed test TSA for the last two heads, registration
 * records and a manifest signed by a generated log key, a fake packet and a README.
 */

export interface ExportFixture {
  files: Map<string, Uint8Array>;
  zip: Uint8Array;
  manifest: ExportManifest;
  logKey: Ed25519KeyPair;
  logKeyId: string;
  /** PKCS#8 private key per appliance id: lets a tamper case re-sign a bundle. */
  applianceKeys: Map<string, Uint8Array>;
  /** The PEM of the TSA's CA (also in tsa/trusted-certs.pem). */
  tsaCaPem: string;
}

const PERIOD = { from: '2026-11-01T00:00:00.000Z', to: '2026-12-01T00:00:00.000Z' };
const PACKET_MONTH = '2026-11';
const text = (value: string) => utf8Bytes(value);
const json = (value: unknown) => text(`${JSON.stringify(value, null, 2)}\n`);
const jsonl = (values: unknown[]) => text(values.map((value) => `${canonicalJson(value)}\n`).join(''));

interface FixtureAppliance {
  id: string;
  hostname: string;
  keys: Ed25519KeyPair;
  /** Every bundle in the log, from seq 1; only those from `firstExportedSeq` are exported. */
  bundles: SignedEvidenceBundle[];
  firstExportedSeq: number;
}

async function makeAppliance(hostname: string, count: number, firstExportedSeq: number): Promise<FixtureAppliance> {
  const id = crypto.randomUUID();
  const hostId = crypto.randomUUID();
  const keys = await generateSigningKeyPair();
  const bundles: SignedEvidenceBundle[] = [];
  let prevHash = EVIDENCE_GENESIS_HASH;
  for (let seq = 1; seq <= count; seq++) {
    const startedAt = new Date(Date.parse(PERIOD.from) + seq * 3_600_000).toISOString();
    const signed = await signBundle(
      {
        schemaVersion: 1,
        applianceId: id,
        seq,
        prevHash,
        hostId,
        hostname,
        checkId: 'linux.ssh.permit-root-login',
        status: seq % 4 === 0 ? 'fail' : 'pass',
        observed: { permitRootLogin: seq % 4 === 0 ? 'yes' : 'no', seq },
        evaluatorInputDigest: await sha256Hex(`input ${hostname} ${seq}`),
        startedAt,
        finishedAt: new Date(Date.parse(startedAt) + 1_500).toISOString(),
        clockOffsetMs: 3,
        controls: ['HIPAA-164.312(a)(1)'],
      },
      keys.privateKey,
    );
    bundles.push(signed);
    prevHash = signed.hash;
  }
  return { id, hostname, keys, bundles, firstExportedSeq };
}

/** Leaves in acceptance order, alternating between the appliances' chains. */
function interleave(appliances: FixtureAppliance[]): { applianceId: string; seq: number; hash: string }[] {
  const order: { applianceId: string; seq: number; hash: string }[] = [];
  const longest = Math.max(...appliances.map((appliance) => appliance.bundles.length));
  for (let index = 0; index < longest; index++) {
    for (const appliance of index % 2 === 0 ? appliances : [...appliances].reverse()) {
      const bundle = appliance.bundles[index];
      if (bundle) order.push({ applianceId: appliance.id, seq: bundle.bundle.seq, hash: bundle.hash });
    }
  }
  return order;
}

async function timestamp(tsa: TestTsaServer, signingInput: string): Promise<{ token: Uint8Array; time: string }> {
  const digest = await sha256(utf8Bytes(signingInput));
  const response = await fetch(tsa.url, {
    method: 'POST',
    headers: { 'content-type': 'application/timestamp-query' },
    body: new Uint8Array(buildTimestampRequest(digest)),
  });
  const reply = parseTimestampResponse(new Uint8Array(await response.arrayBuffer()));
  if (!reply.token) throw new Error(`test TSA answered ${reply.status}`);
  const verified = await verifyTimestampToken(reply.token, digest, { certificates: [tsa.caCertDer] });
  if (!verified.ok) throw new Error(`test TSA token does not verify: ${verified.reason}`);
  return { token: reply.token, time: verified.time.toISOString() };
}

async function makeTreeHeads(
  leaves: Uint8Array[],
  sizes: number[],
  logKey: Ed25519KeyPair,
  keyId: string,
  tsa: TestTsaServer,
  files: Map<string, Uint8Array>,
): Promise<{ heads: ExportTreeHead[]; consistency: ExportConsistency[] }> {
  const heads: ExportTreeHead[] = [];
  const consistency: ExportConsistency[] = [];
  for (const [index, treeSize] of sizes.entries()) {
    const rootHash = bytesToHex(await merkleRoot(leaves.slice(0, treeSize)));
    const issuedAt = new Date(Date.now() - (sizes.length - index) * 60_000).toISOString();
    const body = { treeSize, rootHash, issuedAt, keyId };
    const head = await signTreeHead(body, logKey.privateKey);
    let tsaTime: string | null = null;
    if (index > 0) {
      const stamped = await timestamp(tsa, treeHeadSigningInput(body));
      files.set(EXPORT_PATHS.tsaToken(treeSize), stamped.token);
      tsaTime = stamped.time;
    }
    heads.push({ ...head, tsaTime });
    const previous = sizes[index - 1];
    if (previous !== undefined) {
      const proof = await consistencyProof(previous, leaves.slice(0, treeSize));
      consistency.push({ first: previous, second: treeSize, proof: proof.map(bytesToHex) });
    }
  }
  return { heads, consistency };
}

async function addAppliance(
  files: Map<string, Uint8Array>,
  appliance: FixtureAppliance,
  context: { siteId: string; practiceId: string; keyId: string; logKey: Ed25519KeyPair; leaves: Uint8Array[] },
  leafIndexOf: Map<string, number>,
): Promise<ExportApplianceEntry> {
  const publicKey = appliance.keys.publicKey;
  const registration = await signRegistration(
    {
      applianceId: appliance.id,
      siteId: context.siteId,
      practiceId: context.practiceId,
      hostname: appliance.hostname,
      publicKey: bytesToBase64Url(publicKey),
      fingerprint: await sha256Hex(publicKey),
      registeredAt: '2026-10-15T09:00:00.000Z',
      keyId: context.keyId,
    },
    context.logKey.privateKey,
  );
  const exported = appliance.bundles.filter((bundle) => bundle.bundle.seq >= appliance.firstExportedSeq);
  const proofs = [];
  for (const bundle of exported) {
    const leafIndex = leafIndexOf.get(bundle.hash) as number;
    const proof = await inclusionProof(leafIndex, context.leaves);
    proofs.push({ seq: bundle.bundle.seq, bundleHash: bundle.hash, leafIndex, proof: proof.map(bytesToHex) });
  }
  files.set(EXPORT_PATHS.registration(appliance.id), json(registration));
  files.set(EXPORT_PATHS.bundles(appliance.id), jsonl(exported));
  files.set(EXPORT_PATHS.proofs(appliance.id), jsonl(proofs));
  const first = exported[0] as SignedEvidenceBundle;
  return {
    id: appliance.id,
    siteId: context.siteId,
    hostname: appliance.hostname,
    firstSeq: first.bundle.seq,
    lastSeq: (exported.at(-1) as SignedEvidenceBundle).bundle.seq,
    firstPrevHash: first.bundle.prevHash,
    bundleCount: exported.length,
  };
}

/** The ZIP of an export's files (deflated). */
export function zipExportFiles(files: ReadonlyMap<string, Uint8Array>): Uint8Array {
  return zipSync(Object.fromEntries(files), { level: 6 });
}

export async function buildExportFixture(tsa: TestTsaServer): Promise<ExportFixture> {
  const files = new Map<string, Uint8Array>();
  const logKey = await generateSigningKeyPair();
  const keyId = await logKeyId(logKey.publicKey);
  const practiceId = crypto.randomUUID();
  const siteId = crypto.randomUUID();
  const appliances = [
    await makeAppliance('gw-front.clinic.local', 10, 1),
    await makeAppliance('gw-back.clinic.local', 12, 3),
  ];
  const order = interleave(appliances);
  const leaves = order.map((leaf) => hexToBytes(leaf.hash));
  const leafIndexOf = new Map(order.map((leaf, index) => [leaf.hash, index]));
  const { heads, consistency } = await makeTreeHeads(leaves, [7, 15, leaves.length], logKey, keyId, tsa, files);
  const tsaCaPem = await readFile(tsa.trustedCertsFile, 'utf8');
  parsePemCertificates(tsaCaPem);

  files.set(EXPORT_PATHS.logKey, json({ algorithm: 'ed25519', keyId, publicKey: bytesToBase64Url(logKey.publicKey) }));
  files.set(EXPORT_PATHS.treeHeads, json(heads));
  files.set(EXPORT_PATHS.consistency, json(consistency));
  files.set(EXPORT_PATHS.tsaTrust, text(tsaCaPem));
  const context = { siteId, practiceId, keyId, logKey, leaves };
  const entries: ExportApplianceEntry[] = [];
  for (const appliance of appliances) entries.push(await addAppliance(files, appliance, context, leafIndexOf));
  files.set(EXPORT_PATHS.packet(PACKET_MONTH), text('%PDF-1.7\n% not a real packet, fixture bytes\n%%EOF\n'));
  files.set(EXPORT_PATHS.readme, text('# OsirisCare auditor export\n\nRun `osiris-verify export.zip`.\n'));

  const hashes: Record<string, string> = {};
  for (const [path, bytes] of files) hashes[path] = await sha256Hex(bytes);
  const manifest: ExportManifest = {
    format: EXPORT_FORMAT,
    version: EXPORT_FORMAT_VERSION,
    createdAt: new Date().toISOString(),
    practice: { id: practiceId, name: 'Lakeside Family Dental' },
    period: PERIOD,
    keyId,
    treeSize: leaves.length,
    appliances: entries,
    packets: [PACKET_MONTH],
    files: hashes,
  };
  files.set(EXPORT_PATHS.manifest, text(canonicalJson(manifest)));
  files.set(EXPORT_PATHS.manifestSignature, text(`${await signExportManifest(manifest, logKey.privateKey)}\n`));
  return {
    files,
    zip: zipExportFiles(files),
    manifest,
    logKey,
    logKeyId: keyId,
    applianceKeys: new Map(appliances.map((appliance) => [appliance.id, appliance.keys.privateKey])),
    tsaCaPem,
  };
}
