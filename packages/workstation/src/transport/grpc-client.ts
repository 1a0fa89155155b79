import { X509Certificate } from 'node:crypto';
import { hostname } from 'node:os';
import { create } from '@bufbuild/protobuf';
import { type Client, createClient } from '@connectrpc/connect';
import { createGrpcTransport } from '@connectrpc/connect-node';
import {
  AGENT_PROTOCOL_VERSION,
  AgentService,
  EnrollRequestSchema,
  type EnrollResponse,
  type HostFacts,
} from '@osiris/protocol/agent-proto';
import { AGENT_VERSION } from '../version';
import type { AgentTransport } from './agent-transport';
import { createCsr, generateAgentKey, loadAgentKey } from './csr';
import { type AgentIdentity, derToPem, isRenewalDue } from './identity-store';
import { fetchPinnedCa, serverNameOption, sha256Hex, splitHostPort } from './pinned-ca';

/** Largest response of the contract (HeartbeatResponse's max_encoded_bytes). */
const READ_MAX_BYTES = 2 * 1024 * 1024;
const TIMEOUT_MS = 30_000;

interface Endpoint {
  appliance: string;
  /** TLS name expected in the appliance certificate; default: the host of `appliance`. */
  serverName?: string;
}

function grpcClient(endpoint: Endpoint, tls: { ca: string; cert?: string; key?: string }): Client<typeof AgentService> {
  const serverName = endpoint.serverName ?? splitHostPort(endpoint.appliance).host;
  const transport = createGrpcTransport({
    baseUrl: `https://${endpoint.appliance}`,
    readMaxBytes: READ_MAX_BYTES,
    defaultTimeoutMs: TIMEOUT_MS,
    nodeOptions: {
      ca: tls.ca,
      ...(tls.cert ? { cert: tls.cert } : {}),
      ...(tls.key ? { key: tls.key } : {}),
      ...serverNameOption(serverName),
      rejectUnauthorized: true,
    },
  });
  return createClient(AgentService, transport);
}

const chainPem = (ders: readonly Uint8Array[]) => ders.map(derToPem).join('');

/** Checks the appliance's answer before anything is stored: our key, a chain holding the pinned CA. */
function checkIssued(certDer: Uint8Array, chain: readonly Uint8Array[], keyPem: string, fingerprint?: string) {
  const cert = new X509Certificate(Buffer.from(certDer));
  if (!cert.checkPrivateKey(loadAgentKey(keyPem).privateKey))
    throw new Error('the issued certificate is not for our key');
  if (chain.length === 0) throw new Error('the appliance returned no CA chain');
  if (fingerprint && !chain.some((der) => sha256Hex(der) === fingerprint)) {
    throw new Error('the returned CA chain does not contain the pinned CA');
  }
  const issuer = new X509Certificate(Buffer.from(chain[0] ?? new Uint8Array()));
  if (!cert.verify(issuer.publicKey)) throw new Error('the issued certificate is not signed by the returned CA');
}

export interface EnrollOptions extends Endpoint {
  enrollmentToken: string;
  /** SHA-256 of the site CA certificate DER, lowercase hex. */
  caFingerprint: string;
  host: HostFacts;
}

/** Enrolls: pins the site CA by fingerprint, sends the token and a CSR, returns the identity to store. */
export async function enroll(options: EnrollOptions): Promise<{ identity: AgentIdentity; response: EnrollResponse }> {
  const caPem = await fetchPinnedCa(options.appliance, options.caFingerprint);
  const key = generateAgentKey();
  const client = grpcClient(options, { ca: caPem });
  const response = await client.enroll(
    create(EnrollRequestSchema, {
      enrollmentToken: options.enrollmentToken,
      csrDer: createCsr(key, options.host.hostname || hostname()),
      host: options.host,
      agentVersion: AGENT_VERSION,
      protocolVersion: AGENT_PROTOCOL_VERSION,
    }),
  );
  checkIssued(response.clientCertificateDer, response.caChainDer, key.privateKeyPem, options.caFingerprint);
  return {
    response,
    identity: {
      agentId: response.agentId,
      siteId: response.siteId,
      keyPem: key.privateKeyPem,
      certificatePem: derToPem(response.clientCertificateDer),
      caChainPem: chainPem(response.caChainDer),
    },
  };
}

/** The mutual-TLS client of an enrolled agent. `identity` is replaced after a renewal. */
export function createAgentClient(endpoint: Endpoint, initial: AgentIdentity) {
  let identity = initial;
  let client = grpcClient(endpoint, { ca: identity.caChainPem, cert: identity.certificatePem, key: identity.keyPem });

  const transport: AgentTransport = {
    heartbeat: (request) => client.heartbeat(request),
    reportResults: (request) => client.reportResults(request),
    reportHealResult: (request) => client.reportHealResult(request),
  };

  return {
    transport,
    get identity() {
      return identity;
    },
    /** Renews the certificate with a new key when a third of its lifetime remains; returns the new identity or undefined. */
    async renewIfDue(
      now: Date,
      header: Parameters<typeof client.renewCertificate>[0]['header'],
    ): Promise<AgentIdentity | undefined> {
      if (!isRenewalDue(identity.certificatePem, now)) return undefined;
      const key = generateAgentKey();
      const response = await client.renewCertificate({ header, csrDer: createCsr(key, identity.agentId) });
      checkIssued(response.clientCertificateDer, response.caChainDer, key.privateKeyPem);
      identity = {
        ...identity,
        keyPem: key.privateKeyPem,
        certificatePem: derToPem(response.clientCertificateDer),
        caChainPem: chainPem(response.caChainDer),
      };
      client = grpcClient(endpoint, { ca: identity.caChainPem, cert: identity.certificatePem, key: identity.keyPem });
      return identity;
    },
  };
}
