import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { AgentRosterReport } from '@osiris/protocol';
import { afterEach, describe, expect, it } from 'vitest';
import { enrollAgent, startTestAgentServer, type TestAgentServer } from '../agents/agent-server.testkit';
import { createLogger } from '../log';
import { createAgentRosterSync } from './agent-roster';

const APPLIANCE_ID = '0193a0c2-7d3e-7a41-9f00-0000000000aa';

interface Received {
  authorization: string | undefined;
  body: unknown;
}

/** Central's roster route at the network edge: records each POST and answers with `status`. */
async function startStubCentral(status: () => number) {
  const received: Received[] = [];
  const read = async (request: IncomingMessage) => {
    let text = '';
    for await (const chunk of request) text += chunk;
    return JSON.parse(text) as unknown;
  };
  const server: Server = createServer((request, response) => {
    void read(request).then((body) => {
      if (request.method !== 'POST' || request.url !== '/v1/appliance/agents') {
        response.writeHead(404).end();
        return;
      }
      received.push({ authorization: request.headers.authorization, body });
      const code = status();
      const reply = code === 200 ? { accepted: (body as { agents: unknown[] }).agents.length } : { error: {} };
      response.writeHead(code, { 'content-type': 'application/json' }).end(JSON.stringify(reply));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    received,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0)) await cleanup();
});

describe('agent roster sync', () => {
  it('posts the roster with the appliance token when it changed, and retries after a refusal', async () => {
    let status = 200;
    const central = await startStubCentral(() => status);
    cleanups.push(central.close);
    const server: TestAgentServer = await startTestAgentServer();
    cleanups.push(server.close);
    server.store.registration.save({
      applianceId: APPLIANCE_ID,
      siteId: '3f1e2d4c-5b6a-4789-8abc-def012345678',
      token: 'appliance-token-abc',
      orderSigningPublicKey: 'x'.repeat(43),
      centralUrl: central.url,
      registeredAt: new Date().toISOString(),
    });
    const sync = createAgentRosterSync({ store: server.store, log: createLogger('silent') });

    expect(await sync.flush()).toBe(0);
    expect(await sync.flush()).toBeNull();
    const { token } = server.tokens.create({ maxUses: 2, ttlMs: 3_600_000 });
    const agent = await enrollAgent(server, token, { hostname: 'lab-mac', osFamily: 2, machineId: 'mm-1' });
    status = 503;
    await expect(sync.flush()).rejects.toThrow();
    status = 200;
    expect(await sync.flush()).toBe(1);
    expect(await sync.flush()).toBeNull();

    expect(central.received).toHaveLength(3);
    expect(central.received.every((r) => r.authorization === 'Bearer appliance-token-abc')).toBe(true);
    const last = AgentRosterReport.parse(central.received[2]?.body);
    expect(last.agents).toEqual([
      expect.objectContaining({
        agentId: agent.agentId,
        hostname: 'lab-mac',
        os: 'macos',
        status: 'active',
        lastSeenAt: null,
        droppedResultsTotal: 0,
      }),
    ]);

    server.agents.revokeAgent(agent.agentId, new Date());
    expect(await sync.flush()).toBe(1);
    expect(AgentRosterReport.parse(central.received[3]?.body).agents[0]?.status).toBe('revoked');
  });
});
