import type { Kysely } from 'kysely';
import type { Authorizer } from '../../platform/authorize';
import type { DB } from '../../platform/db-schema';
import type { App } from '../../platform/http';
import type { Keyring } from '../../platform/secrets';
import type { AuditService } from '../audit';
import type { EmailService } from '../email';
import { createChannelsService, type NotificationsConfig } from './channels.service';
import { createDeliveriesStore } from './deliveries.store';
import { registerNotificationsRoutes } from './notifications.routes';
import { createNotificationsService } from './notifications.service';
import { createNotificationsStore } from './notifications.store';
import type { NotificationTables } from './notifications.tables';
import type { SmsProvider } from './sms-provider';

/**
 * Notifications: channels, routing rules and the delivery outbox. Call service.publish(event) from
 * other modules; start the worker with service.start() once the app is up, stop() on shutdown.
 */
export function createNotificationsModule(deps: {
  db: Kysely<DB>;
  audit: AuditService;
  authorize: Authorizer;
  keyring: Keyring;
  email: Pick<EmailService, 'enqueue' | 'wake'>;
  config: NotificationsConfig;
  log: Parameters<typeof createNotificationsService>[0]['log'];
  now?: (() => Date) | undefined;
  sms?: SmsProvider | undefined;
  intervalMs?: number | undefined;
}) {
  const db = deps.db.withTables<NotificationTables>();
  const now = deps.now ?? (() => new Date());
  const store = createNotificationsStore();
  const channels = createChannelsService({ ...deps, db, store, now });
  const service = createNotificationsService({
    ...deps,
    db,
    store,
    deliveries: createDeliveriesStore(),
    channels,
    now,
  });
  return { service, channels, routes: (app: App) => registerNotificationsRoutes(app, channels, service) };
}
