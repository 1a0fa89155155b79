import { createHash, X509Certificate } from 'node:crypto';
import { isIP } from 'node:net';
import { connect, type DetailedPeerCertificate, type PeerCertificate } from 'node:tls';

export const sha256Hex = (der: Uint8Array) => createHash('sha256').update(der).digest('hex');

export function splitHostPort(appliance: string): { host: string; port: number } {
  const at = appliance.lastIndexOf(':');
  return { host: appliance.slice(0, at).replace(/^\[|\]$/g, ''), port: Number(appliance.slice(at + 1)) };
}

/** SNI may not carry an IP address; Node then matches the certificate's IP SANs by the host. */
export const serverNameOption = (serverName: string) => (isIP(serverName) ? {} : { servername: serverName });

/**
 * Fetches the appliance's certificate chain without trusting it and returns the CA certificate
 * whose SHA-256 fingerprint (over its DER) equals `fingerprint`. The caller then connects again,
 * trusting only that CA, so the real call verifies the server chain against the pinned CA.
 */
export async function fetchPinnedCa(appliance: string, fingerprint: string, timeoutMs = 10_000): Promise<string> {
  const { host, port } = splitHostPort(appliance);
  const chain = await new Promise<Uint8Array[]>((resolve, reject) => {
    const socket = connect({ host, port, rejectUnauthorized: false, ALPNProtocols: ['h2'], ...serverNameOption(host) });
    const timer = setTimeout(() => socket.destroy(new Error(`TLS handshake with ${appliance} timed out`)), timeoutMs);
    socket.once('secureConnect', () => {
      const ders: Uint8Array[] = [];
      let cert: DetailedPeerCertificate | PeerCertificate | undefined = socket.getPeerCertificate(true);
      const seen = new Set<string>();
      while (cert?.raw && !seen.has(cert.fingerprint256)) {
        seen.add(cert.fingerprint256);
        ders.push(cert.raw);
        cert = 'issuerCertificate' in cert ? cert.issuerCertificate : undefined;
      }
      clearTimeout(timer);
      socket.end();
      resolve(ders);
    });
    socket.once('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
  });
  const match = chain.find((der) => sha256Hex(der) === fingerprint);
  if (!match) {
    throw new Error(`the appliance at ${appliance} presented no certificate with the pinned CA fingerprint`);
  }
  const ca = new X509Certificate(Buffer.from(match));
  if (!ca.ca) throw new Error('the certificate with the pinned fingerprint is not a CA certificate');
  return ca.toString();
}
