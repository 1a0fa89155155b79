import { createPublicKey, generateKeyPairSync, sign, X509Certificate } from 'node:crypto';
import { Code, ConnectError, type Client, createClient } from '@connectrpc/connect';
import { createGrpcTransport, Http2SessionManager } from '@connectrpc/connect-node';
import {
  AGENT_PROTOCOL_VERSION,
  AgentService,
  CheckStatus,
  OsFamily,
  ResultTrigger,
} from '@osiris/protocol/agent-proto';

/** A simulated workstation agent: its certificate and its own HTTP/2 connection to the appliance. */
export interface SimAgent {
  agentId: string;
  client: Client<typeof AgentService>;
  configVersion: bigint;
  nextSeq: number;
  close(): void;
}

const CALL_TIMEOUT_MS = 15_000;

function der(tag: number, ...parts: Uint8Array[]): Buffer {
  const content = Buffer.concat(parts);
  const n = content.length;
  const head = n < 0x80 ? [tag, n] : n < 0x100 ? [tag, 0x81, n] : [tag, 0x82, n >> 8, n & 0xff];
  return Buffer.concat([Buffer.from(head), content]);
}

/** A P-256 key and a PKCS#10 request signed with it, as an agent makes them before enrolling. */
function keyAndCsr(name: string): { keyPem: string; csrDer: Uint8Array } {
  const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const spki = createPublicKey(privateKey).export({ type: 'spki', format: 'der' });
  const cn = der(0x30, Buffer.from([0x06, 0x03, 0x55, 0x04, 0x03]), der(0x0c, Buffer.from(name, 'utf8')));
  const info = der(0x30, der(0x02, Buffer.from([0])), der(0x30, der(0x31, cn)), spki, der(0xa0));
  const ecdsaSha256 = Buffer.from([0x06, 0x08, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x04, 0x03, 0x02]);
  const signature = sign('sha256', info, privateKey);
  return {
    keyPem: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
    csrDer: der(0x30, info, der(0x30, ecdsaSha256), der(0x03, Buffer.from([0]), signature)),
  };
}

function connect(url: string, tlsOptions: { ca: string; cert?: string; key?: string }) {
  const manager = new Http2SessionManager(url, {}, tlsOptions);
  const transport = createGrpcTransport({ baseUrl: url, sessionManager: manager, defaultTimeoutMs: CALL_TIMEOUT_MS });
  return { client: createClient(AgentService, transport), close: () => manager.abort() };
}

/** Enrolls one agent with `token` (retrying while the appliance throttles enrollment) and opens its connection. */
export async function enrollSimAgent(url: string, caPem: string, token: string, index: number): Promise<SimAgent> {
  const { keyPem, csrDer } = keyAndCsr(`bench-agent-${index}`);
  const anonymous = connect(url, { ca: caPem });
  try {
    for (let attempt = 0; ; attempt++) {
      try {
        const enrolled = await anonymous.client.enroll({
          enrollmentToken: token,
          csrDer,
          host: { hostname: `bench-pc-${index}`, osFamily: OsFamily.LINUX, machineId: `bench-${index}` },
          agentVersion: '0.0.0-bench',
          protocolVersion: AGENT_PROTOCOL_VERSION,
        });
        const cert = new X509Certificate(enrolled.clientCertificateDer).toString();
        const own = connect(url, { ca: caPem, cert, key: keyPem });
        return { agentId: enrolled.agentId, client: own.client, configVersion: 0n, nextSeq: 1, close: own.close };
      } catch (error) {
        const isThrottled = error instanceof ConnectError && error.code === Code.ResourceExhausted;
        if (!isThrottled || attempt >= 20) throw error;
        await new Promise((r) => setTimeout(r, 250 * (attempt + 1)));
      }
    }
  } finally {
    anonymous.close();
  }
}

const header = (agentId: string) => ({
  agentId,
  agentVersion: '0.0.0-bench',
  protocolVersion: AGENT_PROTOCOL_VERSION,
  sentAt: { seconds: BigInt(Math.floor(Date.now() / 1000)), nanos: 0 },
});

/** One heartbeat; keeps the config version the appliance sends, as an agent does. */
export async function heartbeat(agent: SimAgent): Promise<void> {
  const response = await agent.client.heartbeat({ header: header(agent.agentId), configVersion: agent.configVersion });
  if (response.config) agent.configVersion = response.config.configVersion;
}

const CHECK_IDS = ['firewall', 'disk_encryption', 'screen_lock', 'updates', 'sshd'];

/** One results batch of `size` results with the agent's next seqs; returns how many the appliance stored. */
export async function reportResults(agent: SimAgent, size: number): Promise<number> {
  const now = Date.now();
  const results = Array.from({ length: size }, (_, i) => ({
    seq: BigInt(agent.nextSeq + i),
    checkId: CHECK_IDS[i % CHECK_IDS.length] ?? 'firewall',
    status: (agent.nextSeq + i) % 7 === 0 ? CheckStatus.FAIL : CheckStatus.PASS,
    detectedAt: { seconds: BigInt(Math.floor(now / 1000)), nanos: (now % 1000) * 1_000_000 },
    observed: { enabled: 'true' },
    expected: 'enabled',
    actual: 'enabled',
    runId: '0b6c3a52-8c55-4f0f-9d1d-3a4f1c2b5e60',
    trigger: ResultTrigger.SCHEDULED,
    durationMs: 12,
  }));
  const response = await agent.client.reportResults({ header: header(agent.agentId), results });
  agent.nextSeq += size;
  return response.storedCount;
}
