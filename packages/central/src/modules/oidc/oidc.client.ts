import * as client from 'openid-client';
import type { Config } from '../../config';
import { AppError } from '../../platform/errors';

export type OidcIssuer = Config['OIDC_ISSUERS'][number];

/** Discovery, token and JWKS requests give up after this long. */
const REQUEST_TIMEOUT_SECONDS = 10;
/** Discovered metadata is reused this long; a failed discovery is not cached. */
const DISCOVERY_TTL_MS = 60 * 60 * 1000;
const SCOPE = 'openid email profile';

export function oidcFailed(reason: string, extra: Record<string, unknown> = {}): AppError {
  return new AppError('OIDC_FAILED', 'Sign-in with the identity provider failed; start again', {
    details: { reason, ...extra },
  });
}

/**
 * What went wrong, without anything the error might carry from a response body (tokens, codes):
 * only class, code and the library's fixed message.
 */
function describe(err: unknown): Error {
  const e = err as { name?: string; code?: string; message?: string; cause?: { code?: string } };
  const code = [e.code, e.cause?.code].filter(Boolean).join('/');
  return new Error(`${e.name ?? 'Error'}${code ? ` [${code}]` : ''}: ${e.message ?? String(err)}`);
}

function upstream(what: string, err: unknown): AppError {
  return new AppError('UPSTREAM_FAILED', `The identity provider could not be reached (${what}); try again shortly`, {
    cause: describe(err),
  });
}

const UPSTREAM_CODES = new Set([
  'OAUTH_TIMEOUT',
  'OAUTH_ABORT',
  'OAUTH_RESPONSE_IS_NOT_CONFORM',
  'OAUTH_RESPONSE_IS_NOT_JSON',
  'OAUTH_HTTP_REQUEST_FORBIDDEN',
  'OAUTH_REQUEST_PROTOCOL_FORBIDDEN',
  'OAUTH_MISSING_SERVER_METADATA',
  'OAUTH_INVALID_SERVER_METADATA',
]);

/** Maps a failure of the code exchange (and the ID token checks that follow it) to an AppError. */
function classifyExchangeError(err: unknown): AppError {
  if (err instanceof client.ResponseBodyError) {
    // invalid_grant: the code is unknown, expired, already redeemed, or not ours (PKCE mismatch).
    if (err.status < 500 && (err.error === 'invalid_grant' || err.error === 'invalid_request')) {
      return oidcFailed('code_rejected', { providerError: err.error });
    }
    return upstream('token endpoint', err);
  }
  if (err instanceof client.ClientError) {
    if (UPSTREAM_CODES.has(err.code ?? '')) return upstream('token endpoint', err);
    const claim = (err.cause as { cause?: { claim?: unknown } } | undefined)?.cause?.claim;
    if (err.code === 'OAUTH_JWT_CLAIM_COMPARISON_FAILED' && claim === 'nonce') return oidcFailed('nonce_mismatch');
    // Signature (JWKS), iss, aud, azp, exp, iat, or a malformed token.
    return oidcFailed('id_token_invalid');
  }
  // fetch failed (connection refused, DNS), WWW-Authenticate challenges (our client credentials).
  return upstream('token endpoint', err);
}

const isLoopback = (url: URL) => ['127.0.0.1', 'localhost', '[::1]'].includes(url.hostname);

export interface VerifiedIdentity {
  subject: string;
  email: string | undefined;
  emailVerified: unknown;
  name: string | undefined;
}

/** The openid-client side: one discovered configuration per issuer, cached. */
export function createOidcClients(deps: { fetchImpl?: typeof fetch | undefined; now: () => Date }) {
  const cache = new Map<string, { configuration: Promise<client.Configuration>; fetchedAtMs: number }>();

  function discover(issuer: OidcIssuer): Promise<client.Configuration> {
    const url = new URL(issuer.issuer);
    const execute = [client.enableNonRepudiationChecks];
    // Plain http only for an issuer on this machine (tests, local development).
    if (url.protocol === 'http:' && isLoopback(url)) execute.push(client.allowInsecureRequests);
    const fetchImpl = deps.fetchImpl;
    return client.discovery(url, issuer.clientId, issuer.clientSecret, client.ClientSecretPost(issuer.clientSecret), {
      timeout: REQUEST_TIMEOUT_SECONDS,
      execute,
      ...(fetchImpl ? { [client.customFetch]: (target: string, init: RequestInit) => fetchImpl(target, init) } : {}),
    });
  }

  async function configuration(issuer: OidcIssuer): Promise<client.Configuration> {
    const nowMs = deps.now().getTime();
    let entry = cache.get(issuer.id);
    if (!entry || nowMs - entry.fetchedAtMs > DISCOVERY_TTL_MS) {
      entry = { configuration: discover(issuer), fetchedAtMs: nowMs };
      cache.set(issuer.id, entry);
    }
    try {
      return await entry.configuration;
    } catch (err) {
      if (cache.get(issuer.id) === entry) cache.delete(issuer.id);
      throw upstream('discovery', err);
    }
  }

  return {
    async authorizationUrl(
      issuer: OidcIssuer,
      params: { redirectUri: string; state: string; nonce: string; codeVerifier: string },
    ): Promise<string> {
      const config = await configuration(issuer);
      const url = client.buildAuthorizationUrl(config, {
        response_type: 'code',
        redirect_uri: params.redirectUri,
        scope: SCOPE,
        state: params.state,
        nonce: params.nonce,
        code_challenge: await client.calculatePKCECodeChallenge(params.codeVerifier),
        code_challenge_method: 'S256',
      });
      return url.toString();
    },

    /**
     * Redeems the code (with the PKCE verifier), checks the ID token (signature against the
     * issuer's JWKS, iss, aud, azp, exp, iat, nonce) and reads the person's email: from the ID token,
     * or from UserInfo when the provider keeps scope claims there (as the spec's code flow does).
     */
    async exchange(
      issuer: OidcIssuer,
      params: { redirectUri: string; response: URLSearchParams; codeVerifier: string; nonce: string; state: string },
    ): Promise<VerifiedIdentity> {
      const config = await configuration(issuer);
      const callbackUrl = new URL(params.redirectUri);
      for (const [key, value] of params.response) callbackUrl.searchParams.set(key, value);
      let tokens: Awaited<ReturnType<typeof client.authorizationCodeGrant>>;
      try {
        tokens = await client.authorizationCodeGrant(config, callbackUrl, {
          pkceCodeVerifier: params.codeVerifier,
          expectedNonce: params.nonce,
          expectedState: params.state,
          idTokenExpected: true,
        });
      } catch (err) {
        throw classifyExchangeError(err);
      }
      const claims = tokens.claims();
      if (!claims) throw oidcFailed('id_token_invalid');
      let profile: Record<string, unknown> = claims;
      const hasUserInfo = config.serverMetadata().userinfo_endpoint !== undefined;
      if (hasUserInfo && (claims.email === undefined || claims.email_verified === undefined)) {
        try {
          profile = { ...claims, ...(await client.fetchUserInfo(config, tokens.access_token, claims.sub)) };
        } catch (err) {
          throw upstream('userinfo', err);
        }
      }
      return {
        subject: claims.sub,
        email: typeof profile.email === 'string' ? profile.email : undefined,
        emailVerified: profile.email_verified,
        name: typeof profile.name === 'string' ? profile.name : undefined,
      };
    },
  };
}
