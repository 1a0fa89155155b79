import { beforeAll, describe, expect, it } from 'vitest';
import { canonicalJson } from './canonical-json';
import { type Ed25519KeyPair, generateSigningKeyPair, importVerifyKey } from './crypto';
import { Order, type OrderVerifyContext, type SignedOrder, signOrder, verifyOrder } from './orders';

const APPLIANCE_ID = '0190a5b2-7c3d-7e4f-8a1b-2c3d4e5f6a7b';
const OTHER_APPLIANCE_ID = '0190a5b2-7c3d-7e4f-8a1b-2c3d4e5f6a7d';
const ORDER_ID = '0190a5b3-0000-7000-8000-000000000001';
const HOST_ID = '0190a5b2-7c3d-7e4f-8a1b-2c3d4e5f6a7c';
const NOW = new Date('2025-03-01T10:30:00.000Z');

const base = {
  schemaVersion: 1 as const,
  id: ORDER_ID,
  applianceId: APPLIANCE_ID,
  issuedAt: '2025-03-01T10:00:00.000Z',
  expiresAt: '2025-03-01T11:00:00.000Z',
};

const ORDERS: Order[] = [
  {
    ...base,
    type: 'set_schedule',
    payload: {
      defaultIntervalSeconds: 300,
      checks: [{ checkId: 'linux.ssh.permit-root-login', intervalSeconds: 600, isEnabled: true }],
    },
  },
  {
    ...base,
    type: 'set_targets',
    payload: {
      targets: [
        { kind: 'local', hostId: HOST_ID, hostname: 'appliance' },
        {
          kind: 'ssh',
          hostId: '0190a5b2-7c3d-7e4f-8a1b-2c3d4e5f6a7e',
          hostname: 'db-01',
          address: '10.0.0.12',
          port: 22,
          username: 'osiris',
        },
      ],
    },
  },
  { ...base, type: 'rotate_token', payload: { reason: 'scheduled rotation' } },
  { ...base, type: 'run_checks_now', payload: { hostIds: [HOST_ID] } },
];

let central: Ed25519KeyPair;
let impostor: Ed25519KeyPair;
beforeAll(async () => {
  [central, impostor] = await Promise.all([generateSigningKeyPair(), generateSigningKeyPair()]);
});

const context = (overrides: Partial<OrderVerifyContext> = {}): OrderVerifyContext => ({
  applianceId: APPLIANCE_ID,
  now: NOW,
  alreadyApplied: () => false,
  ...overrides,
});
const wire = <T>(value: T): T => JSON.parse(JSON.stringify(value)) as T;

describe('Order schema', () => {
  it('accepts every order type with its own payload, unchanged', () => {
    for (const order of ORDERS) expect(Order.parse(order)).toEqual(order);
  });

  it('rejects a payload that belongs to another type', () => {
    const wrong = { ...base, type: 'rotate_token', payload: { hostIds: [HOST_ID] } };
    expect(Order.safeParse(wrong).success).toBe(false);
    expect(Order.safeParse({ ...base, type: 'reboot', payload: {} }).success).toBe(false);
  });

  it('rejects unknown fields, bad targets and out-of-range intervals', () => {
    expect(Order.safeParse({ ...ORDERS[2], extra: 1 }).success).toBe(false);
    const schedule = { ...base, type: 'set_schedule', payload: { defaultIntervalSeconds: 5, checks: [] } };
    expect(Order.safeParse(schedule).success).toBe(false);
    const target = { kind: 'ssh', hostId: HOST_ID, hostname: 'h', address: 'h', port: 70_000, username: 'root' };
    expect(Order.safeParse({ ...base, type: 'set_targets', payload: { targets: [target] } }).success).toBe(false);
    const local = { kind: 'local', hostId: HOST_ID, hostname: 'h', address: '10.0.0.1' };
    expect(Order.safeParse({ ...base, type: 'set_targets', payload: { targets: [local] } }).success).toBe(false);
  });

  it('rejects an order that expires before it is issued or lives longer than 7 days', () => {
    const order = ORDERS[3] as Order;
    expect(Order.safeParse({ ...order, expiresAt: order.issuedAt }).success).toBe(false);
    expect(Order.safeParse({ ...order, expiresAt: '2025-03-09T10:00:00.000Z' }).success).toBe(false);
  });
});

describe('verifyOrder', () => {
  it('accepts every order type signed by central for this appliance', async () => {
    for (const order of ORDERS) {
      const signed = wire(await signOrder(order, central.privateKey));
      expect(await verifyOrder(signed, central.publicKey, context())).toEqual({ ok: true, order });
    }
  });

  it('accepts with a pre-imported central key and an async replay store', async () => {
    const key = await importVerifyKey(central.publicKey);
    if (!key) throw new Error('key did not import');
    const signed = await signOrder(ORDERS[0] as Order, central.privateKey);
    const result = await verifyOrder(signed, key, context({ alreadyApplied: async () => false }));
    expect(result.ok).toBe(true);
  });

  it('refuses an order signed by another key', async () => {
    const signed = await signOrder(ORDERS[0] as Order, impostor.privateKey);
    expect(await verifyOrder(signed, central.publicKey, context())).toEqual({
      ok: false,
      code: 'BAD_SIGNATURE',
      message: expect.stringContaining(ORDER_ID),
      orderId: ORDER_ID,
    });
  });

  it('refuses an order whose content was changed after signing', async () => {
    const signed = wire(await signOrder(ORDERS[3] as Order, central.privateKey)) as SignedOrder;
    const tampered = { ...signed, order: { ...signed.order, expiresAt: '2025-03-05T10:00:00.000Z' } };
    expect(await verifyOrder(tampered, central.publicKey, context())).toMatchObject({ code: 'BAD_SIGNATURE' });
    const retargeted = { ...signed, order: { ...signed.order, applianceId: OTHER_APPLIANCE_ID } };
    expect(await verifyOrder(retargeted, central.publicKey, context())).toMatchObject({ code: 'BAD_SIGNATURE' });
  });

  it('refuses an order addressed to another appliance', async () => {
    const signed = await signOrder({ ...(ORDERS[1] as Order), applianceId: OTHER_APPLIANCE_ID }, central.privateKey);
    expect(await verifyOrder(signed, central.publicKey, context())).toMatchObject({
      ok: false,
      code: 'WRONG_APPLIANCE',
      orderId: ORDER_ID,
    });
  });

  it('refuses an expired order, including at the exact expiry instant', async () => {
    const signed = await signOrder(ORDERS[2] as Order, central.privateKey);
    for (const now of [new Date('2025-03-01T11:00:00.000Z'), new Date('2025-03-02T00:00:00.000Z')]) {
      expect(await verifyOrder(signed, central.publicKey, context({ now }))).toMatchObject({ code: 'EXPIRED' });
    }
  });

  it('refuses an order it has already applied', async () => {
    const signed = await signOrder(ORDERS[3] as Order, central.privateKey);
    const applied = new Set<string>();
    const ctx = context({ alreadyApplied: (id) => applied.has(id) });
    const first = await verifyOrder(signed, central.publicKey, ctx);
    expect(first.ok).toBe(true);
    applied.add(ORDER_ID);
    expect(await verifyOrder(signed, central.publicKey, ctx)).toMatchObject({ code: 'REPLAYED', orderId: ORDER_ID });
  });

  it('refuses unsigned and malformed orders, keeping the id when it can be read', async () => {
    const signed = await signOrder(ORDERS[0] as Order, central.privateKey);
    expect(await verifyOrder({ order: signed.order }, central.publicKey, context())).toMatchObject({
      code: 'MALFORMED',
      orderId: ORDER_ID,
    });
    for (const input of [null, 42, 'order', { order: null, signature: signed.signature }]) {
      expect(await verifyOrder(input, central.publicKey, context())).toMatchObject({
        ok: false,
        code: 'MALFORMED',
        orderId: null,
      });
    }
    const badSig = { ...signed, signature: 'A'.repeat(86) };
    expect(await verifyOrder(badSig, central.publicKey, context())).toMatchObject({ code: 'BAD_SIGNATURE' });
  });

  it('answers a malformed central key with BAD_SIGNATURE', async () => {
    const signed = await signOrder(ORDERS[0] as Order, central.privateKey);
    expect(await verifyOrder(signed, new Uint8Array(31), context())).toMatchObject({ code: 'BAD_SIGNATURE' });
  });

  it('checks the signature before consulting the replay store', async () => {
    const signed = await signOrder(ORDERS[0] as Order, impostor.privateKey);
    let consulted = 0;
    const ctx = context({ alreadyApplied: () => ++consulted > 0 });
    expect(await verifyOrder(signed, central.publicKey, ctx)).toMatchObject({ code: 'BAD_SIGNATURE' });
    expect(consulted).toBe(0);
  });

  it('signs exactly the canonical JSON of the order', async () => {
    const order = ORDERS[2] as Order;
    const reordered = Object.fromEntries(Object.entries(order).reverse()) as Order;
    const signed = await signOrder(reordered, central.privateKey);
    expect(canonicalJson(signed.order)).toBe(canonicalJson(order));
    expect((await signOrder(order, central.privateKey)).signature).toBe(signed.signature);
  });

  it('refuses to sign an invalid order', async () => {
    await expect(signOrder({ ...(ORDERS[0] as Order), id: 'nope' }, central.privateKey)).rejects.toThrow();
  });
});
