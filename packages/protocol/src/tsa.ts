import { bytesEqual } from './crypto';
import {
  childrenOf,
  DerError,
  type DerNode,
  encodeNode,
  encodeOid,
  encodeUnsignedInteger,
  expectTag,
  readBitFlags,
  readInteger,
  readOid,
  readSingle,
  TAG,
} from './der';
import { CMS_OID, parseSignedToken, parseTstInfo, type SignerInfo } from './tsa-token';
import { type Certificate, HASH_BY_OID, OID, parseCertificate, verifySignature } from './x509';

/**
 * RFC 3161 time-stamping: building requests, reading responses and verifying TimeStampTokens, on a
 * small DER reader and WebCrypto (no dependency beyond zod, no Node builtins: runs in browsers too).
 *
 * Trust model: the signer certificate must be one of the trusted certificates, or be signed directly
 * by one of them that is a CA (one level of chain; intermediate CAs are not followed: trust the
 * intermediate itself). Revocation (CRL/OCSP) is not checked. The signer certificate must carry the
 * id-kp-timeStamping extended key usage and be valid at the token's genTime.
 */

export const SHA256_DIGEST_BYTES = 32;
/** Tokens, responses and certificates past this size are refused unread. */
const MAX_DER_BYTES = 256 * 1024;
const MAX_TRUSTED_CERTIFICATES = 100;

/** DER TimeStampReq for a SHA-256 digest, certReq true, no policy; the nonce (if given) must be positive. */
export function buildTimestampRequest(digest: Uint8Array, nonce?: bigint): Uint8Array {
  if (!(digest instanceof Uint8Array) || digest.length !== SHA256_DIGEST_BYTES) {
    throw new TypeError('buildTimestampRequest: digest must be 32 bytes (SHA-256)');
  }
  if (nonce !== undefined && (typeof nonce !== 'bigint' || nonce <= 0n || nonce >= 1n << 160n)) {
    throw new RangeError('buildTimestampRequest: nonce must be a positive integer below 2^160');
  }
  const algorithm = encodeNode(TAG.SEQUENCE, encodeOid(OID.sha256), encodeNode(TAG.NULL));
  const imprint = encodeNode(TAG.SEQUENCE, algorithm, encodeNode(TAG.OCTET_STRING, digest));
  const parts = [encodeUnsignedInteger(1n), imprint];
  if (nonce !== undefined) parts.push(encodeUnsignedInteger(nonce));
  parts.push(encodeNode(TAG.BOOLEAN, new Uint8Array([0xff])));
  return encodeNode(TAG.SEQUENCE, ...parts);
}

const STATUS = ['granted', 'grantedWithMods', 'rejection', 'waiting', 'revocationWarning', 'revocationNotification'];
export type TimestampStatus =
  | 'granted'
  | 'grantedWithMods'
  | 'rejection'
  | 'waiting'
  | 'revocationWarning'
  | 'revocationNotification';

/** PKIFailureInfo bit names (RFC 3161 §2.4.2). */
const FAIL_INFO: Readonly<Record<number, string>> = {
  0: 'badAlg',
  2: 'badRequest',
  5: 'badDataFormat',
  14: 'timeNotAvailable',
  15: 'unacceptedPolicy',
  16: 'unacceptedExtension',
  17: 'addInfoNotAvailable',
  25: 'systemFailure',
};

export interface TimestampResponse {
  status: TimestampStatus;
  statusText?: string[];
  failInfo?: string[];
  /** The DER TimeStampToken (CMS ContentInfo), present when the status is granted(WithMods). */
  token?: Uint8Array;
}

/** Reads a DER TimeStampResp. Throws DerError when the bytes are not one. */
export function parseTimestampResponse(der: Uint8Array): TimestampResponse {
  if (!(der instanceof Uint8Array) || der.length > MAX_DER_BYTES) throw new DerError('not a TimeStampResp');
  const [statusInfo, token] = childrenOf(readSingle(der, TAG.SEQUENCE, 'TimeStampResp'));
  const [statusNode, ...rest] = childrenOf(expectTag(statusInfo, TAG.SEQUENCE, 'PKIStatusInfo'));
  const status = STATUS[Number(readInteger(statusNode, 'PKIStatus'))] as TimestampStatus | undefined;
  if (!status) throw new DerError('unknown PKIStatus');
  const response: TimestampResponse = { status };
  for (const field of rest) {
    if (field.tag === TAG.SEQUENCE) {
      response.statusText = childrenOf(field).map((text) => new TextDecoder().decode(text.content));
    } else if (field.tag === TAG.BIT_STRING) {
      response.failInfo = readBitFlags(field, 'PKIFailureInfo').map((bit) => FAIL_INFO[bit] ?? `bit${bit}`);
    }
  }
  if (token) response.token = expectTag(token, TAG.SEQUENCE, 'TimeStampToken').bytes;
  return response;
}

export type TimestampVerification =
  | { ok: true; time: Date; serial: string; tsaName?: string; nonce?: bigint; policy: string }
  | { ok: false; reason: string };

export interface TimestampTrust {
  /** DER certificates of trusted TSAs or of the CAs that issue their certificates. */
  certificates: Uint8Array[];
}

class Refusal extends Error {}

async function digestOf(hashOid: string, data: Uint8Array): Promise<Uint8Array> {
  const hash = HASH_BY_OID[hashOid];
  if (!hash) throw new Refusal(`unsupported digest algorithm ${hashOid}`);
  return new Uint8Array(await globalThis.crypto.subtle.digest(hash, new Uint8Array(data)));
}

function findSignerCertificate(signer: SignerInfo, candidates: Certificate[]): Certificate {
  const { sid } = signer;
  const found = candidates.find((cert) =>
    'keyId' in sid
      ? cert.subjectKeyId !== undefined && bytesEqual(cert.subjectKeyId, sid.keyId)
      : cert.serial === sid.serial && bytesEqual(cert.issuer, sid.issuer),
  );
  if (!found) throw new Refusal('the signer certificate is not in the token nor among the trusted certificates');
  return found;
}

async function checkSignedAttributes(signer: SignerInfo, eContent: Uint8Array): Promise<Uint8Array> {
  if (!signer.signedAttrs) throw new Refusal('the token has no signed attributes');
  const contentType = signer.attributes.get(CMS_OID.contentTypeAttr);
  if (contentType?.length !== 1 || readOidSafe(contentType[0]) !== CMS_OID.tstInfo) {
    throw new Refusal('the content-type signed attribute is not id-ct-TSTInfo');
  }
  const messageDigest = signer.attributes.get(CMS_OID.messageDigestAttr);
  const claimed = messageDigest?.length === 1 ? messageDigest[0] : undefined;
  if (claimed?.tag !== TAG.OCTET_STRING) throw new Refusal('the message-digest signed attribute is missing');
  if (!bytesEqual(claimed.content, await digestOf(signer.digestAlgorithm.oid, eContent))) {
    throw new Refusal('the message-digest signed attribute does not match the TSTInfo');
  }
  return signer.signedAttrs;
}

function readOidSafe(node: DerNode | undefined): string | undefined {
  try {
    return readOid(node);
  } catch {
    return undefined;
  }
}

async function checkTrust(cert: Certificate, trusted: Certificate[]): Promise<void> {
  if (trusted.some((anchor) => bytesEqual(anchor.der, cert.der))) return;
  for (const issuer of trusted) {
    if (!issuer.isCa || !bytesEqual(issuer.subject, cert.issuer)) continue;
    if (await verifySignature(issuer.spki, cert.signatureAlgorithm, cert.signature, cert.tbs)) return;
  }
  throw new Refusal('the signer certificate is not trusted: not a trusted certificate nor issued by one');
}

function validateInputs(token: Uint8Array, expectedDigest: Uint8Array, trust: TimestampTrust): void {
  if (!(token instanceof Uint8Array) || token.length === 0 || token.length > MAX_DER_BYTES) {
    throw new Refusal('the token must be 1 byte to 256 KiB of DER');
  }
  if (!(expectedDigest instanceof Uint8Array) || expectedDigest.length !== SHA256_DIGEST_BYTES) {
    throw new Refusal('the expected digest must be 32 bytes (SHA-256)');
  }
  const certs = trust?.certificates;
  if (!Array.isArray(certs) || certs.length === 0 || certs.length > MAX_TRUSTED_CERTIFICATES) {
    throw new Refusal(`trust needs 1 to ${MAX_TRUSTED_CERTIFICATES} certificates`);
  }
  if (!certs.every((cert) => cert instanceof Uint8Array && cert.length <= MAX_DER_BYTES)) {
    throw new Refusal('every trusted certificate must be DER bytes');
  }
}

async function verify(token: Uint8Array, expectedDigest: Uint8Array, trust: TimestampTrust) {
  validateInputs(token, expectedDigest, trust);
  const trusted = trust.certificates.map(parseCertificate);
  const signed = parseSignedToken(token);
  if (signed.eContentType !== CMS_OID.tstInfo) throw new Refusal('the encapsulated content is not id-ct-TSTInfo');
  if (signed.signers.length !== 1) throw new Refusal('the token must have exactly one signer');
  const info = parseTstInfo(signed.eContent);
  if (info.hashAlgorithm !== OID.sha256) throw new Refusal('the message imprint is not SHA-256');
  if (!bytesEqual(info.hashedMessage, expectedDigest)) {
    throw new Refusal('the message imprint does not match the expected digest');
  }
  const signer = signed.signers[0] as SignerInfo;
  const signedAttrs = await checkSignedAttributes(signer, signed.eContent);
  const cert = findSignerCertificate(signer, [...signed.certificates.map(parseCertificate), ...trusted]);
  const digestOid = signer.digestAlgorithm.oid;
  if (!(await verifySignature(cert.spki, signer.signatureAlgorithm, signer.signature, signedAttrs, digestOid))) {
    throw new Refusal('the signature over the signed attributes does not verify');
  }
  if (!cert.extKeyUsages?.includes(OID.kpTimeStamping)) {
    throw new Refusal('the signer certificate lacks the id-kp-timeStamping extended key usage');
  }
  if (info.genTime < cert.notBefore || info.genTime > cert.notAfter) {
    throw new Refusal('the time-stamp lies outside the signer certificate validity');
  }
  await checkTrust(cert, trusted);
  return info;
}

/**
 * Verifies a DER TimeStampToken for `expectedDigest` (SHA-256) against `trust`. Never throws:
 * a malformed, mismatched, badly signed or untrusted token is `{ ok: false, reason }`.
 */
export async function verifyTimestampToken(
  token: Uint8Array,
  expectedDigest: Uint8Array,
  trust: TimestampTrust,
): Promise<TimestampVerification> {
  try {
    const info = await verify(token, expectedDigest, trust);
    return {
      ok: true,
      time: info.genTime,
      serial: info.serial.toString(),
      policy: info.policy,
      ...(info.tsaName !== undefined ? { tsaName: info.tsaName } : {}),
      ...(info.nonce !== undefined ? { nonce: info.nonce } : {}),
    };
  } catch (error) {
    if (error instanceof Refusal) return { ok: false, reason: error.message };
    if (error instanceof DerError) return { ok: false, reason: `malformed token or certificate: ${error.message}` };
    return { ok: false, reason: `verification failed: ${error instanceof Error ? error.message : String(error)}` };
  }
}
