import type { Kysely } from 'kysely';
import type { DB } from '../../platform/db-schema';
import type { OidcIssuer } from './oidc.client';
import { createOidcService as createService } from './oidc.service';
import { createOidcStore } from './oidc.store';

/** The OpenID Connect relying party (no routes here: the auth routes call begin/complete). */
export function createOidcService(deps: {
  db: Kysely<DB>;
  issuers: OidcIssuer[];
  publicUrl: string;
  now?: (() => Date) | undefined;
  /** For tests and proxies: the fetch used for discovery, token, JWKS and UserInfo requests. */
  fetchImpl?: typeof fetch | undefined;
}) {
  return createService({ ...deps, store: createOidcStore(), now: deps.now ?? (() => new Date()) });
}

export type OidcService = ReturnType<typeof createOidcService>;
