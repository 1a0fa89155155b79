import { readFileSync } from 'node:fs';

const PEM_BLOCK = /-----BEGIN CERTIFICATE-----([A-Za-z0-9+/=\s]+?)-----END CERTIFICATE-----/g;
const MAX_CERTIFICATES = 100;

/** The DER certificates of a PEM bundle; throws when there is none or too many. */
function parsePemCertificates(pem: string): Uint8Array[] {
  const certificates = [...pem.matchAll(PEM_BLOCK)].map(
    (match) => new Uint8Array(Buffer.from((match[1] ?? '').replace(/\s+/g, ''), 'base64')),
  );
  if (certificates.length === 0) throw new Error('no PEM certificate found');
  if (certificates.length > MAX_CERTIFICATES) throw new Error(`more than ${MAX_CERTIFICATES} certificates`);
  if (certificates.some((der) => der.length < 16 || der[0] !== 0x30)) throw new Error('a certificate is not DER');
  return certificates;
}

export function readTrustBundle(path: string): Uint8Array[] {
  try {
    return parsePemCertificates(readFileSync(path, 'utf8'));
  } catch (error) {
    throw new Error(`TSA_TRUSTED_CERTS_FILE ${path}: ${error instanceof Error ? error.message : String(error)}`, {
      cause: error,
    });
  }
}
