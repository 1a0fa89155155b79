import type { Kysely } from 'kysely';
import type { Config } from '../../config';
import type { DB } from '../../platform/db-schema';
import type { App } from '../../platform/http';
import type { RateLimiter } from '../../platform/rate-limit';
import type { Keyring } from '../../platform/secrets';
import type { AuditService } from '../audit';
import { registerAccountsRoutes } from './accounts.routes';
import { createAccountsService } from './accounts.service';
import { createAccountsStore } from './accounts.store';
import { registerAuthRoutes } from './auth.routes';
import { registerCredentialsRoutes } from './credentials.routes';
import { createCredentialsService } from './credentials.service';
import { createFailureCounter } from './lockout';
import { createAuthService } from './auth.service';
import { createPasswordHasher } from './password';

export { createPasswordHasher } from './password';

export function createAccountsModule(deps: {
  db: Kysely<DB>;
  config: Config;
  keyring: Keyring;
  audit: AuditService;
  rateLimiter: RateLimiter;
  now?: (() => Date) | undefined;
}) {
  const { config } = deps;
  const now = deps.now ?? (() => new Date());
  const store = createAccountsStore();
  const hasher = createPasswordHasher({
    memoryKib: config.ARGON2_MEMORY_KIB,
    iterations: config.ARGON2_ITERATIONS,
    parallelism: config.ARGON2_PARALLELISM,
  });
  const base = { db: deps.db, store, audit: deps.audit, hasher, keyring: deps.keyring, now };
  const recordFailure = createFailureCounter(base);
  const auth = createAuthService({
    ...base,
    recordFailure,
    rateLimiter: deps.rateLimiter,
    limits: { perIp: config.LOGIN_LIMIT_PER_IP, perAccount: config.LOGIN_LIMIT_PER_ACCOUNT },
  });
  const credentials = createCredentialsService({ ...base, recordFailure });
  const publicUrl = (config.PUBLIC_URL ?? `http://${config.HOST}:${config.PORT}`).replace(/\/$/, '');
  const service = createAccountsService({ ...base, publicUrl });
  return {
    service,
    auth,
    credentials,
    routes(app: App) {
      registerAuthRoutes(app, auth, config.COOKIE_SECURE);
      registerCredentialsRoutes(app, credentials);
      registerAccountsRoutes(app, service, auth);
    },
  };
}
export { createPeopleModule } from './people';
