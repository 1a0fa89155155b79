import type { Kysely } from 'kysely';
import type { Config } from '../../config';
import type { DB } from '../../platform/db-schema';
import { createEmailService } from './email.service';
import { createEmailStore } from './email.store';

export type { EmailService } from './email.service';

type EmailServiceDeps = Parameters<typeof createEmailService>[0];

/**
 * Outgoing email, no HTTP routes. Wire with app.log; call service.start() once the app is up,
 * service.wake() after a commit that enqueued mail, and service.stop() on shutdown.
 */
export function createEmailModule(deps: {
  db: Kysely<DB>;
  config: Pick<Config, 'SMTP_URL' | 'EMAIL_FROM' | 'EMAIL_MAX_ATTEMPTS'>;
  log: EmailServiceDeps['log'];
  now?: (() => Date) | undefined;
  transport?: EmailServiceDeps['transport'];
}) {
  const service = createEmailService({ ...deps, store: createEmailStore(), now: deps.now ?? (() => new Date()) });
  return { service };
}
