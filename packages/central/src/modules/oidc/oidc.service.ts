import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { Email } from '@osiris/protocol';
import type { Kysely } from 'kysely';
import type { DB } from '../../platform/db-schema';
import { AppError, notFound } from '../../platform/errors';
import { createOidcClients, type OidcIssuer, oidcFailed } from './oidc.client';
import type { OidcLoginStateRow, OidcStore } from './oidc.store';

type OidcPurpose = 'partner_signup' | 'partner_signin';

/** An authorization request is good for this long after `begin`. */
const STATE_TTL_MS = 10 * 60 * 1000;
/** `purge` keeps expired rows this long (for looking into a failed sign-in). */
const KEEP_EXPIRED_MS = 24 * 60 * 60 * 1000;
const MAX_PARAM_LENGTH = 2048;
const MAX_RETURN_TO_LENGTH = 512;
const MAX_NAME_LENGTH = 200;

/** 256 bits from the CSPRNG, base64url: state, nonce, PKCE verifier (43 chars) and browser binding. */
const randomToken = () => randomBytes(32).toString('base64url');
const sha256 = (value: string) => createHash('sha256').update(value).digest('hex');
const isParam = (value: unknown): value is string =>
  typeof value === 'string' && value.length > 0 && value.length <= MAX_PARAM_LENGTH;

function sameHash(a: string, b: string): boolean {
  const left = Buffer.from(a, 'hex');
  const right = Buffer.from(b, 'hex');
  return left.length === right.length && timingSafeEqual(left, right);
}

/** A path on this site ("/partners/new?x=1"), or null: never "//host", "/\host", a scheme or control characters. */
function safeReturnTo(value: string | undefined): string | null {
  if (value === undefined || value.length > MAX_RETURN_TO_LENGTH) return null;
  if (!value.startsWith('/') || value.startsWith('//') || /[\\\p{Cc}]/u.test(value)) return null;
  const base = 'http://return-to.invalid';
  try {
    return new URL(value, base).origin === base ? value : null;
  } catch {
    return null;
  }
}

/** Adds the issuer to an OIDC_FAILED raised after the state told us which issuer it was. */
function withIssuer(err: unknown, issuerId: string): unknown {
  if (!(err instanceof AppError) || err.code !== 'OIDC_FAILED') return err;
  return new AppError(err.code, err.message, { details: { ...(err.details as object), issuerId } });
}

/**
 * The OpenID Connect relying party partners sign up and sign in with: authorization code + PKCE
 * (S256), with state and nonce single use for 10 minutes and tied to the browser that started.
 */
export function createOidcService(deps: {
  db: Kysely<DB>;
  store: OidcStore;
  issuers: OidcIssuer[];
  publicUrl: string;
  now: () => Date;
  fetchImpl?: typeof fetch | undefined;
}) {
  const { db, store, now } = deps;
  const redirectUri = `${deps.publicUrl.replace(/\/+$/, '')}/v1/auth/oidc/callback`;
  const byId = new Map(deps.issuers.map((issuer) => [issuer.id, issuer]));
  const clients = createOidcClients({ fetchImpl: deps.fetchImpl, now });

  /**
   * Checks the state and uses it up, in one transaction holding the row lock, before any request
   * to the provider: a second callback with the same state (even one racing this) is refused.
   * A callback from another browser does not use the state up, so it cannot spoil the real one.
   */
  async function takeState(state: unknown, browserBinding: string | undefined): Promise<OidcLoginStateRow> {
    if (!isParam(state)) throw oidcFailed('state_invalid');
    const stateHash = sha256(state);
    const at = now();
    return db.transaction().execute(async (trx) => {
      const row = await store.forUpdate(trx, stateHash);
      if (!row) throw oidcFailed('state_invalid');
      const issuerId = row.issuer_id;
      if (row.used_at !== null || row.code_verifier === null) throw oidcFailed('state_replayed', { issuerId });
      if (row.expires_at.getTime() <= at.getTime()) throw oidcFailed('state_expired', { issuerId });
      if (!isParam(browserBinding) || !sameHash(sha256(browserBinding), row.browser_hash)) {
        throw oidcFailed('browser_mismatch', { issuerId });
      }
      await store.markUsed(trx, stateHash, at);
      return row;
    });
  }

  return {
    issuers: (): { id: string; label: string }[] => deps.issuers.map(({ id, label }) => ({ id, label })),

    /** Starts a sign-in: the URL to send the browser to, and the value to bind to it in a cookie. */
    async begin(input: {
      issuerId: string;
      purpose: OidcPurpose;
      returnTo?: string;
    }): Promise<{ authorizationUrl: string; browserBinding: string }> {
      const issuer = byId.get(input.issuerId);
      if (!issuer) throw notFound('Identity provider');
      const [state, nonce, codeVerifier, browserBinding] = [randomToken(), randomToken(), randomToken(), randomToken()];
      const authorizationUrl = await clients.authorizationUrl(issuer, { redirectUri, state, nonce, codeVerifier });
      const at = now();
      await store.insert(db, {
        state_hash: sha256(state),
        issuer_id: issuer.id,
        nonce,
        code_verifier: codeVerifier,
        browser_hash: sha256(browserBinding),
        purpose: input.purpose,
        return_to: safeReturnTo(input.returnTo),
        created_at: at,
        expires_at: new Date(at.getTime() + STATE_TTL_MS),
      });
      return { authorizationUrl, browserBinding };
    },

    /** The callback: checks state, browser and code, then the ID token; answers who signed in. */
    async complete(input: { query: Record<string, string | undefined>; browserBinding: string | undefined }): Promise<{
      issuerId: string;
      subject: string;
      email: string;
      emailVerified: true;
      name: string | null;
      purpose: OidcPurpose;
      returnTo: string | null;
    }> {
      const { query } = input;
      if (query.error !== undefined) {
        // The attempt is over either way: use the state up when it is ours, then report the refusal.
        const issuerId = await takeState(query.state, input.browserBinding).then(
          (row) => row.issuer_id,
          () => undefined,
        );
        const providerError = /^[a-z_]{1,64}$/.test(query.error) ? query.error : 'unknown';
        throw oidcFailed('provider_error', { providerError, ...(issuerId ? { issuerId } : {}) });
      }
      const row = await takeState(query.state, input.browserBinding);
      const issuer = byId.get(row.issuer_id);
      if (!issuer) throw oidcFailed('state_invalid', { issuerId: row.issuer_id });
      if (!isParam(query.code)) throw oidcFailed('code_rejected', { issuerId: issuer.id });
      const response = new URLSearchParams({ code: query.code, state: query.state as string });
      if (query.iss !== undefined) response.set('iss', query.iss);

      const identity = await clients
        .exchange(issuer, {
          redirectUri,
          response,
          codeVerifier: row.code_verifier as string,
          nonce: row.nonce,
          state: query.state as string,
        })
        .catch((err: unknown) => {
          throw withIssuer(err, issuer.id);
        });
      const email = Email.safeParse(identity.email);
      if (!email.success || identity.emailVerified !== true) {
        throw new AppError('EMAIL_UNVERIFIED', 'The identity provider does not vouch for an email address', {
          details: { issuerId: issuer.id },
        });
      }
      const name = identity.name?.trim().slice(0, MAX_NAME_LENGTH);
      return {
        issuerId: issuer.id,
        subject: identity.subject,
        email: email.data,
        emailVerified: true,
        name: name ? name : null,
        purpose: row.purpose as OidcPurpose,
        returnTo: row.return_to,
      };
    },

    /** Deletes rows that expired more than a day ago; returns how many. */
    purge: (): Promise<number> => store.deleteExpired(db, new Date(now().getTime() - KEEP_EXPIRED_MS)),
  };
}
