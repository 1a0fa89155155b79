import {
  childrenOf,
  DerError,
  type DerNode,
  expectTag,
  readBitStringBytes,
  readInteger,
  readNode,
  readOid,
  readSingle,
  readTime,
  TAG,
  ctx,
  unwrapExplicit,
} from './der';

/**
 * The parts of X.509 certificates (RFC 5280) and of signatures that time-stamp verification needs,
 * on WebCrypto only. Signature schemes: RSA PKCS#1 v1.5, RSA-PSS (MGF1 with the same hash) and
 * ECDSA on P-256/P-384/P-521, with SHA-256/384/512. SHA-1 and anything else are refused.
 */

export const OID = {
  sha256: '2.16.840.1.101.3.4.2.1',
  sha384: '2.16.840.1.101.3.4.2.2',
  sha512: '2.16.840.1.101.3.4.2.3',
  rsaEncryption: '1.2.840.113549.1.1.1',
  rsaPss: '1.2.840.113549.1.1.10',
  mgf1: '1.2.840.113549.1.1.8',
  sha256WithRsa: '1.2.840.113549.1.1.11',
  sha384WithRsa: '1.2.840.113549.1.1.12',
  sha512WithRsa: '1.2.840.113549.1.1.13',
  ecPublicKey: '1.2.840.10045.2.1',
  ecdsaWithSha256: '1.2.840.10045.4.3.2',
  ecdsaWithSha384: '1.2.840.10045.4.3.3',
  ecdsaWithSha512: '1.2.840.10045.4.3.4',
  basicConstraints: '2.5.29.19',
  extKeyUsage: '2.5.29.37',
  subjectKeyIdentifier: '2.5.29.14',
  kpTimeStamping: '1.3.6.1.5.5.7.3.8',
} as const;

type HashName = 'SHA-256' | 'SHA-384' | 'SHA-512';

export const HASH_BY_OID: Readonly<Record<string, HashName>> = {
  [OID.sha256]: 'SHA-256',
  [OID.sha384]: 'SHA-384',
  [OID.sha512]: 'SHA-512',
};

const CURVES: Readonly<Record<string, { name: string; size: number }>> = {
  '1.2.840.10045.3.1.7': { name: 'P-256', size: 32 },
  '1.3.132.0.34': { name: 'P-384', size: 48 },
  '1.3.132.0.35': { name: 'P-521', size: 66 },
};

export interface AlgorithmIdentifier {
  oid: string;
  params?: DerNode;
}

export interface Certificate {
  der: Uint8Array;
  tbs: Uint8Array;
  serial: bigint;
  issuer: Uint8Array;
  subject: Uint8Array;
  notBefore: Date;
  notAfter: Date;
  spki: Uint8Array;
  subjectKeyId?: Uint8Array;
  isCa: boolean;
  /** Extended key usage purposes; undefined when the extension is absent. */
  extKeyUsages?: string[];
  signatureAlgorithm: AlgorithmIdentifier;
  signature: Uint8Array;
}

export function readAlgorithm(node: DerNode | undefined, what: string): AlgorithmIdentifier {
  const [oid, params] = childrenOf(expectTag(node, TAG.SEQUENCE, what));
  const id = readOid(oid, `${what} algorithm`);
  return params && params.tag !== TAG.NULL ? { oid: id, params } : { oid: id };
}

export function parseCertificate(der: Uint8Array): Certificate {
  const [tbsNode, sigAlg, sig] = childrenOf(readSingle(der, TAG.SEQUENCE, 'certificate'));
  const tbs = expectTag(tbsNode, TAG.SEQUENCE, 'tbsCertificate');
  const fields = childrenOf(tbs);
  let i = fields[0]?.tag === ctx(0) ? 1 : 0;
  const serial = readInteger(fields[i++], 'certificate serial');
  i++; // the inner signature algorithm; the outer one is the one used
  const issuer = expectTag(fields[i++], TAG.SEQUENCE, 'issuer').bytes;
  const [notBefore, notAfter] = childrenOf(expectTag(fields[i++], TAG.SEQUENCE, 'validity'));
  const subject = expectTag(fields[i++], TAG.SEQUENCE, 'subject').bytes;
  const spki = expectTag(fields[i++], TAG.SEQUENCE, 'subjectPublicKeyInfo').bytes;
  const cert: Certificate = {
    der,
    tbs: tbs.bytes,
    serial,
    issuer,
    subject,
    notBefore: readTime(notBefore, 'notBefore'),
    notAfter: readTime(notAfter, 'notAfter'),
    spki,
    isCa: false,
    signatureAlgorithm: readAlgorithm(sigAlg, 'certificate signature'),
    signature: readBitStringBytes(sig, 'certificate signature'),
  };
  const extensions = fields.slice(i).find((field) => field.tag === ctx(3));
  if (extensions) readExtensions(unwrapExplicit(extensions, 'extensions'), cert);
  return cert;
}

function readExtensions(list: DerNode, cert: Certificate): void {
  for (const extension of childrenOf(expectTag(list, TAG.SEQUENCE, 'extensions'))) {
    const parts = childrenOf(expectTag(extension, TAG.SEQUENCE, 'extension'));
    const id = readOid(parts[0], 'extension id');
    const value = expectTag(parts[parts.length - 1], TAG.OCTET_STRING, 'extension value').content;
    if (id === OID.basicConstraints) {
      const first = childrenOf(readSingle(value, TAG.SEQUENCE, 'basicConstraints'))[0];
      cert.isCa = first?.tag === TAG.BOOLEAN && first.content[0] !== 0;
    } else if (id === OID.extKeyUsage) {
      cert.extKeyUsages = childrenOf(readSingle(value, TAG.SEQUENCE, 'extKeyUsage')).map((n) => readOid(n));
    } else if (id === OID.subjectKeyIdentifier) {
      cert.subjectKeyId = readSingle(value, TAG.OCTET_STRING, 'subjectKeyIdentifier').content;
    }
  }
}

type Scheme =
  | { kind: 'pkcs1'; hash: HashName }
  | { kind: 'pss'; hash: HashName; saltLength: number }
  | { kind: 'ecdsa'; hash: HashName };

function hashOf(oid: string | undefined, what: string): HashName {
  const hash = oid === undefined ? undefined : HASH_BY_OID[oid];
  if (!hash) throw new DerError(`${what}: unsupported hash algorithm ${oid ?? '(none)'}`);
  return hash;
}

function pssScheme(params: DerNode | undefined): Scheme {
  // RFC 4055 defaults (SHA-1, salt 20) are refused through hashOf: SHA-1 is not accepted.
  if (!params) throw new DerError('RSA-PSS without parameters (SHA-1) is not accepted');
  let hash: HashName | undefined;
  let mgfHash: HashName | undefined;
  let saltLength = 20;
  for (const field of childrenOf(expectTag(params, TAG.SEQUENCE, 'RSA-PSS parameters'))) {
    const inner = unwrapExplicit(field, 'RSA-PSS parameter');
    if (field.tag === ctx(0)) hash = hashOf(readAlgorithm(inner, 'PSS hash').oid, 'RSA-PSS');
    if (field.tag === ctx(1)) {
      const mgf = readAlgorithm(inner, 'PSS mask generation');
      if (mgf.oid !== OID.mgf1 || !mgf.params) throw new DerError('RSA-PSS: only MGF1 is supported');
      mgfHash = hashOf(readAlgorithm(mgf.params, 'MGF1 hash').oid, 'RSA-PSS MGF1');
    }
    if (field.tag === ctx(2)) saltLength = Number(readInteger(inner, 'PSS salt length'));
  }
  if (!hash || mgfHash !== hash) throw new DerError('RSA-PSS: hash and MGF1 hash must be the same SHA-2');
  return { kind: 'pss', hash, saltLength };
}

/** The scheme of a signature algorithm; `digestOid` is the CMS digest for bare rsaEncryption/ecPublicKey. */
function schemeOf(alg: AlgorithmIdentifier, digestOid?: string): Scheme {
  switch (alg.oid) {
    case OID.sha256WithRsa:
      return { kind: 'pkcs1', hash: 'SHA-256' };
    case OID.sha384WithRsa:
      return { kind: 'pkcs1', hash: 'SHA-384' };
    case OID.sha512WithRsa:
      return { kind: 'pkcs1', hash: 'SHA-512' };
    case OID.rsaEncryption:
      return { kind: 'pkcs1', hash: hashOf(digestOid, 'RSA signature') };
    case OID.rsaPss:
      return pssScheme(alg.params);
    case OID.ecdsaWithSha256:
      return { kind: 'ecdsa', hash: 'SHA-256' };
    case OID.ecdsaWithSha384:
      return { kind: 'ecdsa', hash: 'SHA-384' };
    case OID.ecdsaWithSha512:
      return { kind: 'ecdsa', hash: 'SHA-512' };
    case OID.ecPublicKey:
      return { kind: 'ecdsa', hash: hashOf(digestOid, 'ECDSA signature') };
    default:
      throw new DerError(`unsupported signature algorithm ${alg.oid}`);
  }
}

function base64Url(bytes: Uint8Array): string {
  let binary = '';
  for (const byte of bytes) binary += String.fromCharCode(byte);
  return btoa(binary).replaceAll('+', '-').replaceAll('/', '_').replace(/=+$/, '');
}

/** Unsigned big-endian bytes of an INTEGER, without the sign octet. */
function unsignedBytes(node: DerNode | undefined, what: string): Uint8Array {
  const { content } = expectTag(node, TAG.INTEGER, what);
  let start = 0;
  while (start < content.length - 1 && content[start] === 0) start++;
  return content.subarray(start);
}

/** ECDSA-Sig-Value (DER SEQUENCE of r, s) → the fixed-size r‖s that WebCrypto verifies. */
function ecdsaRaw(signature: Uint8Array, size: number): Uint8Array {
  const [r, s] = childrenOf(readSingle(signature, TAG.SEQUENCE, 'ECDSA signature'));
  const out = new Uint8Array(size * 2);
  for (const [index, part] of [unsignedBytes(r, 'r'), unsignedBytes(s, 's')].entries()) {
    if (part.length > size) throw new DerError('ECDSA signature: integer too large');
    out.set(part, index * size + size - part.length);
  }
  return out;
}

type WebCryptoKey = Awaited<ReturnType<typeof globalThis.crypto.subtle.importKey>>;

async function importKey(spki: Uint8Array, scheme: Scheme): Promise<{ key: WebCryptoKey; curveSize?: number }> {
  const [alg, keyBits] = childrenOf(readSingle(spki, TAG.SEQUENCE, 'subjectPublicKeyInfo'));
  const keyAlg = readAlgorithm(alg, 'public key');
  const subtle = globalThis.crypto.subtle;
  if (scheme.kind === 'ecdsa') {
    if (keyAlg.oid !== OID.ecPublicKey) throw new DerError('ECDSA signature but the key is not an EC key');
    const curve = CURVES[readOid(keyAlg.params, 'EC curve')];
    if (!curve) throw new DerError('unsupported EC curve');
    const algorithm = { name: 'ECDSA', namedCurve: curve.name };
    return {
      key: await subtle.importKey('spki', new Uint8Array(spki), algorithm, false, ['verify']),
      curveSize: curve.size,
    };
  }
  if (keyAlg.oid !== OID.rsaEncryption && keyAlg.oid !== OID.rsaPss) {
    throw new DerError('RSA signature but the key is not an RSA key');
  }
  // Imported as a JWK so RSA-PSS-only keys (id-RSASSA-PSS SPKI) load in browsers too.
  const [n, e] = childrenOf(readNode(readBitStringBytes(keyBits, 'RSA public key')));
  const jwk = { kty: 'RSA', n: base64Url(unsignedBytes(n, 'modulus')), e: base64Url(unsignedBytes(e, 'exponent')) };
  const name = scheme.kind === 'pss' ? 'RSA-PSS' : 'RSASSA-PKCS1-v1_5';
  return { key: await subtle.importKey('jwk', jwk, { name, hash: scheme.hash }, false, ['verify']) };
}

/**
 * Verifies `signature` over `data` with the key in `spki`. Throws DerError on an unsupported or
 * malformed algorithm or key; returns false for a signature that does not verify.
 */
export async function verifySignature(
  spki: Uint8Array,
  alg: AlgorithmIdentifier,
  signature: Uint8Array,
  data: Uint8Array,
  digestOid?: string,
): Promise<boolean> {
  const scheme = schemeOf(alg, digestOid);
  const { key, curveSize } = await importKey(spki, scheme);
  const subtle = globalThis.crypto.subtle;
  const payload = new Uint8Array(data);
  if (scheme.kind === 'ecdsa') {
    let raw: Uint8Array;
    try {
      raw = ecdsaRaw(signature, curveSize ?? 32);
    } catch {
      return false;
    }
    return subtle.verify({ name: 'ECDSA', hash: scheme.hash }, key, new Uint8Array(raw), payload);
  }
  if (scheme.kind === 'pss') {
    return subtle.verify({ name: 'RSA-PSS', saltLength: scheme.saltLength }, key, new Uint8Array(signature), payload);
  }
  return subtle.verify({ name: 'RSASSA-PKCS1-v1_5' }, key, new Uint8Array(signature), payload);
}
