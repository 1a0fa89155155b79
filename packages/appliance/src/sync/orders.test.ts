import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { bytesToBase64Url, generateSigningKeyPair, type Order, signOrder } from '@osiris/protocol';
import { afterEach, describe, expect, it } from 'vitest';
import { createLogger } from '../log';
import { openStore, type Store } from '../store';
import { createOrderProcessor } from './orders';

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

async function setup() {
  const dir = mkdtempSync(join(tmpdir(), 'osiris-orders-'));
  dirs.push(dir);
  const store: Store = openStore(dir);
  const central = await generateSigningKeyPair();
  const applianceId = randomUUID();
  store.registration.save({
    applianceId,
    siteId: randomUUID(),
    token: 'token',
    orderSigningPublicKey: bytesToBase64Url(central.publicKey),
    centralUrl: 'http://127.0.0.1:9',
    registeredAt: new Date().toISOString(),
  });
  const applied: Order[] = [];
  const processor = createOrderProcessor({
    store,
    log: createLogger('silent'),
    apply: async (order) => {
      applied.push(order);
      return { ok: true, detail: 'done' };
    },
  });
  const order = (overrides: Partial<Order> = {}): Order =>
    ({
      schemaVersion: 1,
      id: randomUUID(),
      applianceId,
      type: 'run_checks_now',
      payload: {},
      issuedAt: new Date(Date.now() - 1000).toISOString(),
      expiresAt: new Date(Date.now() + 60_000).toISOString(),
      ...overrides,
    }) as Order;
  return { store, central, processor, applied, order, close: () => store.close() };
}

describe('order processing on the appliance', () => {
  it('applies a genuine order once; a redelivery or a replay is not applied again', async () => {
    const s = await setup();
    const signed = await signOrder(s.order(), s.central.privateKey);
    await s.processor.handle([signed]);
    await s.processor.handle([signed, signed]);
    expect(s.applied).toHaveLength(1);
    expect(s.store.orders.unreported()).toEqual([
      expect.objectContaining({ orderId: signed.order.id, outcome: 'applied', code: null }),
    ]);
    s.close();
  });

  it('refuses expired, foreign, mis-signed and malformed orders, records why, and applies none', async () => {
    const s = await setup();
    const stranger = await generateSigningKeyPair();
    const expired = await signOrder(
      s.order({
        issuedAt: new Date(Date.now() - 120_000).toISOString(),
        expiresAt: new Date(Date.now() - 60_000).toISOString(),
      }),
      s.central.privateKey,
    );
    const foreign = await signOrder(s.order({ applianceId: randomUUID() }), s.central.privateKey);
    const misSigned = await signOrder(s.order(), stranger.privateKey);
    const altered = await signOrder(s.order(), s.central.privateKey);
    const alteredCopy = { ...altered, order: { ...altered.order, payload: { checkIds: ['linux.kernel.aslr'] } } };
    const malformed = { order: { id: randomUUID(), type: 'format_disk' }, signature: 'AAAA' };
    await s.processor.handle([expired, foreign, misSigned, alteredCopy, malformed, 'garbage', null]);
    expect(s.applied).toEqual([]);
    const codes = new Map(s.store.orders.unreported().map((o) => [o.orderId, [o.outcome, o.code]]));
    expect(codes.get(expired.order.id)).toEqual(['refused', 'EXPIRED']);
    expect(codes.get(foreign.order.id)).toEqual(['refused', 'WRONG_APPLIANCE']);
    expect(codes.get(misSigned.order.id)).toEqual(['refused', 'BAD_SIGNATURE']);
    expect(codes.get(altered.order.id)).toEqual(['refused', 'BAD_SIGNATURE']);
    expect(codes.get(malformed.order.id)).toEqual(['refused', 'MALFORMED']);
    expect(codes.size).toBe(5);
    s.close();
  });

  it('records a failure to apply as failed, with the reason', async () => {
    const s = await setup();
    const processor = createOrderProcessor({
      store: s.store,
      log: createLogger('silent'),
      apply: async () => {
        throw new Error('disk full');
      },
    });
    const signed = await signOrder(s.order(), s.central.privateKey);
    await processor.handle([signed]);
    expect(s.store.orders.unreported()).toEqual([
      expect.objectContaining({ outcome: 'failed', code: 'APPLY_FAILED', detail: 'disk full' }),
    ]);
    s.close();
  });
});
