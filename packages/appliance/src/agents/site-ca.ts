import 'reflect-metadata';
import { randomBytes, X509Certificate as NodeX509Certificate, webcrypto } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { isIP } from 'node:net';
import { join } from 'node:path';
import * as x509 from '@peculiar/x509';

/**
 * The appliance as the certificate authority of its site: an EC P-256 CA key and self-signed CA
 * certificate made at first use and kept in the data dir (0600), client certificates for enrolled
 * agents from their CSRs, and the TLS server certificate of the agent endpoint.
 */

export const CA_KEY_FILE = 'agent-ca.key.pem';
export const CA_CERT_FILE = 'agent-ca.cert.pem';
const CA_VALIDITY_DAYS = 3650;
const SERVER_VALIDITY_DAYS = 90;
const DAY_MS = 86_400_000;
/** Issued certificates start a little in the past so a client with a slow clock accepts them. */
const BACKDATE_MS = 5 * 60_000;
const EC_KEY = { name: 'ECDSA', namedCurve: 'P-256' } as const;
const EC_SIGNING = { name: 'ECDSA', hash: 'SHA-256' } as const;

type Crypto = webcrypto.Crypto;
type CryptoKey = webcrypto.CryptoKey;
type CryptoKeyPair = webcrypto.CryptoKeyPair;
const crypto: Crypto = webcrypto;

/** A CSR the CA will not sign: unparseable, bad signature, or a key type/size it does not accept. */
export class CsrError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CsrError';
  }
}

export interface IssuedCertificate {
  der: Uint8Array;
  pem: string;
  /** Lowercase hex without leading zeros (see normalizeSerial). */
  serial: string;
  notBefore: Date;
  notAfter: Date;
}

/** SHA-256 of a DER certificate as Node prints it: uppercase hex pairs joined by colons. */
export function certificateFingerprint(der: Uint8Array): string {
  return new NodeX509Certificate(der).fingerprint256;
}

/** Normalises a fingerprint as people paste it (colons, spaces, case, a `sha256:` prefix) to lowercase hex. */
export function normalizeFingerprint(text: string): string {
  return text
    .trim()
    .replace(/^sha-?256:/i, '')
    .replace(/[:\s]/g, '')
    .toLowerCase();
}

/** A serial number as compared everywhere: lowercase hex without leading zeros (Node prints it uppercase). */
export const normalizeSerial = (serial: string): string => serial.toLowerCase().replace(/^0+/, '');

function randomSerial(): string {
  const bytes = randomBytes(16);
  bytes[0] = ((bytes[0] ?? 0) & 0x7f) | 0x40; // positive INTEGER, no leading zero byte or digit
  return bytes.toString('hex');
}

async function exportKeyPem(key: CryptoKey): Promise<string> {
  const pkcs8 = await crypto.subtle.exportKey('pkcs8', key);
  return x509.PemConverter.encode(pkcs8, 'PRIVATE KEY');
}

function writeSecret(file: string, text: string): void {
  writeFileSync(file, text, { mode: 0o600 });
  chmodSync(file, 0o600);
}

/** The public key of a CSR, checked: signature valid (proof of possession), ECDSA P-256/384 or RSA >= 2048. */
async function acceptedCsrKey(csrDer: Uint8Array): Promise<x509.PublicKey> {
  let csr: x509.Pkcs10CertificateRequest;
  try {
    csr = new x509.Pkcs10CertificateRequest(csrDer);
  } catch {
    throw new CsrError('csr_der is not a DER PKCS#10 certificate signing request');
  }
  let valid = false;
  try {
    valid = await csr.verify(crypto);
  } catch {
    valid = false;
  }
  if (!valid) throw new CsrError('the CSR signature does not verify');
  const algorithm = csr.publicKey.algorithm as { name: string; namedCurve?: string; modulusLength?: number };
  if (algorithm.name === 'ECDSA' && (algorithm.namedCurve === 'P-256' || algorithm.namedCurve === 'P-384'))
    return csr.publicKey;
  if (algorithm.name === 'RSASSA-PKCS1-v1_5' || algorithm.name === 'RSA-PSS') {
    const key = await csr.publicKey.export(algorithm, ['verify'], crypto);
    const bits = (key.algorithm as webcrypto.RsaHashedKeyAlgorithm).modulusLength;
    if (bits >= 2048) return csr.publicKey;
  }
  throw new CsrError('the CSR key must be ECDSA P-256 (or P-384) or RSA of at least 2048 bits');
}

function issued(cert: x509.X509Certificate): IssuedCertificate {
  return {
    der: new Uint8Array(cert.rawData),
    pem: cert.toString('pem'),
    serial: normalizeSerial(cert.serialNumber),
    notBefore: cert.notBefore,
    notAfter: cert.notAfter,
  };
}

/** Loads the site CA from `dataDir`, creating key and certificate on first use. */
export async function loadOrCreateSiteCa(dataDir: string, options: { siteId: string; now?: () => Date }) {
  const now = options.now ?? (() => new Date());
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  const keyFile = join(dataDir, CA_KEY_FILE);
  const certFile = join(dataDir, CA_CERT_FILE);
  let caKeys: CryptoKeyPair;
  let caCert: x509.X509Certificate;
  if (existsSync(keyFile) && existsSync(certFile)) {
    caCert = new x509.X509Certificate(readFileSync(certFile, 'utf8'));
    const privateKey = await crypto.subtle.importKey(
      'pkcs8',
      x509.PemConverter.decodeFirst(readFileSync(keyFile, 'utf8')),
      EC_KEY,
      false,
      ['sign'],
    );
    caKeys = { privateKey, publicKey: await caCert.publicKey.export(EC_KEY, ['verify'], crypto) };
  } else {
    caKeys = (await crypto.subtle.generateKey(EC_KEY, true, ['sign', 'verify'])) as CryptoKeyPair;
    const start = new Date(now().getTime() - BACKDATE_MS);
    caCert = await x509.X509CertificateGenerator.createSelfSigned(
      {
        serialNumber: randomSerial(),
        name: `CN=OsirisCare site CA ${options.siteId}, O=OsirisCare`,
        notBefore: start,
        notAfter: new Date(start.getTime() + CA_VALIDITY_DAYS * DAY_MS),
        keys: caKeys,
        signingAlgorithm: EC_SIGNING,
        extensions: [
          new x509.BasicConstraintsExtension(true, 0, true),
          new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign, true),
          await x509.SubjectKeyIdentifierExtension.create(caKeys.publicKey, false, crypto),
        ],
      },
      crypto,
    );
    writeSecret(keyFile, await exportKeyPem(caKeys.privateKey));
    writeSecret(certFile, caCert.toString('pem'));
  }
  const caDer = new Uint8Array(caCert.rawData);
  const caPem = caCert.toString('pem');

  async function sign(params: {
    subject: string;
    publicKey: x509.PublicKeyType;
    validityMs: number;
    extensions: x509.Extension[];
  }): Promise<IssuedCertificate> {
    const start = new Date(now().getTime() - BACKDATE_MS);
    const cert = await x509.X509CertificateGenerator.create(
      {
        serialNumber: randomSerial(),
        subject: params.subject,
        issuer: caCert.subject,
        notBefore: start,
        notAfter: new Date(start.getTime() + BACKDATE_MS + params.validityMs),
        publicKey: params.publicKey,
        signingKey: caKeys.privateKey,
        signingAlgorithm: EC_SIGNING,
        extensions: [
          new x509.BasicConstraintsExtension(false, undefined, true),
          await x509.AuthorityKeyIdentifierExtension.create(caKeys.publicKey, false, crypto),
          ...params.extensions,
        ],
      },
      crypto,
    );
    return issued(cert);
  }

  return {
    caDer,
    caPem,
    /** SHA-256 of the CA certificate (uppercase, colon-separated): what agents pin at enrollment. */
    fingerprint: certificateFingerprint(caDer),
    /** A client certificate for `agentId` (subject CN) over the CSR's key; throws CsrError for a bad CSR. */
    async issueClientCertificate(csrDer: Uint8Array, agentId: string, validityMs: number): Promise<IssuedCertificate> {
      const publicKey = await acceptedCsrKey(csrDer);
      return sign({
        subject: `CN=${agentId}, OU=agents, O=OsirisCare`,
        publicKey,
        validityMs,
        extensions: [
          new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature, true),
          new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.clientAuth]),
          new x509.SubjectAlternativeNameExtension([{ type: 'url', value: `urn:osiris:agent:${agentId}` }]),
        ],
      });
    },
    /** A fresh key and server certificate for the agent endpoint, valid for `names` (DNS names or IPs). */
    async issueServerCertificate(names: readonly string[]): Promise<IssuedCertificate & { keyPem: string }> {
      const keys = (await crypto.subtle.generateKey(EC_KEY, true, ['sign', 'verify'])) as CryptoKeyPair;
      const cert = await sign({
        subject: `CN=${names[0] ?? 'osiris-appliance'}, OU=appliance, O=OsirisCare`,
        publicKey: keys.publicKey,
        validityMs: SERVER_VALIDITY_DAYS * DAY_MS,
        extensions: [
          new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature, true),
          new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.serverAuth]),
          new x509.SubjectAlternativeNameExtension(
            names.map((name) => ({ type: isIP(name) ? ('ip' as const) : ('dns' as const), value: name })),
          ),
        ],
      });
      return { ...cert, keyPem: await exportKeyPem(keys.privateKey) };
    },
  };
}

export type SiteCa = Awaited<ReturnType<typeof loadOrCreateSiteCa>>;
