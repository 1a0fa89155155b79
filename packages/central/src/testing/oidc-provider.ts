import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type Provider from 'oidc-provider';
import type { Configuration } from 'oidc-provider';

/** People who can sign in at the test provider, by account id (= the ID token's `sub`). */
const ACCOUNTS = {
  alice: { email: 'alice@msp-one.example', email_verified: true, name: 'Alice Partner' },
  unverified: { email: 'bob@msp-two.example', email_verified: false, name: 'Bob Unverified' },
  'no-email': { name: 'Carol Without Mail' },
  /** Invited into a partner by its admin. */
  dave: { email: 'dave@msp-one.example', email_verified: true, name: 'Dave Technician' },
  /** A consumer mail address, refused for partner sign-up. */
  erin: { email: 'erin@gmail.com', email_verified: true, name: 'Erin Personal' },
  /** Another MSP, to be rejected. */
  frank: { email: 'frank@msp-three.example', email_verified: true, name: 'Frank Rejected' },
} as const;

type AccountId = keyof typeof ACCOUNTS;

/**
 * A real OpenID provider (panva's `oidc-provider`, the certified one) on 127.0.0.1 with one
 * confidential client. Its login and consent pages are replaced by tiny JSON endpoints that
 * `login()` drives with fetch, the way a browser would follow redirects and submit the forms.
 */
export async function startTestOidcProvider(options: {
  redirectUri: string;
  clientId?: string;
  clientSecret?: string;
}) {
  const clientId = options.clientId ?? 'osiris-central';
  const clientSecret = options.clientSecret ?? randomBytes(24).toString('base64url');
  let provider: Provider | undefined;

  const server = createServer((req, res) => {
    if (!provider) return void res.writeHead(503).end();
    if (req.url?.startsWith('/interaction/'))
      return void interaction(provider, req, res).catch((err) => fail(res, err));
    provider.callback()(req, res);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  const signingKey = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ format: 'jwk' });
  const configuration: Configuration = {
    clients: [
      {
        client_id: clientId,
        client_secret: clientSecret,
        redirect_uris: [options.redirectUri],
        grant_types: ['authorization_code'],
        response_types: ['code'],
        token_endpoint_auth_method: 'client_secret_post',
      },
    ],
    jwks: { keys: [{ ...signingKey, kid: 'test-signing-key', alg: 'RS256', use: 'sig' }] },
    cookies: { keys: [randomBytes(32).toString('hex')] },
    claims: { openid: ['sub'], email: ['email', 'email_verified'], profile: ['name'] },
    pkce: { required: () => true },
    // Explicit lifetimes (seconds), also so the provider does not print a notice for each default.
    ttl: { AccessToken: 600, AuthorizationCode: 60, Grant: 3600, IdToken: 600, Interaction: 600, Session: 3600 },
    features: { devInteractions: { enabled: false } },
    interactions: { url: (_ctx, interaction) => `/interaction/${interaction.uid}` },
    async findAccount(_ctx, sub) {
      if (!(sub in ACCOUNTS)) return undefined;
      return { accountId: sub, claims: () => ({ sub, ...ACCOUNTS[sub as AccountId] }) };
    },
  };
  // Loaded here, not at the top: every test imports ../testing, and only OIDC tests need the provider.
  const { default: OidcProvider } = await import('oidc-provider');
  provider = new OidcProvider(issuer, configuration);

  return {
    issuer,
    clientId,
    clientSecret,
    accounts: ACCOUNTS,
    /**
     * Follows the authorization request like a browser: signs `accountId` in and grants consent
     * (or, with `deny`, aborts so the provider answers `error=access_denied`). Returns the redirect
     * to the client's callback (with code, state and iss) without calling it.
     */
    async login(authorizationUrl: string, accountId: AccountId, loginOptions: { deny?: boolean } = {}) {
      const browser = cookieJar();
      let url = authorizationUrl;
      for (let hop = 0; hop < 12; hop += 1) {
        if (url.startsWith(options.redirectUri)) return { callbackUrl: url };
        const interactionUid = /^\/interaction\/([^/?]+)$/.exec(new URL(url).pathname)?.[1];
        let response = await browser.fetch(url);
        if (interactionUid) {
          const { prompt } = (await response.json()) as { prompt: string };
          const action = loginOptions.deny ? 'abort' : prompt === 'login' ? 'login' : 'consent';
          response = await browser.fetch(`${issuer}/interaction/${interactionUid}/${action}`, {
            method: 'POST',
            body: new URLSearchParams({ accountId }),
          });
        }
        const location = response.headers.get('location');
        if (!location)
          throw new Error(`test provider: no redirect from ${url}: ${response.status} ${await response.text()}`);
        url = new URL(location, url).toString();
      }
      throw new Error('test provider: too many redirects');
    },
    async close() {
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** The login and consent "pages": GET tells which prompt is pending, POST answers it. */
async function interaction(provider: Provider, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const details = await provider.interactionDetails(req, res);
  const action = req.url?.split('/')[3];
  if (req.method === 'GET') {
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ prompt: details.prompt.name }));
    return;
  }
  const form = new URLSearchParams(await readBody(req));
  if (action === 'abort') {
    const result = { error: 'access_denied', error_description: 'The user cancelled the sign-in' };
    return provider.interactionFinished(req, res, result, { mergeWithLastSubmission: false });
  }
  if (action === 'login') {
    const accountId = form.get('accountId') ?? '';
    return provider.interactionFinished(req, res, { login: { accountId } }, { mergeWithLastSubmission: false });
  }
  const accountId = details.session?.accountId;
  const clientId = details.params.client_id as string;
  const grant = details.grantId
    ? await provider.Grant.find(details.grantId)
    : new provider.Grant({ accountId, clientId });
  if (!grant) throw new Error('test provider: grant vanished');
  grant.addOIDCScope(String(details.params.scope));
  const grantId = await grant.save();
  return provider.interactionFinished(req, res, { consent: { grantId } }, { mergeWithLastSubmission: true });
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (chunk: string) => {
      body += chunk;
    });
    req.on('end', () => resolve(body));
    req.on('error', reject);
  });
}

function fail(res: ServerResponse, err: unknown): void {
  res.writeHead(500, { 'content-type': 'text/plain' }).end(String(err));
}

/** fetch that keeps cookies per origin-less jar and never follows redirects (we follow them). */
function cookieJar() {
  const cookies = new Map<string, string>();
  return {
    async fetch(url: string, init: RequestInit = {}): Promise<Response> {
      const cookie = [...cookies.entries()].map(([name, value]) => `${name}=${value}`).join('; ');
      const response = await fetch(url, {
        ...init,
        redirect: 'manual',
        headers: {
          ...(cookie ? { cookie } : {}),
          ...(init.body ? { 'content-type': 'application/x-www-form-urlencoded' } : {}),
        },
      });
      for (const line of response.headers.getSetCookie()) {
        const [pair = ''] = line.split(';');
        const at = pair.indexOf('=');
        const name = pair.slice(0, at).trim();
        const value = pair.slice(at + 1).trim();
        if (/expires=Thu, 01 Jan 1970/i.test(line) || value === '') cookies.delete(name);
        else cookies.set(name, value);
      }
      return response;
    },
  };
}
