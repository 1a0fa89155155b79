import { generateKeyPairSync, type KeyObject, sign } from 'node:crypto';
import {
  canonicalJson,
  EVIDENCE_GENESIS_HASH,
  type EvidenceBundle,
  REGISTRATION_PURPOSE,
  type SignedEvidenceBundle,
  signBundle,
} from '@osiris/protocol';

/**
 * What a stand-in appliance sends, built the way a real one must: for tests and benchmarks that
 * speak the wire protocol to a real Central Command. No test framework here.
 */

export interface ApplianceIdentity {
  privateKey: KeyObject;
  /** Raw public key, base64url: what central pins. */
  publicKey: string;
  /** PKCS#8 DER of the private key, as protocol's signBundle takes it. */
  pkcs8: Uint8Array;
}

export function newApplianceIdentity(): ApplianceIdentity {
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  return {
    privateKey,
    publicKey: publicKey.export({ format: 'jwk' }).x as string,
    pkcs8: new Uint8Array(privateKey.export({ format: 'der', type: 'pkcs8' })),
  };
}

/** POST /v1/appliance/register body: the code and a signed proof of holding the identity key. */
export function registrationRequest(
  id: ApplianceIdentity,
  code: string,
  options: { signedAt?: string; hostname?: string; signWith?: KeyObject } = {},
) {
  const hostname = options.hostname ?? 'appliance-01';
  const signedAt = options.signedAt ?? new Date().toISOString();
  const proof = canonicalJson({ purpose: REGISTRATION_PURPOSE, code, publicKey: id.publicKey, hostname, signedAt });
  const signature = sign(null, Buffer.from(proof), options.signWith ?? id.privateKey).toString('base64url');
  return { schemaVersion: 1, code, publicKey: id.publicKey, hostname, version: '0.1.0', signedAt, signature };
}

/** POST /v1/appliance/checkin body. */
export function checkinRequest(overrides: Record<string, unknown> = {}) {
  return {
    schemaVersion: 1,
    version: '0.1.0',
    uptimeSeconds: 120,
    sentAt: new Date().toISOString(),
    queues: { evidenceOutbox: 0, failedUploads: 0 },
    targets: { total: 0, reachable: 0 },
    ...overrides,
  };
}

export interface ChainOptions {
  hostId?: string;
  hostname?: string;
  /** Result of the bundle with this seq (default: pass). */
  statusOf?: (seq: number) => EvidenceBundle['status'];
  /** Check of the bundle with this seq (default: two alternating SSH/firewall ids). */
  checkOf?: (seq: number) => string;
  /** Any other fields of the bundle with this seq (host, times, …). */
  fieldsOf?: (
    seq: number,
  ) => Partial<Pick<EvidenceBundle, 'hostId' | 'hostname' | 'startedAt' | 'finishedAt' | 'observed' | 'kind'>>;
}

/** Writes one appliance's evidence chain: each call returns the next signed bundles. */
export function createChainWriter(applianceId: string, pkcs8: Uint8Array, options: ChainOptions = {}) {
  let prevHash = EVIDENCE_GENESIS_HASH;
  let seq = 0;
  return async function next(count: number, status?: EvidenceBundle['status']): Promise<SignedEvidenceBundle[]> {
    const out: SignedEvidenceBundle[] = [];
    for (let i = 0; i < count; i++) {
      seq += 1;
      const at = new Date(Date.UTC(2026, 10, 25, 12, 0, 0) + seq * 1000).toISOString();
      const signed = await signBundle(
        {
          schemaVersion: 1,
          applianceId,
          seq,
          prevHash,
          hostId: options.hostId ?? '01890000-0000-7000-8000-00000000a001',
          hostname: options.hostname ?? 'fs01',
          checkId: options.checkOf?.(seq) ?? (seq % 2 ? 'linux.ssh.permit-root-login' : 'linux.firewall.default-deny'),
          status: status ?? options.statusOf?.(seq) ?? 'pass',
          observed: { value: seq },
          evaluatorInputDigest: 'a'.repeat(64),
          startedAt: at,
          finishedAt: at,
          clockOffsetMs: 0,
          controls: ['164.312(a)(1)'],
          ...options.fieldsOf?.(seq),
        },
        pkcs8,
      );
      prevHash = signed.hash;
      out.push(signed);
    }
    return out;
  };
}
