import { X509Certificate } from 'node:crypto';
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';

/** What enrollment leaves on disk, under the data directory. */
export interface AgentIdentity {
  agentId: string;
  siteId: string;
  keyPem: string;
  certificatePem: string;
  /** Pinned site CA chain (issuing CA first). */
  caChainPem: string;
}

const IdentityJson = z.strictObject({
  agent_id: z.uuid(),
  site_id: z.uuid(),
});

const FILES = { meta: 'identity.json', key: 'agent.key', cert: 'agent.crt', ca: 'ca.pem' } as const;

export const derToPem = (der: Uint8Array): string => new X509Certificate(Buffer.from(der)).toString();

/** Writes a file atomically (temp file + rename), readable by the agent only. */
function writeSecure(path: string, content: string) {
  const temp = `${path}.tmp`;
  writeFileSync(temp, content, { mode: 0o600 });
  renameSync(temp, path);
}

export function saveIdentity(dataDir: string, identity: AgentIdentity) {
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  writeSecure(join(dataDir, FILES.key), identity.keyPem);
  writeSecure(join(dataDir, FILES.cert), identity.certificatePem);
  writeSecure(join(dataDir, FILES.ca), identity.caChainPem);
  writeSecure(join(dataDir, FILES.meta), JSON.stringify({ agent_id: identity.agentId, site_id: identity.siteId }));
}

/** The stored identity, or undefined before enrollment. A damaged identity is an error. */
export function loadIdentity(dataDir: string): AgentIdentity | undefined {
  let meta: string;
  try {
    meta = readFileSync(join(dataDir, FILES.meta), 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
  const ids = IdentityJson.parse(JSON.parse(meta));
  return {
    agentId: ids.agent_id,
    siteId: ids.site_id,
    keyPem: readFileSync(join(dataDir, FILES.key), 'utf8'),
    certificatePem: readFileSync(join(dataDir, FILES.cert), 'utf8'),
    caChainPem: readFileSync(join(dataDir, FILES.ca), 'utf8'),
  };
}

/** True once less than a third of the certificate's lifetime remains (the protocol's renewal rule). */
export function isRenewalDue(certificatePem: string, now: Date): boolean {
  const cert = new X509Certificate(certificatePem);
  const from = new Date(cert.validFrom).getTime();
  const to = new Date(cert.validTo).getTime();
  return to - now.getTime() < (to - from) / 3;
}
