import { X509Certificate } from 'node:crypto';
import tls from 'node:tls';
import { normalizeFingerprint } from './site-ca';

/**
 * What an agent does before sending its token: fetch the server's chain without trusting it, and
 * accept the root only when its SHA-256 matches the pinned fingerprint. Returns the CA as PEM.
 */
export function fetchPinnedCaPem(url: string, pinnedFingerprint: string): Promise<string> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve, reject) => {
    const socket = tls.connect({
      host: hostname,
      port: Number(port),
      rejectUnauthorized: false,
      ALPNProtocols: ['h2'],
    });
    socket.once('error', reject);
    socket.once('secureConnect', () => {
      let cert = socket.getPeerCertificate(true);
      while (cert.issuerCertificate && cert.issuerCertificate !== cert) cert = cert.issuerCertificate;
      socket.destroy();
      if (normalizeFingerprint(cert.fingerprint256) !== normalizeFingerprint(pinnedFingerprint))
        reject(new Error('the appliance CA does not match the pinned fingerprint'));
      else resolve(new X509Certificate(cert.raw).toString());
    });
  });
}
