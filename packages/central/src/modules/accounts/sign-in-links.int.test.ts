import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Caller, startTestApp, type TestApp, testBackends } from '../../testing';
import { createTenant, expectError } from '../../testing/api';
import { signInAs } from '../../testing/principals';

describe.each(testBackends)('emailed sign-in links on %s', (backend) => {
  let t: TestApp;
  let admin: Caller;
  let practiceId: string;
  let viewerEmail: string;

  const ask = (email: string, cookie?: string) =>
    t.anonymous.request({
      method: 'POST',
      url: '/v1/auth/sign-in-links',
      payload: { email },
      ...(cookie ? { headers: { cookie } } : {}),
    });
  /** The queued mail's link token (SMTP is not configured here, so mail waits in the outbox — as when it is down). */
  const queuedToken = async (email: string) => {
    const rows = await t.database.db
      .selectFrom('email_outbox')
      .select(['text_body', 'status'])
      .where('to_address', '=', email)
      .where('template', '=', 'sign_in_link')
      .orderBy('created_at', 'desc')
      .execute();
    return { count: rows.length, token: /#token=([A-Za-z0-9_-]+)/.exec(String(rows[0]?.text_body))?.[1] ?? '' };
  };

  beforeAll(async () => {
    t = await startTestApp(backend, { MAGIC_LINK_LIMIT_PER_EMAIL: 3, MAGIC_LINK_LIMIT_PER_IP: 50 });
    admin = await t.loginAs('admin');
    practiceId = (await createTenant(admin)).practice.id;
    const viewer = await signInAs(t, { role: 'practice_viewer', practiceId });
    viewerEmail = String(viewer.email);
  });
  afterAll(() => t.close());

  it('answers the same for every address, sends links only to practice people and auditors, and queues them while mail is down', async () => {
    const first = await ask(viewerEmail);
    expect(first.statusCode).toBe(202);
    const binding = first.cookies.find((c) => c.name === 'osiris_browser');
    expect(binding).toMatchObject({ httpOnly: true, sameSite: 'Strict' });
    for (const other of ['nobody@clinic.example', String(admin.email)]) {
      const res = await ask(other);
      expect(res.statusCode).toBe(202);
      expect(res.json()).toEqual(first.json());
      expect((await queuedToken(other)).count).toBe(0);
    }
    const { count, token } = await queuedToken(viewerEmail);
    expect(count).toBe(1);
    const redeemed = await t.anonymous.request({
      method: 'POST',
      url: '/v1/auth/sign-in-links/redeem',
      payload: { token },
      headers: { cookie: `osiris_browser=${binding?.value}` },
    });
    expect(redeemed.statusCode, redeemed.body).toBe(200);
    expect(redeemed.json().user).toMatchObject({ email: viewerEmail, role: 'practice_viewer' });
  });

  it('refuses an expired link, and limits requests per address', async () => {
    const asked = await ask(viewerEmail);
    const cookie = `osiris_browser=${asked.cookies.find((c) => c.name === 'osiris_browser')?.value}`;
    const { token } = await queuedToken(viewerEmail);
    t.clock.advance(16 * 60_000);
    expectError(
      await t.anonymous.request({
        method: 'POST',
        url: '/v1/auth/sign-in-links/redeem',
        payload: { token },
        headers: { cookie },
      }),
      401,
      'LINK_EXPIRED',
    );
    // The window is 15 minutes: three more fit, the fourth is refused (for any address, existing or not).
    for (let i = 0; i < 3; i++) expect((await ask('limit@clinic.example')).statusCode).toBe(202);
    const limited = await ask('limit@clinic.example');
    expectError(limited, 429, 'RATE_LIMITED');
    expect(limited.headers['retry-after']).toBeDefined();
  });
});
