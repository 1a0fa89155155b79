import type { Partner } from '@osiris/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Caller, startTestApp, startTestOidcProvider, type TestApp, testBackends } from '../../testing';
import { expectError } from '../../testing/api';

const PUBLIC_URL = 'http://central.test';
type Account = Parameters<Awaited<ReturnType<typeof startTestOidcProvider>>['login']>[1];

/** Partner sign-up and sign-in through the routes, against a real OpenID provider on loopback. */
describe.each(testBackends)('partner sign-in by OIDC on %s', (backend) => {
  let t: TestApp;
  let admin: Caller;
  let idp: Awaited<ReturnType<typeof startTestOidcProvider>>;

  beforeAll(async () => {
    idp = await startTestOidcProvider({ redirectUri: `${PUBLIC_URL}/v1/auth/oidc/callback` });
    t = await startTestApp(backend, {
      PUBLIC_URL,
      OIDC_ISSUERS: [
        { id: 'idp', label: 'IdP', issuer: idp.issuer, clientId: idp.clientId, clientSecret: idp.clientSecret },
      ],
      PARTNER_AUTO_APPROVE_DOMAINS: ['msp-one.example'],
      REFUSE_CONSUMER_EMAIL_DOMAINS: true,
    });
    admin = await t.loginAs('admin');
  }, 60_000);
  afterAll(async () => {
    await t?.close();
    await idp?.close();
  });

  /** One browser going through the provider; returns the callback's answer and the cookies it holds. */
  async function signIn(account: Account, intent: 'signup' | 'signin') {
    const start = await t.anonymous.request({
      method: 'GET',
      url: `/v1/auth/oidc/idp/start?intent=${intent}&returnTo=/partner`,
    });
    expect(start.statusCode, start.body).toBe(302);
    const binding = start.cookies.find((c) => c.name === 'osiris_oidc');
    expect(binding).toMatchObject({ httpOnly: true, sameSite: 'Lax', path: '/v1/auth/oidc' });
    const { callbackUrl } = await idp.login(String(start.headers.location), account);
    const callback = new URL(callbackUrl);
    return t.anonymous.request({
      method: 'GET',
      url: `${callback.pathname}${callback.search}`,
      headers: { cookie: `osiris_oidc=${binding?.value}` },
    });
  }

  it('approves an allow-listed domain at once and signs the partner admin in', async () => {
    const res = await signIn('alice', 'signup');
    expect(res.statusCode, res.body).toBe(303);
    expect(res.headers.location).toBe('/partner');
    const session = res.cookies.find((c) => c.name === 'osiris_session');
    const me = await t.anonymous.request({
      method: 'GET',
      url: '/v1/auth/me',
      headers: { cookie: `osiris_session=${session?.value}` },
    });
    expect(me.json().user).toMatchObject({ email: 'alice@msp-one.example', role: 'partner_admin' });
    const partner = await t.anonymous.request({
      method: 'GET',
      url: `/v1/partners/${me.json().user.partnerId}`,
      headers: { cookie: `osiris_session=${session?.value}` },
    });
    expect(partner.json()).toMatchObject({ status: 'active', contactEmail: 'alice@msp-one.example' });

    // Signing in again with the same identity reaches the same account.
    const again = await signIn('alice', 'signin');
    expect(again.statusCode).toBe(303);

    // An invited address joins the partner by signing in.
    const invite = await t.anonymous.request({
      method: 'POST',
      url: `/v1/partners/${me.json().user.partnerId}/invitations`,
      payload: { email: 'dave@msp-one.example', role: 'technician' },
      headers: { cookie: `osiris_session=${session?.value}`, 'x-csrf-token': me.json().csrfToken },
    });
    expect(invite.statusCode, invite.body).toBe(201);
    const dave = await signIn('dave', 'signin');
    expect(dave.statusCode, dave.body).toBe(303);
    const people = await t.anonymous.request({
      method: 'GET',
      url: `/v1/partners/${me.json().user.partnerId}/members`,
      headers: { cookie: `osiris_session=${session?.value}` },
    });
    expect(
      people
        .json()
        .items.map((m: { email: string; role: string }) => [m.email, m.role])
        .sort(),
    ).toEqual([
      ['alice@msp-one.example', 'partner_admin'],
      ['dave@msp-one.example', 'technician'],
    ]);
  });

  it('refuses consumer mail domains, unverified addresses and sign-in without an account', async () => {
    expectError(await signIn('erin', 'signup'), 403, 'EMAIL_DOMAIN_REFUSED');
    expectError(await signIn('unverified', 'signup'), 403, 'EMAIL_UNVERIFIED');
    const none = await signIn('frank', 'signin');
    expectError(none, 401, 'OIDC_FAILED');
    expect(none.json().error.details).toMatchObject({ reason: 'no_account' });
  });

  it('keeps a rejected partner out, and tells it why', async () => {
    expectError(await signIn('frank', 'signup'), 403, 'PARTNER_NOT_APPROVED');
    const pending = (await admin.request({ method: 'GET', url: '/v1/partners?status=pending' })).json()
      .items as Partner[];
    const frank = pending.find((p) => p.contactEmail === 'frank@msp-three.example');
    if (!frank) throw new Error('no pending partner');
    const rejected = await admin.request({
      method: 'POST',
      url: `/v1/partners/${frank.id}/reject`,
      payload: { reason: 'We could not verify this company.' },
    });
    expect(rejected.json()).toMatchObject({ status: 'rejected' });
    expectError(
      await admin.request({ method: 'POST', url: `/v1/partners/${frank.id}/approve`, payload: {} }),
      409,
      'CONFLICT',
    );
    const mails = await t.database.db
      .selectFrom('email_outbox')
      .select('template')
      .where('to_address', '=', 'frank@msp-three.example')
      .execute();
    expect(mails.map((m) => m.template).sort()).toEqual(['partner_pending', 'partner_rejected']);
    expectError(await signIn('frank', 'signin'), 403, 'PARTNER_NOT_APPROVED');
    const audit = await t.database.db
      .selectFrom('audit_log')
      .select('details')
      .where('action', '=', 'auth.oidc_refused')
      .execute();
    expect(audit.map((e) => (e.details as { code: string }).code)).toEqual(
      expect.arrayContaining(['PARTNER_NOT_APPROVED', 'EMAIL_DOMAIN_REFUSED', 'EMAIL_UNVERIFIED', 'OIDC_FAILED']),
    );
  });
});
