import { createHash, generateKeyPairSync, randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createTestClock,
  createTestDatabase,
  startTestOidcProvider,
  type TestClock,
  type TestDatabase,
  testBackends,
} from '../../testing';
import { createOidcService } from '.';

const PUBLIC_URL = 'http://127.0.0.1:8080';
const REDIRECT_URI = `${PUBLIC_URL}/v1/auth/oidc/callback`;
const ISSUER_ID = 'test-idp';

type OidcService = ReturnType<typeof createOidcService>;
type TestIdp = Awaited<ReturnType<typeof startTestOidcProvider>>;

/** How the store keys a state (only its SHA-256 is kept), for looking rows up in tests. */
const stateHash = (state: string) => createHash('sha256').update(state).digest('hex');
const queryOf = (url: string) => Object.fromEntries(new URL(url).searchParams) as Record<string, string>;

async function expectOidcFailure(promise: Promise<unknown>, reason: string): Promise<void> {
  await expect(promise).rejects.toMatchObject({ code: 'OIDC_FAILED', status: 401, details: { reason } });
}

describe.each(testBackends)('OIDC relying party on %s', (backend) => {
  let testDb: TestDatabase;
  let idp: TestIdp;
  let clock: TestClock;
  let oidc: OidcService;

  const issuerConfig = () => ({
    id: ISSUER_ID,
    label: 'Test IdP',
    issuer: idp.issuer,
    clientId: idp.clientId,
    clientSecret: idp.clientSecret,
  });
  const row = (state: string) =>
    testDb.database.db
      .selectFrom('oidc_login_states')
      .selectAll()
      .where('state_hash', '=', stateHash(state))
      .executeTakeFirstOrThrow();

  /** begin → the provider's login and consent → the callback query, as the browser would bring it. */
  async function signIn(
    accountId: keyof TestIdp['accounts'] = 'alice',
    options: { returnTo?: string; service?: OidcService; tamper?: (url: URL) => void; deny?: boolean } = {},
  ) {
    const service = options.service ?? oidc;
    const started = await service.begin({
      issuerId: ISSUER_ID,
      purpose: 'partner_signup',
      ...(options.returnTo === undefined ? {} : { returnTo: options.returnTo }),
    });
    const url = new URL(started.authorizationUrl);
    const state = url.searchParams.get('state') as string;
    options.tamper?.(url);
    const { callbackUrl } = await idp.login(url.toString(), accountId, { deny: options.deny ?? false });
    return { ...started, state, query: queryOf(callbackUrl) };
  }

  beforeAll(async () => {
    testDb = await createTestDatabase(backend);
    idp = await startTestOidcProvider({ redirectUri: REDIRECT_URI });
    clock = createTestClock();
    oidc = createOidcService({
      db: testDb.database.db,
      issuers: [
        issuerConfig(),
        // Nothing listens on the discard port: an identity provider that is down.
        { id: 'down', label: 'Down', issuer: 'http://127.0.0.1:9', clientId: 'x', clientSecret: 'y' },
      ],
      publicUrl: PUBLIC_URL,
      now: clock.now,
    });
  });
  afterAll(async () => {
    await idp?.close();
    await testDb?.drop();
  });

  it('lists the configured issuers without their secrets', () => {
    expect(oidc.issuers()).toEqual([
      { id: ISSUER_ID, label: 'Test IdP' },
      { id: 'down', label: 'Down' },
    ]);
  });

  it('signs a verified person in with code + PKCE and answers who they are', async () => {
    const { authorizationUrl, browserBinding, state, query } = await signIn('alice', {
      returnTo: '/partners/welcome?x=1',
    });
    const request = new URL(authorizationUrl);
    expect(request.origin).toBe(idp.issuer);
    expect(request.searchParams.get('redirect_uri')).toBe(REDIRECT_URI);
    expect(request.searchParams.get('code_challenge_method')).toBe('S256');
    expect(request.searchParams.get('scope')).toBe('openid email profile');
    for (const name of ['state', 'nonce', 'code_challenge']) {
      expect(request.searchParams.get(name)?.length).toBeGreaterThanOrEqual(43);
    }
    expect(browserBinding.length).toBeGreaterThanOrEqual(43);
    const stored = await row(state);
    expect(stored).toMatchObject({ issuer_id: ISSUER_ID, purpose: 'partner_signup', used_at: null });
    expect(JSON.stringify(stored)).not.toContain(state);
    expect(JSON.stringify(stored)).not.toContain(browserBinding);
    expect(stored.expires_at.getTime() - stored.created_at.getTime()).toBe(10 * 60 * 1000);

    const identity = await oidc.complete({ query, browserBinding });
    expect(identity).toEqual({
      issuerId: ISSUER_ID,
      subject: 'alice',
      email: idp.accounts.alice.email,
      emailVerified: true,
      name: 'Alice Partner',
      purpose: 'partner_signup',
      returnTo: '/partners/welcome?x=1',
    });
    const used = await row(state);
    expect(used.used_at).not.toBeNull();
    expect(used.code_verifier).toBeNull();
  });

  it('refuses a state it never issued, or none', async () => {
    const { query, browserBinding } = await signIn();
    await expectOidcFailure(
      oidc.complete({ query: { ...query, state: randomBytes(32).toString('base64url') }, browserBinding }),
      'state_invalid',
    );
    await expectOidcFailure(oidc.complete({ query: { ...query, state: undefined }, browserBinding }), 'state_invalid');
    // The forged attempts did not spoil the real one.
    await expect(oidc.complete({ query, browserBinding })).resolves.toMatchObject({ subject: 'alice' });
  });

  it('refuses a replayed callback, also when both arrive at once', async () => {
    const first = await signIn();
    await oidc.complete({ query: first.query, browserBinding: first.browserBinding });
    await expect(oidc.complete({ query: first.query, browserBinding: first.browserBinding })).rejects.toMatchObject({
      code: 'OIDC_FAILED',
      details: { reason: 'state_replayed', issuerId: ISSUER_ID },
    });

    const racing = await signIn();
    const results = await Promise.allSettled([
      oidc.complete({ query: racing.query, browserBinding: racing.browserBinding }),
      oidc.complete({ query: racing.query, browserBinding: racing.browserBinding }),
    ]);
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    const refused = results.find((r) => r.status === 'rejected') as PromiseRejectedResult;
    expect(refused.reason).toMatchObject({ code: 'OIDC_FAILED', details: { reason: 'state_replayed' } });
  });

  it('refuses a code the provider already redeemed, even under a fresh state with the right verifier', async () => {
    const { query, browserBinding, state } = await signIn();
    // A second, unused state row with this attempt's verifier and nonce, so the provider's check
    // of the code itself is what stops it (not PKCE): as if the same code came back a second time.
    const original = await row(state);
    const freshState = randomBytes(32).toString('base64url');
    await testDb.database.db
      .insertInto('oidc_login_states')
      .values({ ...original, state_hash: stateHash(freshState) })
      .execute();
    await oidc.complete({ query, browserBinding });
    await expectOidcFailure(oidc.complete({ query: { ...query, state: freshState }, browserBinding }), 'code_rejected');
  });

  it('refuses a code injected into another sign-in attempt (PKCE does not match)', async () => {
    const victim = await signIn();
    const attacker = await signIn();
    await expectOidcFailure(
      oidc.complete({ query: { ...attacker.query, code: victim.query.code }, browserBinding: attacker.browserBinding }),
      'code_rejected',
    );
  });

  it('refuses an ID token whose nonce is not the one it sent', async () => {
    // The authorization request is altered on its way to the provider (nonce swapped, state and
    // PKCE challenge kept): the code is redeemed fine, but the ID token carries the other nonce.
    const { query, browserBinding } = await signIn('alice', {
      tamper: (url) => url.searchParams.set('nonce', randomBytes(32).toString('base64url')),
    });
    await expectOidcFailure(oidc.complete({ query, browserBinding }), 'nonce_mismatch');
  });

  it('refuses an email the provider does not vouch for, or none at all', async () => {
    for (const account of ['unverified', 'no-email'] as const) {
      const { query, browserBinding } = await signIn(account);
      await expect(oidc.complete({ query, browserBinding })).rejects.toMatchObject({
        code: 'EMAIL_UNVERIFIED',
        status: 403,
      });
    }
  });

  it('refuses a callback from another browser without spoiling the real one', async () => {
    const { query, browserBinding } = await signIn();
    await expectOidcFailure(oidc.complete({ query, browserBinding: undefined }), 'browser_mismatch');
    await expectOidcFailure(
      oidc.complete({ query, browserBinding: randomBytes(32).toString('base64url') }),
      'browser_mismatch',
    );
    await expect(oidc.complete({ query, browserBinding })).resolves.toMatchObject({ subject: 'alice' });
  });

  it('refuses a state older than 10 minutes', async () => {
    const { query, browserBinding } = await signIn();
    clock.advance(10 * 60 * 1000 + 1000);
    await expectOidcFailure(oidc.complete({ query, browserBinding }), 'state_expired');
  });

  it('keeps only a path on this site as the place to return to', async () => {
    const unsafe = [
      '//evil.example/x',
      'https://evil.example/',
      '/\\evil.example',
      'javascript:alert(1)',
      '/a\nb',
      'rel/path',
      `/${'a'.repeat(600)}`,
    ];
    for (const returnTo of unsafe) {
      const { authorizationUrl } = await oidc.begin({ issuerId: ISSUER_ID, purpose: 'partner_signin', returnTo });
      const state = new URL(authorizationUrl).searchParams.get('state') as string;
      expect((await row(state)).return_to, returnTo).toBeNull();
    }
    const { query, browserBinding } = await signIn('alice', { returnTo: '/dashboard#top' });
    expect((await oidc.complete({ query, browserBinding })).returnTo).toBe('/dashboard#top');
  });

  it('answers an unknown issuer as not found and an unreachable one as an upstream failure', async () => {
    await expect(oidc.begin({ issuerId: 'nope', purpose: 'partner_signin' })).rejects.toMatchObject({
      code: 'NOT_FOUND',
    });
    await expect(oidc.begin({ issuerId: 'down', purpose: 'partner_signin' })).rejects.toMatchObject({
      code: 'UPSTREAM_FAILED',
      status: 502,
    });
  });

  it('reports the provider refusing (access_denied) and uses the state up', async () => {
    const { query, browserBinding } = await signIn('alice', { deny: true });
    expect(query.error).toBe('access_denied');
    await expect(oidc.complete({ query, browserBinding })).rejects.toMatchObject({
      code: 'OIDC_FAILED',
      details: { reason: 'provider_error', providerError: 'access_denied', issuerId: ISSUER_ID },
    });
    const { error: _dropped, ...withoutError } = query;
    await expectOidcFailure(oidc.complete({ query: withoutError, browserBinding }), 'state_replayed');
  });

  it('refuses an ID token not signed by a key in the issuer JWKS', async () => {
    // The JWKS answer is replaced at the network edge: same key id, another key.
    const stranger = generateKeyPairSync('rsa', { modulusLength: 2048 }).publicKey.export({ format: 'jwk' });
    const forged = createOidcService({
      db: testDb.database.db,
      issuers: [issuerConfig()],
      publicUrl: PUBLIC_URL,
      now: clock.now,
      async fetchImpl(input, init) {
        const response = await fetch(input, init);
        if (!String(input).endsWith('/jwks')) return response;
        const { keys } = (await response.json()) as { keys: Record<string, unknown>[] };
        const swapped = keys.map((key) => ({ ...key, n: stranger.n, e: stranger.e }));
        return Response.json({ keys: swapped }, { headers: { 'content-type': 'application/jwk-set+json' } });
      },
    });
    const { query, browserBinding } = await signIn('alice', { service: forged });
    await expectOidcFailure(forged.complete({ query, browserBinding }), 'id_token_invalid');
  });

  it('purges rows that expired more than a day ago', async () => {
    const later = createTestClock();
    const service = createOidcService({
      db: testDb.database.db,
      issuers: [issuerConfig()],
      publicUrl: PUBLIC_URL,
      now: later.now,
    });
    const { authorizationUrl } = await service.begin({ issuerId: ISSUER_ID, purpose: 'partner_signin' });
    const state = new URL(authorizationUrl).searchParams.get('state') as string;
    expect(await service.purge()).toBe(0);
    later.advance(24 * 60 * 60 * 1000 + 11 * 60 * 1000);
    expect(await service.purge()).toBeGreaterThanOrEqual(1);
    const left = await testDb.database.db
      .selectFrom('oidc_login_states')
      .select('state_hash')
      .where('state_hash', '=', stateHash(state))
      .execute();
    expect(left).toEqual([]);
  });
});
