import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import type { Release } from '@osiris/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Caller, signInAs, startTestApp, type TestApp, testBackends } from '../../testing';
import { auditWhere, createTenant, expectError, type Tenant } from '../../testing/api';
import { registerTestAppliance } from '../../testing/appliance';
import { ARTIFACT_CHUNK_BYTES } from './releases.service';
import { availableRelease, newReleaseKey, type ReleaseKey, signedRelease, uploadArtifact } from './fleet.testkit';

describe.each(testBackends)('releases on %s', (backend) => {
  let t: TestApp;
  let admin: Caller;
  let key: ReleaseKey;
  let tenant: Tenant;
  let appliance: Awaited<ReturnType<typeof registerTestAppliance>>;

  beforeAll(async () => {
    key = await newReleaseKey();
    // A second trusted key whose id never matches makes sure the right key is picked.
    const other = await newReleaseKey();
    t = await startTestApp(backend, { RELEASE_PUBLIC_KEYS: [other.publicB64, key.publicB64] });
    admin = await t.loginAs('admin');
    tenant = await createTenant(admin);
    appliance = await registerTestAppliance(t, admin, tenant.site.id);
  });
  afterAll(() => t.close());

  const register = (payload: unknown, caller = admin) =>
    caller.request({ method: 'POST', url: '/v1/releases', payload });
  const chunkCount = async (version: string) =>
    (
      await t.database.db
        .selectFrom('release_artifact_chunks')
        .innerJoin('releases', 'releases.id', 'release_artifact_chunks.release_id')
        .select((eb) => eb.fn.countAll<string>().as('n'))
        .where('releases.version', '=', version)
        .executeTakeFirstOrThrow()
    ).n;
  const download = (version: string, headers: Record<string, string> = {}) =>
    t.anonymous.request({
      method: 'GET',
      url: `/v1/appliance/releases/${version}/artifact`,
      headers: { authorization: `Bearer ${appliance.token}`, ...headers },
    });

  it('registers a release signed by a trusted key, and refuses the same version twice', async () => {
    const { signed } = await signedRelease(key, '1.0.0');
    const res = await register({ signed, channel: 'stable' });
    expect(res.statusCode, res.body).toBe(201);
    const release = res.json() as Release;
    expect(release).toMatchObject({
      version: '1.0.0',
      state: 'awaiting_artifact',
      channel: 'stable',
      latest: false,
      sha256: signed.manifest.sha256,
      keyId: signed.keyId,
      createdBy: admin.userId,
    });
    expect(release.signed).toEqual(signed);
    expect((await admin.request({ method: 'GET', url: '/v1/releases/1.0.0' })).json()).toEqual(release);
    expect(await auditWhere(admin, `action=release.registered&targetId=${release.id}`)).toHaveLength(1);
    expectError(await register({ signed, channel: 'beta' }), 409, 'CONFLICT');
  });

  it('refuses a manifest signed by an unknown key or whose signature does not verify', async () => {
    const stranger = await newReleaseKey();
    const unknown = expectError(
      await register({ signed: (await signedRelease(stranger, '9.0.0')).signed, channel: 'stable' }),
      400,
      'VALIDATION_FAILED',
    );
    expect(unknown.details?.issues?.[0]).toMatchObject({ path: ['signed', 'keyId'], code: 'UNKNOWN_KEY' });
    const { signed } = await signedRelease(key, '9.0.1');
    const tampered = { ...signed, manifest: { ...signed.manifest, notes: 'something else' } };
    const bad = expectError(await register({ signed: tampered, channel: 'stable' }), 400, 'VALIDATION_FAILED');
    expect(bad.details?.issues?.[0]).toMatchObject({ path: ['signed', 'signature'], code: 'BAD_SIGNATURE' });
    expectError(await admin.request({ method: 'GET', url: '/v1/releases/9.0.1' }), 404, 'NOT_FOUND');
    const denied = await auditWhere(admin, 'action=release.registered&outcome=denied');
    expect(denied.map((e) => e.details.code).sort()).toEqual(['BAD_SIGNATURE', 'UNKNOWN_KEY']);
  });

  it('keeps nothing of an artifact with the wrong hash or size, then accepts the right one', async () => {
    const size = 2 * ARTIFACT_CHUNK_BYTES + 12_345;
    const { artifact, signed } = await signedRelease(key, '1.1.0', { sizeBytes: size });
    expect((await register({ signed, channel: 'stable' })).statusCode).toBe(201);

    const corrupt = Buffer.from(artifact);
    corrupt[ARTIFACT_CHUNK_BYTES + 7] = (corrupt[ARTIFACT_CHUNK_BYTES + 7] ?? 0) ^ 0xff;
    const wrongHash = expectError(await uploadArtifact(admin, '1.1.0', corrupt), 400, 'BAD_REQUEST');
    expect(wrongHash.details).toMatchObject({ code: 'HASH_MISMATCH' });
    expectError(
      await uploadArtifact(admin, '1.1.0', Buffer.concat([artifact, Buffer.from('x')])),
      413,
      'PAYLOAD_TOO_LARGE',
    );
    // Streamed without a Content-Length: refused once the bytes pass the signed size.
    const streamed = await admin.request({
      method: 'PUT',
      url: '/v1/releases/1.1.0/artifact',
      payload: Readable.from([artifact.subarray(0, ARTIFACT_CHUNK_BYTES + 5), artifact, Buffer.from('x')]),
      headers: { 'content-type': 'application/octet-stream' },
    });
    expectError(streamed, 413, 'PAYLOAD_TOO_LARGE');
    const short = expectError(await uploadArtifact(admin, '1.1.0', artifact.subarray(1)), 400, 'BAD_REQUEST');
    expect(short.details).toMatchObject({ code: 'SIZE_MISMATCH' });
    expect(Number(await chunkCount('1.1.0'))).toBe(0);
    expect((await admin.request({ method: 'GET', url: '/v1/releases/1.1.0' })).json().state).toBe('awaiting_artifact');
    expectError(await download('1.1.0'), 404, 'NOT_FOUND');

    const ok = await uploadArtifact(admin, '1.1.0', artifact);
    expect(ok.statusCode, ok.body).toBe(200);
    expect(ok.json()).toMatchObject({ state: 'available', sizeBytes: size });
    expect(Number(await chunkCount('1.1.0'))).toBe(3);
    expectError(await uploadArtifact(admin, '1.1.0', artifact), 409, 'CONFLICT');
    const failures = await auditWhere(
      admin,
      `action=release.artifact_uploaded&outcome=failure&targetId=${ok.json().id}`,
    );
    expect(failures).toHaveLength(4);
    // One of them was cut off mid-stream (no Content-Length to refuse it by).
    expect(failures.filter((e) => String(e.details.reason).endsWith('more were sent'))).toHaveLength(1);

    // The appliance downloads it whole, then resumes from an offset across a chunk boundary.
    const whole = await download('1.1.0');
    expect(whole.statusCode).toBe(200);
    expect(whole.headers).toMatchObject({
      'content-length': String(size),
      etag: `"${signed.manifest.sha256}"`,
      'accept-ranges': 'bytes',
    });
    expect(createHash('sha256').update(whole.rawPayload).digest('hex')).toBe(signed.manifest.sha256);
    const from = ARTIFACT_CHUNK_BYTES - 100;
    const resumed = await download('1.1.0', { range: `bytes=${from}-` });
    expect(resumed.statusCode).toBe(206);
    expect(resumed.headers['content-range']).toBe(`bytes ${from}-${size - 1}/${size}`);
    expect(resumed.headers['content-length']).toBe(String(size - from));
    expect(Buffer.compare(resumed.rawPayload, artifact.subarray(from))).toBe(0);
    const middle = await download('1.1.0', { range: 'bytes=10-19' });
    expect(middle.statusCode).toBe(206);
    expect(Buffer.compare(middle.rawPayload, artifact.subarray(10, 20))).toBe(0);
    const past = await download('1.1.0', { range: `bytes=${size}-` });
    expect(past.statusCode).toBe(416);
    expect(past.headers['content-range']).toBe(`bytes */${size}`);
    // A stale If-Range (another artifact) gets the whole current artifact.
    const stale = await download('1.1.0', { range: 'bytes=10-19', 'if-range': '"other"' });
    expect(stale.statusCode).toBe(200);
    expect(stale.rawPayload.length).toBe(size);
    // Only appliances download.
    expectError(
      await admin.request({ method: 'GET', url: '/v1/appliance/releases/1.1.0/artifact' }),
      401,
      'UNAUTHENTICATED',
    );
    expect(
      await auditWhere(admin, `action=release.artifact_uploaded&outcome=success&targetId=${ok.json().id}`),
    ).toHaveLength(1);
  });

  it('keeps one latest release per channel, only an available one', async () => {
    const a = (await availableRelease(admin, key, '2.0.0')).release;
    const b = (await availableRelease(admin, key, '2.1.0')).release;
    const beta = (await availableRelease(admin, key, '2.2.0-beta.1', { channel: 'beta' })).release;
    const latest = (version: string) =>
      admin.request({ method: 'PUT', url: `/v1/releases/${version}/latest`, payload: {} });
    expect((await latest('2.0.0')).json()).toMatchObject({ id: a.id, latest: true });
    expect((await latest('2.2.0-beta.1')).json()).toMatchObject({ id: beta.id, latest: true });
    expect((await latest('2.1.0')).json()).toMatchObject({ id: b.id, latest: true });
    const listed = (await admin.request({ method: 'GET', url: '/v1/releases' })).json().items as Release[];
    expect(
      listed
        .filter((r) => r.latest)
        .map((r) => r.version)
        .sort(),
    ).toEqual(['2.1.0', '2.2.0-beta.1']);
    const stable = (await admin.request({ method: 'GET', url: '/v1/releases?channel=stable&state=available' })).json()
      .items as Release[];
    expect(stable.every((r) => r.channel === 'stable' && r.state === 'available')).toBe(true);
    expect((await auditWhere(admin, 'action=release.latest')).length).toBe(3);

    const { signed } = await signedRelease(key, '2.3.0');
    await register({ signed, channel: 'stable' });
    expectError(await latest('2.3.0'), 409, 'CONFLICT');
    // Withdrawing the latest clears it; the release can no longer be downloaded.
    const withdrawn = await admin.request({ method: 'POST', url: '/v1/releases/2.1.0/withdraw', payload: {} });
    expect(withdrawn.json()).toMatchObject({ state: 'withdrawn', latest: false });
    expectError(
      await admin.request({ method: 'POST', url: '/v1/releases/2.1.0/withdraw', payload: {} }),
      409,
      'CONFLICT',
    );
    expectError(await latest('2.1.0'), 409, 'CONFLICT');
    expectError(await download('2.1.0'), 404, 'NOT_FOUND');
  });

  it('sets an appliance update channel (admins only)', async () => {
    const url = `/v1/appliances/${appliance.applianceId}/update-channel`;
    const res = await admin.request({ method: 'PUT', url, payload: { channel: 'beta' } });
    expect(res.json()).toEqual({ applianceId: appliance.applianceId, channel: 'beta' });
    expectError(await admin.request({ method: 'PUT', url, payload: { channel: 'nightly' } }), 400, 'VALIDATION_FAILED');
    const partner = await signInAs(t, { role: 'partner_admin', partnerId: tenant.partner.id });
    expectError(await partner.request({ method: 'PUT', url, payload: { channel: 'stable' } }), 403, 'FORBIDDEN');
    const operator = await t.loginAs('operator');
    expectError(await operator.request({ method: 'PUT', url, payload: { channel: 'stable' } }), 403, 'FORBIDDEN');
  });

  it('keeps partners and practices away from releases', async () => {
    const partner = await signInAs(t, { role: 'partner_admin', partnerId: tenant.partner.id });
    const owner = await signInAs(t, { role: 'practice_owner', practiceId: tenant.practice.id });
    for (const caller of [partner, owner]) {
      expectError(await caller.request({ method: 'GET', url: '/v1/releases' }), 403, 'FORBIDDEN');
      expectError(await caller.request({ method: 'GET', url: '/v1/releases/1.0.0' }), 403, 'FORBIDDEN');
      const { signed } = await signedRelease(key, '7.0.0');
      expectError(await register({ signed, channel: 'stable' }, caller), 403, 'FORBIDDEN');
    }
    const readonly = await t.loginAs('readonly');
    expect((await readonly.request({ method: 'GET', url: '/v1/releases' })).statusCode).toBe(200);
    expectError(
      await readonly.request({ method: 'POST', url: '/v1/releases/1.0.0/withdraw', payload: {} }),
      403,
      'FORBIDDEN',
    );
    expectError(await t.anonymous.request({ method: 'GET', url: '/v1/releases' }), 401, 'UNAUTHENTICATED');
  });
});
