import { zipSync } from 'fflate';
import { beforeAll, describe, expect, it } from 'vitest';
import { canonicalJson } from './canonical-json';
import { bytesToBase64Url, bytesToHex, generateSigningKeyPair, hexToBytes, sha256Hex, utf8Bytes } from './crypto';
import { EVIDENCE_GENESIS_HASH, type SignedEvidenceBundle, signBundle } from './evidence';
import {
  EXPORT_FORMAT,
  EXPORT_PATHS,
  type ExportManifest,
  signExportManifest,
  signRegistration,
} from './export-format';
import { exportFilesFromMap, unzipExport, verifyExport } from './export-verify';
import { merkleLeafHash, merkleNodeHash } from './merkle';
import { logKeyId, signTreeHead } from './tree-heads';

const PRACTICE_ID = '0190a5b2-7c3d-7e4f-8a1b-2c3d4e5f6a70';
const SITE_ID = '0190a5b2-7c3d-7e4f-8a1b-2c3d4e5f6a71';
const APPLIANCE_ID = '0190a5b2-7c3d-7e4f-8a1b-2c3d4e5f6a72';
const HOST_ID = '0190a5b2-7c3d-7e4f-8a1b-2c3d4e5f6a73';
const BUNDLES = `appliances/${APPLIANCE_ID}/bundles.jsonl`;
const PROOFS = `appliances/${APPLIANCE_ID}/proofs.jsonl`;
const text = (value: string) => utf8Bytes(value);
const decode = (bytes: Uint8Array | undefined) => new TextDecoder().decode(bytes);

/** Every leaf's RFC 6962 audit path at once, sharing subtree hashes (inclusionProof is O(n) per leaf). */
async function auditPaths(leaves: Uint8Array[]): Promise<{ root: Uint8Array; paths: Uint8Array[][] }> {
  const memo = new Map<string, Promise<Uint8Array>>();
  const mth = (start: number, end: number): Promise<Uint8Array> => {
    const key = `${start}:${end}`;
    let hash = memo.get(key);
    if (!hash) {
      let k = 1;
      while (k * 2 < end - start) k *= 2;
      hash =
        end - start === 1
          ? merkleLeafHash(leaves[start] as Uint8Array)
          : Promise.all([mth(start, start + k), mth(start + k, end)]).then(([l, r]) => merkleNodeHash(l, r));
      memo.set(key, hash);
    }
    return hash;
  };
  const path = async (m: number, start: number, end: number): Promise<Uint8Array[]> => {
    if (end - start <= 1) return [];
    let k = 1;
    while (k * 2 < end - start) k *= 2;
    return m < k
      ? [...(await path(m, start, start + k)), await mth(start + k, end)]
      : [...(await path(m - k, start + k, end)), await mth(start, start + k)];
  };
  const paths: Uint8Array[][] = [];
  for (let index = 0; index < leaves.length; index++) paths.push(await path(index, 0, leaves.length));
  return { root: await mth(0, leaves.length), paths };
}

/** A valid export: one appliance, `count` bundles, one untimestamped tree head. */
async function buildExport(count = 3): Promise<{
  files: Map<string, Uint8Array>;
  publicKey: string;
  keyId: string;
  logPrivateKey: Uint8Array;
}> {
  const logKey = await generateSigningKeyPair();
  const appliance = await generateSigningKeyPair();
  const keyId = await logKeyId(logKey.publicKey);
  const bundles: SignedEvidenceBundle[] = [];
  let prevHash = EVIDENCE_GENESIS_HASH;
  for (let seq = 1; seq <= count; seq++) {
    const bundle = await signBundle(
      {
        schemaVersion: 1,
        applianceId: APPLIANCE_ID,
        seq,
        prevHash,
        hostId: HOST_ID,
        hostname: 'gw.clinic.local',
        checkId: 'linux.ssh.permit-root-login',
        status: 'pass',
        observed: { seq },
        evaluatorInputDigest: 'b'.repeat(64),
        startedAt: new Date(Date.parse('2026-11-01T10:00:00.000Z') + seq * 60_000).toISOString(),
        finishedAt: new Date(Date.parse('2026-11-01T10:00:01.000Z') + seq * 60_000).toISOString(),
        clockOffsetMs: 0,
        controls: [],
      },
      appliance.privateKey,
    );
    bundles.push(bundle);
    prevHash = bundle.hash;
  }
  const leaves = bundles.map((bundle) => hexToBytes(bundle.hash));
  const tree = await auditPaths(leaves);
  const rootHash = bytesToHex(tree.root);
  const head = await signTreeHead(
    { treeSize: count, rootHash, issuedAt: '2026-12-01T00:01:00.000Z', keyId },
    logKey.privateKey,
  );
  const proofs = bundles.map((bundle, index) => ({
    seq: bundle.bundle.seq,
    bundleHash: bundle.hash,
    leafIndex: index,
    proof: (tree.paths[index] as Uint8Array[]).map(bytesToHex),
  }));
  const registration = await signRegistration(
    {
      applianceId: APPLIANCE_ID,
      siteId: SITE_ID,
      practiceId: PRACTICE_ID,
      hostname: 'gw.clinic.local',
      publicKey: bytesToBase64Url(appliance.publicKey),
      fingerprint: await sha256Hex(appliance.publicKey),
      registeredAt: '2026-10-01T00:00:00.000Z',
      keyId,
    },
    logKey.privateKey,
  );
  const publicKey = bytesToBase64Url(logKey.publicKey);
  const files = new Map<string, Uint8Array>([
    [EXPORT_PATHS.logKey, text(JSON.stringify({ algorithm: 'ed25519', keyId, publicKey }))],
    [EXPORT_PATHS.treeHeads, text(JSON.stringify([{ ...head, tsaTime: null }]))],
    [EXPORT_PATHS.consistency, text('[]')],
    [EXPORT_PATHS.registration(APPLIANCE_ID), text(JSON.stringify(registration))],
    [BUNDLES, text(bundles.map((bundle) => `${canonicalJson(bundle)}\n`).join(''))],
    [PROOFS, text(proofs.map((proof) => `${canonicalJson(proof)}\n`).join(''))],
    [EXPORT_PATHS.readme, text('# Export\n')],
  ]);
  const hashes: Record<string, string> = {};
  for (const [path, bytes] of files) hashes[path] = await sha256Hex(bytes);
  const manifest: ExportManifest = {
    format: EXPORT_FORMAT,
    version: 1,
    createdAt: '2026-12-01T00:02:00.000Z',
    practice: { id: PRACTICE_ID, name: 'Lakeside Family Dental' },
    period: { from: '2026-11-01T00:00:00.000Z', to: '2026-12-01T00:00:00.000Z' },
    keyId,
    treeSize: count,
    appliances: [
      {
        id: APPLIANCE_ID,
        siteId: SITE_ID,
        hostname: 'gw.clinic.local',
        firstSeq: 1,
        lastSeq: count,
        firstPrevHash: EVIDENCE_GENESIS_HASH,
        bundleCount: count,
      },
    ],
    packets: [],
    files: hashes,
  };
  files.set(EXPORT_PATHS.manifest, text(canonicalJson(manifest)));
  files.set(EXPORT_PATHS.manifestSignature, text(await signExportManifest(manifest, logKey.privateKey)));
  return { files, publicKey, keyId, logPrivateKey: logKey.privateKey };
}

let valid: Awaited<ReturnType<typeof buildExport>>;
beforeAll(async () => {
  valid = await buildExport();
});

async function failureOf(files: Map<string, Uint8Array>, options = {}) {
  const result = await verifyExport(exportFilesFromMap(files), options);
  return result.ok ? null : result.failure;
}

function withManifest(change: (manifest: Record<string, unknown>) => void): Map<string, Uint8Array> {
  const manifest = JSON.parse(decode(valid.files.get(EXPORT_PATHS.manifest))) as Record<string, unknown>;
  change(manifest);
  return new Map(valid.files).set(EXPORT_PATHS.manifest, text(JSON.stringify(manifest)));
}

describe('verifyExport', () => {
  it('accepts a valid export without timestamps, and says there is no outside proof of time', async () => {
    const result = await verifyExport(exportFilesFromMap(valid.files));
    expect(result).toMatchObject({
      ok: true,
      summary: { bundles: 3, proofs: 3, treeHeads: 1, tsaTrustSource: 'none' },
    });
    expect(result.summary.warnings.join('\n')).toMatch(/no outside proof of time/);
  });

  it('accepts the log key pinned by its base64url public key, and refuses a malformed pin', async () => {
    expect(await failureOf(valid.files, { pinnedLogKey: valid.publicKey })).toBeNull();
    expect(await failureOf(valid.files, { pinnedLogKey: 'not a key' })).toMatchObject({ item: 'pinned log key' });
  });

  it('names manifest.json when it is missing, of another format or of a later version', async () => {
    const missing = new Map(valid.files);
    missing.delete(EXPORT_PATHS.manifest);
    expect(await failureOf(missing)).toMatchObject({ item: 'manifest.json', message: 'is missing from the export' });
    const other = withManifest((manifest) => {
      manifest.format = 'something-else';
    });
    expect(await failureOf(other)).toMatchObject({
      item: 'manifest.json',
      message: /is not an osiriscare-auditor-export/,
    });
    const later = withManifest((manifest) => {
      manifest.version = 2;
    });
    expect(await failureOf(later)).toMatchObject({ item: 'manifest.json', message: /version 2/ });
  });

  it('refuses a manifest whose seq range and bundle count disagree', async () => {
    const files = withManifest((manifest) => {
      (manifest.appliances as { bundleCount: number }[])[0] = {
        ...(manifest.appliances as object[])[0],
        bundleCount: 2,
      } as { bundleCount: number };
    });
    expect(await failureOf(files)).toMatchObject({ item: 'manifest.json', message: /seq 1–3 is not 2 bundles/ });
  });

  it('refuses a timestamped head when no trust list exists, and a token for no head', async () => {
    const heads = JSON.parse(decode(valid.files.get(EXPORT_PATHS.treeHeads))) as Record<string, unknown>[];
    const stamped = new Map(valid.files)
      .set(EXPORT_PATHS.treeHeads, text(JSON.stringify([{ ...heads[0], tsaTime: '2026-12-01T00:01:01.000Z' }])))
      .set('tsa/3.tst', new Uint8Array([0x30, 0x00]));
    expect(await failureOf(stamped)).toMatchObject({
      item: 'tsa/3.tst',
      step: 'timestamps',
      message: /no TSA trust list/,
    });
    const stray = new Map(valid.files).set('tsa/99.tst', new Uint8Array([0x30, 0x00]));
    expect(await failureOf(stray)).toMatchObject({ item: 'tsa/99.tst', message: /for no tree head/ });
  });

  it('names the empty line, the missing proof line and the unreadable bundle line', async () => {
    const lines = decode(valid.files.get(BUNDLES)).split('\n');
    const gap = new Map(valid.files).set(BUNDLES, text([lines[0], '', lines[1], lines[2], ''].join('\n')));
    expect(await failureOf(gap)).toMatchObject({ item: `${BUNDLES} line 2`, message: 'is empty' });
    const garbled = new Map(valid.files).set(BUNDLES, text([lines[0], '{"bundle":', lines[2], ''].join('\n')));
    expect(await failureOf(garbled)).toMatchObject({ item: `${BUNDLES} line 2`, message: /not valid JSON/ });
    const bytes = valid.files.get(BUNDLES) as Uint8Array;
    const binary = new Uint8Array(bytes);
    binary[bytes.indexOf(0x0a) + 3] = 0xff;
    expect(await failureOf(new Map(valid.files).set(BUNDLES, binary))).toMatchObject({
      item: `${BUNDLES} line 2`,
      message: 'is not valid UTF-8 text',
    });
    const proofs = decode(valid.files.get(PROOFS)).split('\n');
    const short = new Map(valid.files).set(PROOFS, text([proofs[0], proofs[1], ''].join('\n')));
    expect(await failureOf(short)).toMatchObject({ item: PROOFS, message: 'holds 2 proof(s) for 3 bundle(s)' });
  });

  it('names a listed file outside the layout, such as bundles of an appliance the manifest does not list', async () => {
    const stray = `appliances/${SITE_ID}/bundles.jsonl`;
    const bytes = valid.files.get(BUNDLES) as Uint8Array;
    const manifest = JSON.parse(decode(valid.files.get(EXPORT_PATHS.manifest))) as ExportManifest;
    const resigned = { ...manifest, files: { ...manifest.files, [stray]: await sha256Hex(bytes) } };
    const files = new Map(valid.files)
      .set(stray, bytes)
      .set(EXPORT_PATHS.manifest, text(canonicalJson(resigned)))
      .set(EXPORT_PATHS.manifestSignature, text(await signExportManifest(resigned, valid.logPrivateKey)));
    expect(await failureOf(files)).toMatchObject({ item: stray, step: 'file hashes', message: /export layout/ });
  });

  it('names a listed file that is missing', async () => {
    const files = new Map(valid.files);
    files.delete(EXPORT_PATHS.readme);
    expect(await failureOf(files)).toMatchObject({ item: 'README.md', step: 'file hashes', message: /missing/ });
  });
});

describe('verifyExport on more bundles than one verification window', () => {
  let large: Awaited<ReturnType<typeof buildExport>>;
  beforeAll(async () => {
    large = await buildExport(1100);
  });

  const withLine = (path: string, lineNumber: number, change: (value: Record<string, unknown>) => unknown) => {
    const lines = decode(large.files.get(path)).split('\n');
    lines[lineNumber - 1] = canonicalJson(change(JSON.parse(lines[lineNumber - 1] as string)));
    return lines;
  };
  const flipFirstNode = (proof: Record<string, unknown>) => {
    const [node, ...rest] = proof.proof as string[];
    return { ...proof, proof: [`${node?.[0] === '0' ? '1' : '0'}${node?.slice(1)}`, ...rest] };
  };

  it('verifies all of them, chunk after chunk', async () => {
    const result = await verifyExport(exportFilesFromMap(large.files));
    expect(result).toMatchObject({ ok: true, summary: { bundles: 1100, proofs: 1100 } });
  });

  it('reports the first failing line even when later chunks, verified at the same time, fail too', async () => {
    const lines = withLine(BUNDLES, 777, (value) => ({ ...value, signature: 'A'.repeat(86) }));
    const bothBad = withLine(BUNDLES, 1050, (value) => ({ ...value, hash: 'c'.repeat(64) }));
    lines[1049] = bothBad[1049] as string;
    const failure = await failureOf(new Map(large.files).set(BUNDLES, text(lines.join('\n'))));
    expect(failure).toMatchObject({ item: `${BUNDLES} line 777 (seq 777)`, message: /not signed by the registered/ });
  });

  it('reports a failing inclusion proof before a later line of the same batch that fails sooner', async () => {
    const lines = withLine(PROOFS, 600, flipFirstNode);
    const later = withLine(PROOFS, 700, (value) => ({ ...value, bundleHash: 'd'.repeat(64) }));
    lines[699] = later[699] as string;
    const failure = await failureOf(new Map(large.files).set(PROOFS, text(lines.join('\n'))));
    expect(failure).toMatchObject({ item: `${PROOFS} line 600 (seq 600)`, message: /does not lead to the root/ });
  });
});

describe('unzipExport', () => {
  it('reads the files of a ZIP and skips directory entries', () => {
    const zip = zipSync({ 'manifest.json': text('{}'), appliances: { a: { 'x.jsonl': text('line\n') } } });
    const files = unzipExport(zip);
    expect(files.paths().sort()).toEqual(['appliances/a/x.jsonl', 'manifest.json']);
    expect(decode(files.read('appliances/a/x.jsonl'))).toBe('line\n');
    expect(files.read('missing')).toBeUndefined();
  });

  it('refuses unsafe entry names', () => {
    for (const name of ['../evil.txt', 'a/../../evil', '/etc/passwd', 'a\\b.txt', 'a//b', 'caf\u00e9.txt']) {
      expect(() => unzipExport(zipSync({ [name]: text('x') })), name).toThrow(/the ZIP entry/);
    }
    // fflate cannot write an entry named __proto__: rename a same-length entry in the archive bytes.
    const zip = zipSync({ xxproto__: text('x') });
    const from = text('xxproto__');
    for (let i = 0; i + from.length <= zip.length; i++) {
      if (from.every((byte, k) => zip[i + k] === byte)) zip.set(text('__proto__'), i);
    }
    expect(() => unzipExport(zip)).toThrow(/the ZIP entry "__proto__" has a reserved name/);
  });

  it('refuses archives past the size or entry caps before inflating them', () => {
    const bomb = zipSync({ 'zeros.bin': new Uint8Array(100_000) });
    expect(bomb.length).toBeLessThan(1_000);
    expect(() => unzipExport(bomb, { maxTotalBytes: 50_000, maxEntries: 10 })).toThrow(/more than 50000 bytes/);
    const many = zipSync({ a: text('1'), b: text('2'), c: text('3') });
    expect(() => unzipExport(many, { maxTotalBytes: 1_000, maxEntries: 2 })).toThrow(/more than 2 entries/);
  });

  it('refuses bytes that are not a ZIP', () => {
    expect(() => unzipExport(text('not a zip at all, just some text here'))).toThrow(/not a readable ZIP/);
  });
});
