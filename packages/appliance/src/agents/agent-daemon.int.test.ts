import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type CentralServer, startCentralServer, waitUntil } from '@osiris/central/testing';
import type { WorkstationList } from '@osiris/protocol';
import { CapabilityTier, CheckStatus } from '@osiris/protocol/agent-proto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseConfig } from '../config';
import { type RunningAppliance, startAppliance } from '../daemon/appliance';
import { createLogger } from '../log';
import { openStore } from '../store';
import { agentClient, agentHeader, derToPem, makeCsr } from './agent-server.testkit';
import { createAgentsStore } from './agents.store';
import { createEnrollmentTokens } from './enrollment-tokens';
import { loadOrCreateSiteCa } from './site-ca';

/**
 * Issue 9 end to end: the daemon with its agent endpoint against a real central (PGlite). An agent
 * enrolls and reports; central gets the roster (the workstation becomes a host) and the results
 * as signed evidence with the agent's detection times; central's tier reaches the agent by order.
 */
describe('workstation agents through the daemon to a real central', () => {
  let central: CentralServer;
  let siteId: string;
  let dir: string;
  let appliance: RunningAppliance;

  beforeAll(async () => {
    central = await startCentralServer('pglite');
    siteId = (await central.createSite('agents-site')).siteId;
    dir = mkdtempSync(join(tmpdir(), 'osiris-agents-daemon-'));
    const yaml = [
      `centralUrl: ${central.url}`,
      `dataDir: ${join(dir, 'data')}`,
      'hostname: agents-appliance',
      `provisionCode: ${await central.provisionCode(siteId)}`,
      'checkinIntervalSeconds: 1',
      'targets: []',
      'sync:\n  backoffInitialSeconds: 0.05\n  backoffMaxSeconds: 0.5\n  coalesceMs: 50',
      'statusPage:\n  enabled: false',
      'agents:\n  enabled: true\n  host: 127.0.0.1\n  port: 0\n  checks: [{ checkId: screen_lock }]',
    ].join('\n');
    appliance = await startAppliance({ config: parseConfig(yaml, {}), checks: [], log: createLogger('silent') });
  });
  afterAll(async () => {
    await appliance?.stop();
    await central?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('delivers roster, evidence and tier between agent and central', async () => {
    const dataDir = join(dir, 'data');
    // What `osiris-appliance agents token create` does, on its own connection to the daemon's database.
    const cli = openStore(dataDir);
    const { token } = createEnrollmentTokens({ agents: createAgentsStore(cli.db) }).create({
      maxUses: 1,
      ttlMs: 3_600_000,
    });
    cli.close();
    const ca = await loadOrCreateSiteCa(dataDir, { siteId });
    const url = `https://127.0.0.1:${appliance.agentPort}`;
    const { csrDer, keyPem } = await makeCsr();
    const anonymous = agentClient(url, { caPem: ca.caPem });
    const enrolled = await anonymous.client.enroll({
      enrollmentToken: token,
      csrDer,
      host: { hostname: 'reception-01', osFamily: 1, machineId: 'm-r1', osVersion: '10.0.22631' },
      agentVersion: '1.0.0',
      protocolVersion: 1,
    });
    anonymous.close();
    expect(enrolled.config?.tier).toBe(CapabilityTier.MONITOR_ONLY);
    const { agentId } = enrolled;
    const { client, close } = agentClient(url, {
      caPem: ca.caPem,
      certPem: derToPem(enrolled.clientCertificateDer),
      keyPem,
    });
    try {
      // Enrollment wakes the roster sync: central lists the workstation without waiting a minute.
      const listed = await waitUntil('the workstation at central', async () => {
        const list = await central.call<WorkstationList>('GET', `/v1/sites/${siteId}/workstations`);
        return list.items.find((w) => w.hostId === agentId) ?? false;
      });
      expect(listed).toMatchObject({ hostname: 'reception-01', os: 'windows', osVersion: '10.0.22631' });

      const detected = { seconds: 1_800_000_000n, nanos: 250_000_000 };
      await client.reportResults({
        header: agentHeader(agentId),
        results: [
          { seq: 1n, checkId: 'screen_lock', status: CheckStatus.FAIL, detectedAt: detected, actual: 'never' },
          { seq: 2n, checkId: 'firewall', status: CheckStatus.UNSUPPORTED, detectedAt: detected },
        ],
      });
      const evidence = await waitUntil('the agent result at central', async () => {
        const items = await central.evidence(appliance.applianceId);
        return items.find((e) => e.signed.bundle.hostId === agentId) ?? false;
      });
      expect(evidence.signed.bundle).toMatchObject({
        hostname: 'reception-01',
        checkId: 'windows.workstation.screen-lock',
        status: 'fail',
        startedAt: '2027-01-15T08:00:00.250Z',
        finishedAt: '2027-01-15T08:00:00.250Z',
      });
      expect((await central.verifyChain(appliance.applianceId)).ok).toBe(true);
      const fromAgent = (await central.evidence(appliance.applianceId)).filter(
        (e) => e.signed.bundle.hostId === agentId,
      );
      expect(fromAgent).toHaveLength(1);

      // The partner sets the site's tier: a signed order, applied at the next check-in.
      const put = await central.admin.request({
        method: 'PUT',
        url: `/v1/sites/${siteId}/agent-tier`,
        payload: { tier: 'self_heal' },
      });
      expect(put.statusCode, put.body).toBe(200);
      const config = await waitUntil('the new tier in a heartbeat', async () => {
        const beat = await client.heartbeat({
          header: agentHeader(agentId),
          configVersion: enrolled.config?.configVersion,
        });
        return beat.config ?? false;
      });
      expect(config.tier).toBe(CapabilityTier.SELF_HEAL);
      const order = await waitUntil('the order reported as applied', async () => {
        const orders = await central.orders(appliance.applianceId);
        return orders.find((o) => o.type === 'set_agent_tier' && o.state === 'succeeded') ?? false;
      });
      expect(order.signed.order.payload).toMatchObject({ tier: 'self_heal' });
    } finally {
      close();
    }
  });
});
