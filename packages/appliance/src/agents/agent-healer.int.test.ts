import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AGENT_PROTOCOL_VERSION, CheckStatus, HealStatus, OsFamily } from '@osiris/protocol/agent-proto';
import { afterEach, describe, expect, it } from 'vitest';
import { parseConfig } from '../config';
import { createEvidenceWriter } from '../evidence/evidence-writer';
import { createExceptionSet } from '../healing/exceptions';
import { createIncidentsService } from '../healing/incidents';
import { loadOrCreateIdentityKey } from '../identity/identity-key';
import { createLogger } from '../log';
import { openStore, type Store } from '../store';
import { agentClient, agentHeader, derToPem, makeCsr } from './agent-server.testkit';
import { createEnrollmentTokens } from './enrollment-tokens';
import { loadOrCreateSiteCa } from './site-ca';
import { startAgentEndpoint } from './start-agents';

/**
 * L1 for workstation agents through the daemon's real endpoint wiring (startAgentEndpoint): a Linux
 * agent reports over gRPC, the evidence pump records the result on an incident, and the heal
 * command reaches the agent in its next heartbeat, within the site's tier, exceptions and budget.
 */
const SITE_ID = '6a3c1f0e-2b4d-4e5f-8a9b-0c1d2e3f4a5b';
const BASE_SECONDS = 1_800_000_000n;
const HOUR_MS = 3_600_000;

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function start(tier: 'monitor_only' | 'self_heal' | 'full_remediation') {
  const dataDir = mkdtempSync(join(tmpdir(), 'osiris-agent-healer-'));
  const store: Store = openStore(dataDir);
  cleanups.push(async () => {
    store.close();
    rmSync(dataDir, { recursive: true, force: true });
  });
  const key = await loadOrCreateIdentityKey(dataDir);
  const writer = createEvidenceWriter({ store, key, applianceId: randomUUID(), clockOffsetMs: () => 0 });
  const incidents = createIncidentsService({ store });
  const exceptions = createExceptionSet({ store, now: () => new Date() });
  const config = parseConfig(
    `centralUrl: http://127.0.0.1:9\ndataDir: ${dataDir}\nagents:\n  enabled: true\n  host: 127.0.0.1\n  port: 0\n  tier: ${tier}\n`,
    {},
  );
  const endpoint = await startAgentEndpoint({
    config,
    store,
    siteId: SITE_ID,
    log: createLogger('silent'),
    evidence: { writer, incidents, judge: exceptions.judge },
  });
  if (!endpoint?.pump) throw new Error('agent endpoint not started');
  cleanups.push(() => endpoint.close());
  const pump = endpoint.pump;
  const url = `https://127.0.0.1:${endpoint.port}`;
  const ca = await loadOrCreateSiteCa(dataDir, { siteId: SITE_ID });

  const { token } = createEnrollmentTokens({ agents: endpoint.agents }).create({ maxUses: 1, ttlMs: HOUR_MS });
  const { csrDer, keyPem } = await makeCsr();
  const anonymous = agentClient(url, { caPem: ca.caPem });
  const enrolled = await anonymous.client
    .enroll({
      enrollmentToken: token,
      csrDer,
      host: { hostname: 'reception-linux', osFamily: OsFamily.LINUX, machineId: 'm-heal-1' },
      agentVersion: '1.0.0',
      protocolVersion: AGENT_PROTOCOL_VERSION,
    })
    .finally(() => anonymous.close());
  const agent = agentClient(url, { caPem: ca.caPem, certPem: derToPem(enrolled.clientCertificateDer), keyPem });
  cleanups.push(async () => agent.close());
  const agentId = enrolled.agentId;
  const header = agentHeader(agentId);
  let seq = 0;

  return {
    agentId,
    store,
    incidents,
    exceptions,
    /** Reports one firewall result and waits until the pump has written it (and decided on healing). */
    async report(status: CheckStatus) {
      seq++;
      await agent.client.reportResults({
        header,
        results: [
          {
            seq: BigInt(seq),
            checkId: 'firewall',
            status,
            detectedAt: { seconds: BASE_SECONDS + BigInt(seq * 60), nanos: 0 },
            expected: 'An active host firewall drops unsolicited inbound traffic',
            actual: status === CheckStatus.PASS ? 'nftables input policy drop' : 'no firewall active',
          },
        ],
      });
      await pump.flush();
    },
    /** The heal commands the next heartbeat delivers. */
    async heartbeat() {
      const beat = await agent.client.heartbeat({ header, configVersion: 0n });
      return beat.healCommands;
    },
    async answer(commandId: string, status: HealStatus) {
      await agent.client.reportHealResult({
        header,
        result: {
          commandId,
          runbookId: 'LIN-FW-001',
          checkId: 'firewall',
          status,
          startedAt: { seconds: BASE_SECONDS + BigInt(seq * 60 + 10), nanos: 0 },
          finishedAt: { seconds: BASE_SECONDS + BigInt(seq * 60 + 12), nanos: 0 },
          output: 'nft: could not process rule',
        },
      });
      await pump.flush();
    },
    bundles: () => store.evidence.pending(1000).map((b) => b.bundle),
  };
}

describe('agent L1 healing', () => {
  it('delivers the firewall runbook in the next heartbeat at self_heal, for the incident, once', async () => {
    const site = await start('self_heal');
    await site.report(CheckStatus.FAIL);
    const [incident] = site.incidents.listOpen();
    expect(incident).toMatchObject({ hostId: site.agentId, checkId: 'linux.workstation.firewall' });

    const commands = await site.heartbeat();
    expect(commands).toEqual([
      expect.objectContaining({ runbookId: 'LIN-FW-001', checkId: 'firewall', incidentId: incident?.incidentId }),
    ]);
    // A second failure while the command waits does not queue another.
    await site.report(CheckStatus.FAIL);
    expect(await site.heartbeat()).toHaveLength(1);
    expect(site.bundles().map((b) => b.controls.length > 0)).toEqual([true, true]);

    // The answer is recorded as an L1 attempt on the incident.
    await site.answer(commands[0]?.commandId ?? '', HealStatus.SUCCEEDED);
    expect(site.incidents.attempts(incident?.incidentId ?? '')).toEqual([
      expect.objectContaining({ tier: 'L1', runbookId: 'LIN-FW-001', outcome: 'success' }),
    ]);
    expect(await site.heartbeat()).toEqual([]);
  });

  it('queues nothing at monitor_only', async () => {
    const site = await start('monitor_only');
    await site.report(CheckStatus.FAIL);
    expect(site.incidents.listOpen()).toHaveLength(1);
    expect(await site.heartbeat()).toEqual([]);
  });

  it('neither opens an incident nor heals an excepted result, and evidence keeps the verdict', async () => {
    const site = await start('self_heal');
    const at = Date.now();
    site.exceptions.replace({
      asOf: new Date(at).toISOString(),
      exceptions: [
        {
          id: randomUUID(),
          checkId: 'linux.workstation.firewall',
          hostId: site.agentId,
          startsAt: new Date(at - HOUR_MS).toISOString(),
          expiresAt: new Date(at + HOUR_MS).toISOString(),
        },
      ],
    });
    await site.report(CheckStatus.FAIL);
    expect(site.bundles()).toEqual([
      expect.objectContaining({
        checkId: 'linux.workstation.firewall',
        status: 'excepted',
        observed: expect.objectContaining({ exception: expect.objectContaining({ verdict: 'fail' }) }),
      }),
    ]);
    expect(site.incidents.listOpen()).toEqual([]);
    expect(await site.heartbeat()).toEqual([]);
  });

  it('closes the incident on a passing result and queues nothing more for it', async () => {
    const site = await start('self_heal');
    await site.report(CheckStatus.FAIL);
    const [incident] = site.incidents.listOpen();
    await site.report(CheckStatus.PASS);
    await site.report(CheckStatus.PASS);
    expect(site.incidents.listOpen()).toEqual([]);
    expect(site.incidents.get(incident?.incidentId ?? '')?.status).toBe('closed');
    expect(site.bundles().map((b) => b.status)).toEqual(['fail', 'pass', 'pass']);
    // Only the command queued for the failure (still unanswered) rides on the heartbeat.
    expect(await site.heartbeat()).toEqual([expect.objectContaining({ incidentId: incident?.incidentId })]);
  });

  it('stops after three attempts on one incident: a fourth command is not queued', async () => {
    const site = await start('self_heal');
    const issued: string[] = [];
    for (let attempt = 1; attempt <= 4; attempt++) {
      await site.report(CheckStatus.FAIL);
      const commands = await site.heartbeat();
      if (attempt <= 3) {
        expect(commands, `attempt ${attempt}`).toHaveLength(1);
        const commandId = commands[0]?.commandId ?? '';
        issued.push(commandId);
        await site.answer(commandId, HealStatus.FAILED);
      } else expect(commands, 'attempt 4').toEqual([]);
    }
    const [incident] = site.incidents.listOpen();
    expect(new Set(issued).size).toBe(3);
    expect(site.incidents.attempts(incident?.incidentId ?? '').map((a) => [a.attemptId, a.outcome])).toEqual(
      issued.map((commandId) => [commandId, 'failure']),
    );
  });
});
