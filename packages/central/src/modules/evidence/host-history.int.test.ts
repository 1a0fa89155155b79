import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Caller, createChainWriter, startTestApp, type TestApp, testBackends } from '../../testing';
import { createTenant, expectError } from '../../testing/api';
import { registerTestAppliance } from '../../testing/appliance';

describe.each(testBackends)('host results and history on %s', (backend) => {
  let t: TestApp;
  let admin: Caller;

  beforeAll(async () => {
    t = await startTestApp(backend);
    admin = await t.loginAs('admin');
  });
  afterAll(() => t.close());

  const get = (url: string) => admin.request({ method: 'GET', url });

  it("lists a host's latest results and its history, newest first, in pages, from its own site's appliances only", async () => {
    const { site } = await createTenant(admin);
    const host = (
      await admin.request({
        method: 'POST',
        url: '/v1/hosts',
        payload: { siteId: site.id, hostname: 'web01', platform: 'linux' },
      })
    ).json() as { id: string };
    const appliance = await registerTestAppliance(t, admin, site.id);
    const chain = createChainWriter(appliance.applianceId, appliance.pkcs8, {
      hostId: host.id,
      hostname: 'web01',
      statusOf: (seq) => (seq > 6 ? 'fail' : 'pass'),
    });
    const bundles = await chain(8);
    expect((await appliance.upload(bundles)).statusCode).toBe(200);

    // An appliance of another site claiming the same host id must not show up.
    const other = await createTenant(admin);
    const stranger = await registerTestAppliance(t, admin, other.site.id);
    const foreign = await createChainWriter(stranger.applianceId, stranger.pkcs8, { hostId: host.id })(2);
    expect((await stranger.upload(foreign)).statusCode).toBe(200);

    const latest = (await get(`/v1/hosts/${host.id}/results`)).json() as { items: { seq: number; status: string }[] };
    expect(latest.items.map((r) => [r.seq, r.status]).sort()).toEqual([
      [7, 'fail'],
      [8, 'fail'],
    ]);

    const first = (await get(`/v1/hosts/${host.id}/history?limit=3`)).json() as {
      items: { seq: number; applianceId: string; hash: string }[];
      nextCursor: string | null;
    };
    expect(first.items.map((i) => i.seq)).toEqual([8, 7, 6]);
    expect(first.items.every((i) => i.applianceId === appliance.applianceId)).toBe(true);
    expect(first.items[0]?.hash).toBe(bundles[7]?.hash);
    const seqs = [...first.items.map((i) => i.seq)];
    let cursor = first.nextCursor;
    while (cursor) {
      const page = (await get(`/v1/hosts/${host.id}/history?limit=3&cursor=${cursor}`)).json() as typeof first;
      seqs.push(...page.items.map((i) => i.seq));
      cursor = page.nextCursor;
    }
    expect(seqs).toEqual([8, 7, 6, 5, 4, 3, 2, 1]);

    const oneCheck = (await get(`/v1/hosts/${host.id}/history?checkId=linux.ssh.permit-root-login`)).json() as {
      items: { checkId: string; seq: number }[];
    };
    expect(oneCheck.items.map((i) => i.seq)).toEqual([7, 5, 3, 1]);
    expect(new Set(oneCheck.items.map((i) => i.checkId))).toEqual(new Set(['linux.ssh.permit-root-login']));
  });

  it('answers 404 for an unknown host and 400 for a bad query', async () => {
    expectError(await get(`/v1/hosts/${randomUUID()}/history`), 404, 'NOT_FOUND');
    expectError(await get(`/v1/hosts/${randomUUID()}/results`), 404, 'NOT_FOUND');
    const { site } = await createTenant(admin);
    const host = (
      await admin.request({
        method: 'POST',
        url: '/v1/hosts',
        payload: { siteId: site.id, hostname: 'h', platform: 'linux' },
      })
    ).json() as { id: string };
    expectError(await get(`/v1/hosts/${host.id}/history?cursor=bm90LWpzb24`), 400, 'VALIDATION_FAILED');
    expectError(await get(`/v1/hosts/${host.id}/history?checkId=NOT%20A%20CHECK`), 400, 'VALIDATION_FAILED');
    expectError(await get(`/v1/hosts/${host.id}/history?limit=501`), 400, 'VALIDATION_FAILED');
  });
});
