import type { Partner, Practice, SessionInfo, Site } from '@osiris/protocol';
import type { LightMyRequestResponse } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type Caller,
  startTestApp,
  startTestOidcProvider,
  startTestSmtpServer,
  type TestApp,
  type TestSmtpServer,
  testBackends,
} from '../src/testing';
import { createTenant, expectError } from '../src/testing/api';
import { registerTestAppliance } from '../src/testing/appliance';

const PUBLIC_URL = 'http://central.test';

/** A browser: keeps the cookies the server sets, and the CSRF token of its session. */
function browser(t: TestApp) {
  const jar = new Map<string, string>();
  let csrf: string | null = null;
  const keep = (res: LightMyRequestResponse) => {
    for (const cookie of res.cookies) {
      if (cookie.maxAge === 0 || cookie.value === '') jar.delete(cookie.name);
      else jar.set(cookie.name, cookie.value);
    }
    if (res.headers['content-type']?.toString().startsWith('application/json')) {
      const body = res.json() as Partial<SessionInfo>;
      if (typeof body.csrfToken === 'string') csrf = body.csrfToken;
    }
    return res;
  };
  const caller: Caller & { cookies: Map<string, string> } = {
    userId: null,
    email: null,
    cookies: jar,
    async request({ method, url, payload, headers }) {
      return keep(
        await t.app.inject({
          method,
          url,
          ...(payload === undefined ? {} : { payload: payload as Record<string, unknown> }),
          headers: {
            cookie: [...jar].map(([k, v]) => `${k}=${v}`).join('; '),
            ...(csrf ? { 'x-csrf-token': csrf } : {}),
            ...headers,
          },
        }),
      );
    },
  };
  return caller;
}

const ok = async <T>(res: Promise<LightMyRequestResponse>, status = 200): Promise<T> => {
  const r = await res;
  expect(r.statusCode, `${r.statusCode} ${r.body}`).toBe(status);
  return r.json() as T;
};

/** The token in a link's fragment (`…#token=…`), as the web app reads it. */
const tokenOf = (link: string | undefined) => new URL(link ?? 'http://x/').hash.replace(/^#token=/, '');

/**
 * Issue 5's end-to-end journey: a partner signs up by OIDC against a real OpenID provider, is
 * approved, creates a practice and invites its owner; the owner signs in with the link received
 * over SMTP and invites an auditor; the auditor sees that practice only, and loses access at expiry.
 */
describe.each(testBackends)('partners, practices and auditors end to end on %s', (backend) => {
  let t: TestApp;
  let smtp: TestSmtpServer;
  let idp: Awaited<ReturnType<typeof startTestOidcProvider>>;

  beforeAll(async () => {
    smtp = await startTestSmtpServer();
    idp = await startTestOidcProvider({ redirectUri: `${PUBLIC_URL}/v1/auth/oidc/callback` });
    t = await startTestApp(backend, {
      PUBLIC_URL,
      SMTP_URL: smtp.url,
      OIDC_ISSUERS: [
        {
          id: 'test-idp',
          label: 'Test IdP',
          issuer: idp.issuer,
          clientId: idp.clientId,
          clientSecret: idp.clientSecret,
        },
      ],
      REFUSE_CONSUMER_EMAIL_DOMAINS: true,
    });
  }, 60_000);
  afterAll(async () => {
    await t?.close();
    await idp?.close();
    await smtp?.close();
  });

  /** The next mail to this address after those already read. */
  const read = new Map<string, number>();
  async function nextMail(to: string) {
    const seen = read.get(to) ?? 0;
    const deadline = Date.now() + 10_000;
    for (;;) {
      const mails = smtp.messages.filter((m) => m.to.includes(to));
      const mail = mails[seen];
      if (mail) {
        read.set(to, seen + 1);
        return mail;
      }
      if (Date.now() > deadline) throw new Error(`no new mail to ${to}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  async function oidcSignIn(partnerBrowser: ReturnType<typeof browser>, intent: 'signup' | 'signin') {
    const start = await partnerBrowser.request({ method: 'GET', url: `/v1/auth/oidc/test-idp/start?intent=${intent}` });
    expect(start.statusCode, start.body).toBe(302);
    const { callbackUrl } = await idp.login(String(start.headers.location), 'alice');
    const callback = new URL(callbackUrl);
    expect(callback.origin).toBe(PUBLIC_URL);
    const url = `${callback.pathname}${callback.search}`;
    return Object.assign(await partnerBrowser.request({ method: 'GET', url }), { callbackPath: url });
  }

  it('takes a partner from OIDC sign-up to an auditor who loses access at expiry', async () => {
    const admin = await t.loginAs('admin');

    // 1. The partner signs up; its domain is not allow-listed, so it waits for approval.
    const partnerBrowser = browser(t);
    const signup = await oidcSignIn(partnerBrowser, 'signup');
    expectError(signup, 403, 'PARTNER_NOT_APPROVED');
    // A replayed callback is refused: its state was used.
    const replay = await partnerBrowser.request({ method: 'GET', url: signup.callbackPath });
    expectError(replay, 401, 'OIDC_FAILED');
    expect(replay.json().error.details).toMatchObject({ reason: 'state_replayed' });
    const pendingMail = await nextMail('alice@msp-one.example');
    expect(pendingMail.subject.toLowerCase()).toContain('approval');
    const pending = await ok<{ items: Partner[] }>(
      admin.request({ method: 'GET', url: '/v1/partners?status=pending' }),
    );
    const partner = pending.items.find((p) => p.contactEmail === 'alice@msp-one.example');
    if (!partner) throw new Error('the signed-up partner is not pending');
    const approved = await ok<Partner>(
      admin.request({ method: 'POST', url: `/v1/partners/${partner.id}/approve`, payload: { note: 'Known MSP' } }),
    );
    expect(approved.status).toBe('active');
    expect((await nextMail('alice@msp-one.example')).subject.toLowerCase()).toContain('approved');

    // 2. Signed in by OIDC now, the partner admin creates a practice and a site, and invites the owner.
    const signedIn = await oidcSignIn(partnerBrowser, 'signin');
    expect(signedIn.statusCode, signedIn.body).toBe(303);
    expect(partnerBrowser.cookies.has('osiris_session')).toBe(true);
    const me = await ok<SessionInfo>(partnerBrowser.request({ method: 'GET', url: '/v1/auth/me' }));
    expect(me.user).toMatchObject({ role: 'partner_admin', partnerId: partner.id, email: 'alice@msp-one.example' });
    const practice = await ok<Practice>(
      partnerBrowser.request({
        method: 'POST',
        url: '/v1/practices',
        payload: { partnerId: partner.id, name: 'Lakeside Family Clinic' },
      }),
      201,
    );
    const site = await ok<Site>(
      partnerBrowser.request({
        method: 'POST',
        url: '/v1/sites',
        payload: { practiceId: practice.id, name: 'Main office' },
      }),
      201,
    );
    const appliance = await registerTestAppliance(t, admin, site.id);
    await ok(
      partnerBrowser.request({
        method: 'POST',
        url: `/v1/practices/${practice.id}/invitations`,
        payload: { email: 'owner@lakeside-clinic.example', role: 'practice_owner' },
      }),
      201,
    );

    // 3. The owner accepts from the emailed link, then signs in later with a sign-in link over SMTP.
    const invitationMail = await nextMail('owner@lakeside-clinic.example');
    const ownerBrowser = browser(t);
    await ok(
      ownerBrowser.request({
        method: 'POST',
        url: '/v1/auth/invitations/accept-link',
        payload: { token: tokenOf(smtp.links(invitationMail)[0]), name: 'Dr. Olivia Owner' },
      }),
    );
    expect((await ownerBrowser.request({ method: 'POST', url: '/v1/auth/logout' })).statusCode).toBe(204);
    const later = browser(t);
    const sent = await ok<{ message: string }>(
      later.request({
        method: 'POST',
        url: '/v1/auth/sign-in-links',
        payload: { email: 'owner@lakeside-clinic.example' },
      }),
      202,
    );
    // The same answer for an address nobody has.
    const nobody = await browser(t).request({
      method: 'POST',
      url: '/v1/auth/sign-in-links',
      payload: { email: 'nobody@lakeside-clinic.example' },
    });
    expect(nobody.statusCode).toBe(202);
    expect(nobody.json()).toEqual(sent);
    const linkMail = await nextMail('owner@lakeside-clinic.example');
    const linkToken = tokenOf(smtp.links(linkMail).find((l) => l.includes('/sign-in#')));
    // Opened in another browser, the link does not work; in the browser that asked, it does, once.
    expectError(
      await browser(t).request({ method: 'POST', url: '/v1/auth/sign-in-links/redeem', payload: { token: linkToken } }),
      401,
      'LINK_INVALID',
    );
    const owner = await ok<SessionInfo>(
      later.request({ method: 'POST', url: '/v1/auth/sign-in-links/redeem', payload: { token: linkToken } }),
    );
    expect(owner.user).toMatchObject({ role: 'practice_owner', practiceId: practice.id });
    expectError(
      await later.request({ method: 'POST', url: '/v1/auth/sign-in-links/redeem', payload: { token: linkToken } }),
      401,
      'LINK_USED',
    );

    // 4. The owner invites an auditor for the next 24 hours.
    const validUntil = new Date(t.clock.now().getTime() + 24 * 3600_000).toISOString();
    await ok(
      later.request({
        method: 'POST',
        url: `/v1/practices/${practice.id}/auditors`,
        payload: { email: 'auditor@cpa-firm.example', name: 'Ada Auditor', validUntil },
      }),
      201,
    );
    const auditorMail = await nextMail('auditor@cpa-firm.example');
    expect(auditorMail.text).toContain('Lakeside Family Clinic');
    const auditorBrowser = browser(t);
    await ok(
      auditorBrowser.request({
        method: 'POST',
        url: '/v1/auth/sign-in-links',
        payload: { email: 'auditor@cpa-firm.example' },
      }),
      202,
    );
    const auditorLink = await nextMail('auditor@cpa-firm.example');
    await ok(
      auditorBrowser.request({
        method: 'POST',
        url: '/v1/auth/sign-in-links/redeem',
        payload: { token: tokenOf(smtp.links(auditorLink).find((l) => l.includes('/sign-in#'))) },
      }),
    );

    // 5. The auditor reads this practice's results and evidence, nothing else.
    await ok(auditorBrowser.request({ method: 'GET', url: `/v1/sites/${site.id}/results` }));
    await ok(auditorBrowser.request({ method: 'GET', url: `/v1/appliances/${appliance.applianceId}/evidence` }));
    const other = await createTenant(admin);
    expectError(
      await auditorBrowser.request({ method: 'GET', url: `/v1/sites/${other.site.id}/results` }),
      404,
      'NOT_FOUND',
    );
    expectError(await auditorBrowser.request({ method: 'GET', url: '/v1/escalations' }), 403, 'FORBIDDEN');
    expectError(
      await auditorBrowser.request({ method: 'GET', url: `/v1/practices/${practice.id}/members` }),
      403,
      'FORBIDDEN',
    );
    const seen = await ok<{ items: Site[] }>(auditorBrowser.request({ method: 'GET', url: '/v1/sites' }));
    expect(seen.items.map((s) => s.id)).toEqual([site.id]);
    expectError(
      await auditorBrowser.request({ method: 'PATCH', url: `/v1/sites/${site.id}`, payload: { name: 'x' } }),
      403,
      'FORBIDDEN',
    );
    // The partner sees its own practice only; the other tenant's is missing to it.
    expectError(
      await partnerBrowser.request({ method: 'GET', url: `/v1/practices/${other.practice.id}` }),
      404,
      'NOT_FOUND',
    );

    // 6. At expiry the auditor's access ends by itself.
    t.clock.advance(24 * 3600_000 + 60_000);
    expectError(
      await auditorBrowser.request({ method: 'GET', url: `/v1/sites/${site.id}/results` }),
      401,
      'UNAUTHENTICATED',
    );
    const afterExpiry = await browser(t).request({
      method: 'POST',
      url: '/v1/auth/sign-in-links',
      payload: { email: 'auditor@cpa-firm.example' },
    });
    expect(afterExpiry.statusCode).toBe(202);
  }, 120_000);
});
