import { createPrivateKey, createPublicKey, generateKeyPairSync, type KeyObject, sign } from 'node:crypto';

/** DER TLV with a definite length. */
function der(tag: number, ...parts: Uint8Array[]): Buffer {
  const content = Buffer.concat(parts);
  const length = content.length;
  const header =
    length < 0x80
      ? [tag, length]
      : length < 0x100
        ? [tag, 0x81, length]
        : length < 0x10000
          ? [tag, 0x82, length >> 8, length & 0xff]
          : [tag, 0x83, length >> 16, (length >> 8) & 0xff, length & 0xff];
  return Buffer.concat([Buffer.from(header), content]);
}

const OID_COMMON_NAME = Buffer.from([0x06, 0x03, 0x55, 0x04, 0x03]);
const OID_ECDSA_WITH_SHA256 = Buffer.from([0x06, 0x08, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x04, 0x03, 0x02]);

export interface AgentKeyPair {
  privateKeyPem: string;
  privateKey: KeyObject;
}

/** A fresh ECDSA P-256 key pair (the algorithm the protocol recommends for agent keys). */
export function generateAgentKey(): AgentKeyPair {
  const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  return { privateKey, privateKeyPem: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString() };
}

export const loadAgentKey = (pem: string): AgentKeyPair => ({ privateKeyPem: pem, privateKey: createPrivateKey(pem) });

/**
 * A PKCS#10 certificate signing request (DER) for the key, signed with it (proof of possession).
 * The subject is informational: the appliance chooses the certificate's subject itself.
 */
export function createCsr(key: AgentKeyPair, commonName: string): Uint8Array {
  const publicKey = createPublicKey(key.privateKey).export({ type: 'spki', format: 'der' });
  const subject = der(
    0x30,
    der(0x31, der(0x30, OID_COMMON_NAME, der(0x0c, Buffer.from(commonName.slice(0, 64), 'utf8')))),
  );
  const info = der(0x30, der(0x02, Buffer.from([0])), subject, publicKey, der(0xa0));
  const signature = sign('sha256', info, key.privateKey);
  return der(0x30, info, der(0x30, OID_ECDSA_WITH_SHA256), der(0x03, Buffer.from([0]), signature));
}
