import 'reflect-metadata';
import { X509Certificate as NodeX509Certificate, webcrypto } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Client, createClient } from '@connectrpc/connect';
import { createGrpcTransport, Http2SessionManager } from '@connectrpc/connect-node';
import { AGENT_PROTOCOL_VERSION, AgentService } from '@osiris/protocol/agent-proto';
import * as x509 from '@peculiar/x509';
import { randomUUID } from 'node:crypto';
import { createEvidenceWriter } from '../evidence/evidence-writer';
import { createIncidentsService } from '../healing/incidents';
import { loadOrCreateIdentityKey } from '../identity/identity-key';
import { createLogger } from '../log';
import { openStore, type Store } from '../store';
import { type AgentConfigBase, createAgentConfigSource } from './agent-config';
import { createAgentEvidencePump } from './agent-evidence';
import { createAgentResultsStore } from './agent-results.store';
import { type AgentServerLimits, startAgentServer } from './agent-server';
import { createAgentService } from './agent.service';
import { createAgentsStore } from './agents.store';
import { createEnrollmentTokens } from './enrollment-tokens';
import { loadOrCreateSiteCa } from './site-ca';
export { fetchPinnedCaPem } from './pinned-ca.testkit';

/** Test helpers for the agent endpoint: a running server on loopback and clients built like an agent's. */

const crypto = webcrypto;
export const TEST_SITE_ID = '3f1e2d4c-5b6a-4789-8abc-def012345678';

const TEST_LIMITS: AgentServerLimits = {
  maxConnectionsPerAgent: 2,
  maxConcurrentStreams: 8,
  requestsPerMinutePerAgent: 6000,
  requestBurstPerAgent: 100,
  idleTimeoutMs: 60_000,
};

export async function startTestAgentServer(
  options: {
    limits?: Partial<AgentServerLimits>;
    config?: Partial<AgentConfigBase>;
    clientCertificateValidityMs?: number;
    /** Reuse a data dir (a restart); it is then left in place by close(). */
    dataDir?: string;
  } = {},
) {
  const dataDir = options.dataDir ?? mkdtempSync(join(tmpdir(), 'osiris-agents-'));
  const store: Store = openStore(dataDir);
  const logLines: string[] = [];
  const log = createLogger('info', (line) => logLines.push(line));
  const ca = await loadOrCreateSiteCa(dataDir, { siteId: TEST_SITE_ID });
  const agents = createAgentsStore(store.db);
  const results = createAgentResultsStore(store.db);
  const config = createAgentConfigSource({
    store,
    base: {
      tier: 'self_heal',
      heartbeatIntervalSeconds: 60,
      resultsIntervalSeconds: 300,
      checks: [{ checkId: 'firewall', params: {} }],
      ...options.config,
    },
  });
  // Results become evidence as in the daemon: a real identity key, writer and incidents service.
  const key = await loadOrCreateIdentityKey(dataDir);
  const applianceId = store.settings.get('test.applianceId') ?? randomUUID();
  store.settings.set('test.applianceId', applianceId);
  const writer = createEvidenceWriter({ store, key, applianceId, clockOffsetMs: () => 0 });
  const incidents = createIncidentsService({ store });
  const pump = createAgentEvidencePump({ store, results, writer, incidents, log });
  const service = createAgentService({
    siteId: TEST_SITE_ID,
    ca,
    agents,
    results,
    config,
    clientCertificateValidityMs: options.clientCertificateValidityMs ?? 30 * 86_400_000,
    log,
    onReported: () => void pump.flush().catch(() => undefined),
  });
  const server = await startAgentServer({
    ca,
    service,
    agents,
    log,
    host: '127.0.0.1',
    port: 0,
    serverNames: ['localhost', '127.0.0.1'],
    limits: { ...TEST_LIMITS, ...options.limits },
  });
  const tokens = createEnrollmentTokens({ agents });
  return {
    dataDir,
    store,
    ca,
    agents,
    results,
    config,
    service,
    server,
    tokens,
    logLines,
    key,
    writer,
    incidents,
    pump,
    url: `https://127.0.0.1:${server.port}`,
    async close() {
      await server.close();
      await pump.flush().catch(() => undefined);
      store.close();
      if (!options.dataDir) rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

export type TestAgentServer = Awaited<ReturnType<typeof startTestAgentServer>>;

/** A fresh P-256 key and a CSR for it, as an agent makes them. */
export async function makeCsr(): Promise<{ csrDer: Uint8Array; keyPem: string }> {
  const algorithm = { name: 'ECDSA', namedCurve: 'P-256' };
  const keys = await crypto.subtle.generateKey(algorithm, true, ['sign', 'verify']);
  const csr = await x509.Pkcs10CertificateRequestGenerator.create(
    { name: 'CN=agent', keys, signingAlgorithm: { name: 'ECDSA', hash: 'SHA-256' } },
    crypto,
  );
  const pkcs8 = await crypto.subtle.exportKey('pkcs8', keys.privateKey);
  return { csrDer: new Uint8Array(csr.rawData), keyPem: x509.PemConverter.encode(pkcs8, 'PRIVATE KEY') };
}

export const derToPem = (der: Uint8Array): string => new NodeX509Certificate(der).toString();

export interface TestClient {
  client: Client<typeof AgentService>;
  close(): void;
}

/** A gRPC client over its own HTTP/2 connection, trusting `caPem`, with an optional client certificate. */
export function agentClient(url: string, tlsOptions: { caPem: string; certPem?: string; keyPem?: string }): TestClient {
  const manager = new Http2SessionManager(
    url,
    {},
    {
      ca: tlsOptions.caPem,
      ...(tlsOptions.certPem ? { cert: tlsOptions.certPem } : {}),
      ...(tlsOptions.keyPem ? { key: tlsOptions.keyPem } : {}),
    },
  );
  const transport = createGrpcTransport({ baseUrl: url, sessionManager: manager });
  return { client: createClient(AgentService, transport), close: () => manager.abort() };
}

export const agentHeader = (agentId: string) => ({
  agentId,
  agentVersion: '1.0.0',
  protocolVersion: AGENT_PROTOCOL_VERSION,
});

/** Enrolls with `token` and returns a client with the new certificate. */
export async function enrollAgent(
  server: TestAgentServer,
  token: string,
  host: { hostname: string; osFamily: number; machineId: string } = { hostname: 'pc-1', osFamily: 3, machineId: 'm-1' },
) {
  const { csrDer, keyPem } = await makeCsr();
  const anonymous = agentClient(server.url, { caPem: server.ca.caPem });
  try {
    const enrolled = await anonymous.client.enroll({
      enrollmentToken: token,
      csrDer,
      host,
      agentVersion: '1.0.0',
      protocolVersion: AGENT_PROTOCOL_VERSION,
    });
    const certPem = derToPem(enrolled.clientCertificateDer);
    const connect = () => agentClient(server.url, { caPem: server.ca.caPem, certPem, keyPem });
    return { enrolled, certPem, keyPem, agentId: enrolled.agentId, connect };
  } finally {
    anonymous.close();
  }
}
