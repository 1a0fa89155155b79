import {
  bytesToBase64Url,
  canonicalJson,
  EXPORT_PATHS,
  type ExportManifest,
  type ExportTreeHead,
  generateSigningKeyPair,
  type SignedEvidenceBundle,
  sha256Hex,
  signBundle,
} from '@osiris/protocol';

/**
 * Ways to tamper with an auditor export, each with the item the verifier must name. They read the
 * structure from the export itself (manifest, files), so they run against the fixture and against
 * a real export from central alike. A case that needs something the export lacks (a timestamped
 * head, a packet, the appliance's private key) returns null.
 */

type ExportFileMap = ReadonlyMap<string, Uint8Array>;

interface TamperContext {
  /** PKCS#8 private key per appliance id, for cases that forge a validly signed bundle. */
  applianceKeys?: ReadonlyMap<string, Uint8Array>;
}

interface Tampered {
  files: Map<string, Uint8Array>;
  /** Matches the failure item verifyExport must report. */
  expectedItem: RegExp;
}

export interface TamperCase {
  name: string;
  apply(files: ExportFileMap, context: TamperContext): Promise<Tampered | null>;
}

const encoder = new TextEncoder();
const decoder = new TextDecoder();
const escapeRegExp = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
const exactly = (item: string) => new RegExp(`^${escapeRegExp(item)}$`);

function readJson<T>(files: ExportFileMap, path: string): T {
  const bytes = files.get(path);
  if (!bytes) throw new Error(`tamper: ${path} is missing`);
  return JSON.parse(decoder.decode(bytes)) as T;
}

function lines(files: ExportFileMap, path: string): string[] {
  const bytes = files.get(path);
  if (!bytes) throw new Error(`tamper: ${path} is missing`);
  return decoder
    .decode(bytes)
    .split('\n')
    .filter((line) => line !== '');
}

function withFile(files: ExportFileMap, path: string, bytes: Uint8Array): Map<string, Uint8Array> {
  return new Map(files).set(path, bytes);
}

const withLines = (files: ExportFileMap, path: string, values: string[]) =>
  withFile(files, path, encoder.encode(values.map((line) => `${line}\n`).join('')));

const withJson = (files: ExportFileMap, path: string, value: unknown) =>
  withFile(files, path, encoder.encode(`${JSON.stringify(value, null, 2)}\n`));

/** An appliance with at least three bundles and the index of a middle line of its bundles.jsonl. */
function middleBundle(files: ExportFileMap) {
  const manifest = readJson<ExportManifest>(files, EXPORT_PATHS.manifest);
  const entry = manifest.appliances.find((appliance) => appliance.bundleCount >= 3);
  if (!entry) return null;
  const index = Math.floor(entry.bundleCount / 2);
  const path = EXPORT_PATHS.bundles(entry.id);
  const all = lines(files, path);
  const bundle = JSON.parse(all[index] as string) as SignedEvidenceBundle;
  const item = (seq: number) => exactly(`${path} line ${index + 1} (seq ${seq})`);
  return { entry, index, path, lines: all, bundle, item };
}

function flipHexChar(hex: string): string {
  return (hex[0] === '0' ? '1' : '0') + hex.slice(1);
}

const headItem = (heads: ExportTreeHead[], index: number) =>
  exactly(`${EXPORT_PATHS.treeHeads} entry ${index + 1} (treeSize ${(heads[index] as ExportTreeHead).treeSize})`);

export const TAMPER_CASES: readonly TamperCase[] = [
  {
    name: 'a field of one bundle is changed',
    async apply(files) {
      const target = middleBundle(files);
      if (!target) return null;
      const { bundle } = target;
      const changed = {
        ...bundle,
        bundle: { ...bundle.bundle, status: bundle.bundle.status === 'pass' ? 'fail' : 'pass' },
      };
      const next = target.lines.with(target.index, canonicalJson(changed));
      return { files: withLines(files, target.path, next), expectedItem: target.item(bundle.bundle.seq) };
    },
  },
  {
    name: "one bundle carries another bundle's signature",
    async apply(files) {
      const target = middleBundle(files);
      if (!target) return null;
      const other = JSON.parse(target.lines[target.index - 1] as string) as SignedEvidenceBundle;
      const next = target.lines.with(target.index, canonicalJson({ ...target.bundle, signature: other.signature }));
      return { files: withLines(files, target.path, next), expectedItem: target.item(target.bundle.bundle.seq) };
    },
  },
  {
    name: 'a bundle is removed from the middle of the chain',
    async apply(files) {
      const target = middleBundle(files);
      if (!target) return null;
      const next = target.lines.filter((_, index) => index !== target.index);
      // The line that takes the removed one's place is the first that does not link.
      return { files: withLines(files, target.path, next), expectedItem: target.item(target.bundle.bundle.seq + 1) };
    },
  },
  {
    name: 'a bundle re-signed by the appliance key links to the wrong previous hash',
    async apply(files, context) {
      const target = middleBundle(files);
      const key = target && context.applianceKeys?.get(target.entry.id);
      if (!target || !key) return null;
      const forged = await signBundle(
        { ...target.bundle.bundle, prevHash: await sha256Hex('not the previous bundle') },
        key,
      );
      const next = target.lines.with(target.index, canonicalJson(forged));
      return { files: withLines(files, target.path, next), expectedItem: target.item(target.bundle.bundle.seq) };
    },
  },
  {
    name: 'a node of an inclusion proof is flipped',
    async apply(files) {
      const target = middleBundle(files);
      if (!target) return null;
      const path = EXPORT_PATHS.proofs(target.entry.id);
      const all = lines(files, path);
      const proof = JSON.parse(all[target.index] as string) as { seq: number; proof: string[] };
      if (proof.proof.length === 0) return null;
      const changed = { ...proof, proof: [flipHexChar(proof.proof[0] as string), ...proof.proof.slice(1)] };
      return {
        files: withLines(files, path, all.with(target.index, canonicalJson(changed))),
        expectedItem: exactly(`${path} line ${target.index + 1} (seq ${proof.seq})`),
      };
    },
  },
  {
    name: "a tree head's rootHash is changed",
    async apply(files) {
      const heads = readJson<ExportTreeHead[]>(files, EXPORT_PATHS.treeHeads);
      const changed = heads.with(0, {
        ...(heads[0] as ExportTreeHead),
        rootHash: flipHexChar((heads[0] as ExportTreeHead).rootHash),
      });
      return { files: withJson(files, EXPORT_PATHS.treeHeads, changed), expectedItem: headItem(heads, 0) };
    },
  },
  {
    name: "a tree head carries another head's signature",
    async apply(files) {
      const heads = readJson<ExportTreeHead[]>(files, EXPORT_PATHS.treeHeads);
      if (heads.length < 2) return null;
      const last = heads.length - 1;
      const changed = heads.with(last, {
        ...(heads[last] as ExportTreeHead),
        signature: (heads[0] as ExportTreeHead).signature,
      });
      return { files: withJson(files, EXPORT_PATHS.treeHeads, changed), expectedItem: headItem(heads, last) };
    },
  },
  {
    name: 'a node of a consistency proof is flipped',
    async apply(files) {
      const proofs = readJson<{ first: number; second: number; proof: string[] }[]>(files, EXPORT_PATHS.consistency);
      const proof = proofs[0];
      if (!proof || proof.proof.length === 0) return null;
      const changed = proofs.with(0, {
        ...proof,
        proof: [flipHexChar(proof.proof[0] as string), ...proof.proof.slice(1)],
      });
      return {
        files: withJson(files, EXPORT_PATHS.consistency, changed),
        expectedItem: exactly(`${EXPORT_PATHS.consistency} entry 1 (treeSize ${proof.first} to ${proof.second})`),
      };
    },
  },
  {
    name: 'a byte of a timestamp token is flipped',
    async apply(files) {
      const path = [...files.keys()].sort().find((name) => /^tsa\/\d+\.tst$/.test(name));
      const token = path && files.get(path);
      if (!path || !token) return null;
      // The last byte lies in the signer's signature value (openssl adds no unsigned attributes).
      const changed = new Uint8Array(token);
      changed[changed.length - 1] = (changed[changed.length - 1] as number) ^ 0x01;
      return { files: withFile(files, path, changed), expectedItem: exactly(path) };
    },
  },
  {
    name: "an appliance's registered public key is replaced",
    async apply(files) {
      const manifest = readJson<ExportManifest>(files, EXPORT_PATHS.manifest);
      const entry = manifest.appliances[0];
      if (!entry) return null;
      const path = EXPORT_PATHS.registration(entry.id);
      const intruder = await generateSigningKeyPair();
      const record = readJson<Record<string, unknown>>(files, path);
      const changed = {
        ...record,
        publicKey: bytesToBase64Url(intruder.publicKey),
        fingerprint: await sha256Hex(intruder.publicKey),
      };
      return { files: withJson(files, path, changed), expectedItem: exactly(path) };
    },
  },
  {
    name: "the manifest's bundle count is changed",
    async apply(files) {
      const manifest = readJson<ExportManifest>(files, EXPORT_PATHS.manifest);
      const entry = manifest.appliances.find((appliance) => appliance.lastSeq !== null);
      if (!entry) return null;
      const appliances = manifest.appliances.map((item) =>
        item === entry ? { ...item, bundleCount: item.bundleCount - 1, lastSeq: (item.lastSeq as number) - 1 } : item,
      );
      const changed = encoder.encode(canonicalJson({ ...manifest, appliances }));
      // Coherent counts, so the manifest parses and only its signature can catch the change.
      return {
        files: withFile(files, EXPORT_PATHS.manifest, changed),
        expectedItem: exactly(EXPORT_PATHS.manifestSignature),
      };
    },
  },
  {
    name: 'an extra file not listed in the manifest is added',
    async apply(files) {
      const path = 'appliances/notes.txt';
      return { files: withFile(files, path, encoder.encode('added later\n')), expectedItem: exactly(path) };
    },
  },
  {
    name: 'the bytes of a packet PDF are changed',
    async apply(files) {
      const path = [...files.keys()].sort().find((name) => name.startsWith('packets/'));
      const bytes = path && files.get(path);
      if (!path || !bytes) return null;
      const changed = new Uint8Array(bytes);
      changed[Math.floor(changed.length / 2)] = (changed[Math.floor(changed.length / 2)] as number) ^ 0x20;
      return { files: withFile(files, path, changed), expectedItem: exactly(path) };
    },
  },
];
