import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type CentralServer, startCentralServer } from '@osiris/central/testing';
import type { ApplianceEscalationRequest, Escalation } from '@osiris/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseConfig } from '../config';
import { loadOrCreateIdentityKey } from '../identity/identity-key';
import { createLogger } from '../log';
import { openStore, type Store } from '../store';
import { createEscalationSender } from './escalations';
import { register } from './register';

/** The L3 urgent queue against a real central: queued first, kept through an outage, delivered once. */
describe('escalation queue', () => {
  let central: CentralServer;
  let store: Store;
  let dir: string;
  const link = { down: false };
  const linkFetch: typeof fetch = async (input, init) => {
    if (link.down) throw new TypeError('fetch failed', { cause: { code: 'ECONNREFUSED' } });
    return fetch(input, init);
  };
  const request = (): ApplianceEscalationRequest => ({
    schemaVersion: 1,
    id: randomUUID(),
    hostId: randomUUID(),
    hostname: 'db01',
    checkId: 'linux.firewall.default-deny-input',
    priority: 'P1',
    summary: 'The firewall accepts everything and the fix could cut off SSH; a person must decide.',
    detected: { reason: 'input policy accept', observed: { policy: 'accept' } },
    attempts: [],
    evidenceSeqs: [7],
    createdAt: new Date().toISOString(),
  });

  beforeAll(async () => {
    central = await startCentralServer('pglite');
    const { siteId } = await central.createSite('escalation-site');
    dir = mkdtempSync(join(tmpdir(), 'osiris-escalations-'));
    const config = parseConfig(
      `centralUrl: ${central.url}\ndataDir: ${join(dir, 'data')}\nprovisionCode: ${await central.provisionCode(siteId)}\n`,
      {},
    );
    store = openStore(config.dataDir);
    await register(config, store, await loadOrCreateIdentityKey(config.dataDir));
  });
  afterAll(async () => {
    store?.close();
    await central?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('keeps escalations through an outage with growing, bounded waits, then delivers each once', async () => {
    const waits: number[] = [];
    const sender = createEscalationSender({
      store,
      log: createLogger('silent'),
      fetchImpl: linkFetch,
      random: () => 1,
    });
    const first = request();
    const second = request();
    sender.escalate(first);
    sender.escalate(second);
    sender.escalate(first); // queued twice by mistake: still one
    expect(store.escalationQueue.depth()).toBe(2);

    link.down = true;
    for (let i = 0; i < 9; i++) waits.push(await sender.flush());
    expect(waits).toEqual([1000, 2000, 4000, 8000, 16000, 32000, 64000, 64000, 64000]);
    expect(store.escalationQueue.depth()).toBe(2);
    expect(store.escalationQueue.pending()[0]).toMatchObject({
      attempts: 9,
      lastError: expect.stringMatching(/ECONNREFUSED/),
    });

    link.down = false;
    expect(await sender.flush()).toBe(0);
    expect(store.escalationQueue.depth()).toBe(0);
    const listed = await central.call<{ items: Escalation[] }>('GET', '/v1/escalations?priority=P1');
    expect(listed.items.map((e) => e.id).sort()).toEqual([first.id, second.id].sort());

    // A resend (the appliance crashed before it removed the row) is answered with the stored one.
    sender.escalate(first);
    expect(await sender.flush()).toBe(0);
    expect((await central.call<{ items: Escalation[] }>('GET', '/v1/escalations?priority=P1')).items).toHaveLength(2);
  });
});
