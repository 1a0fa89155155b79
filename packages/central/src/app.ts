import fastifyCookie from '@fastify/cookie';
import fastifyCors from '@fastify/cors';
import Fastify from 'fastify';
import type { DestinationStream } from 'pino';
import { serializerCompiler, validatorCompiler, type ZodTypeProvider } from 'fastify-type-provider-zod';
import { checksForFrameworkControl, controlOf, FrameworkId, type NotificationEvent } from '@osiris/protocol';
import { type Executor, SYSTEM_ACTOR } from './platform/context';
import type { Config } from './config';
import { createAccountsModule, createPeopleModule } from './modules/accounts';
import { createAppliancesModule } from './modules/appliances';
import { registerGatewayRoutes } from './gateway/gateway.routes';
import { createAuditModule } from './modules/audit';
import { createApiKeysModule } from './modules/api-keys';
import { createBrandingModule } from './modules/branding';
import { createEmailModule } from './modules/email';
import { createNotificationsModule } from './modules/notifications';
import { createOidcService } from './modules/oidc';
import { createTransfersModule } from './modules/transfers';
import { createEscalationsModule } from './modules/escalations';
import { createExceptionsModule } from './modules/exceptions';
import { createExportsModule } from './modules/exports';
import { createFleetModule } from './modules/fleet';
import { createComplianceModule } from './modules/compliance';
import { createLearningModule } from './modules/learning';
import { createEvidenceModule } from './modules/evidence';
import { createOrdersModule } from './modules/orders';
import { createOverviewModule } from './modules/overview';
import { createPacketsModule } from './modules/packets';
import { createHostsModule } from './modules/hosts';
import { createPartnersModule } from './modules/partners';
import { createPracticesModule } from './modules/practices';
import { createRetentionModule } from './modules/retention';
import { createSitesModule } from './modules/sites';
import { createTimestamperFromConfig, type Timestamper } from './modules/timestamps';
import { createTransparencyModule } from './modules/transparency';
import { createWorkstationsModule } from './modules/workstations';
import { fileURLToPath } from 'node:url';
import { registerAuth } from './platform/auth';
import { registerWebApp } from './platform/web-app';
import { createAuthorizer } from './platform/authorize';
import type { Database } from './platform/db';
import { registerDocs } from './platform/docs';
import { AppError, errorHandler } from './platform/errors';
import { registerHealthRoutes } from './platform/health';
import { createJobRunner } from './platform/jobs';
import type { App } from './platform/http';
import { loggerOptions } from './platform/logger';
import { loadOrderSigningKey } from './platform/order-signing-key';
import { createRateLimiter, registerApplianceRateLimit, registerIpRateLimit } from './platform/rate-limit';
import { createKeyring, loadServerSecret } from './platform/secrets';
import { registerSecurityHeaders } from './platform/security-headers';

export interface AppDeps {
  config: Config;
  database: Database;
  now?: () => Date;
  /** Where logs go (default stdout); tests capture them here. */
  logStream?: DestinationStream;
  /** RFC 3161 time-stamping of tree heads (none by default). */
  timestamper?: Timestamper;
}

/** Build Central Command: every plugin and module, no listen(). Tests build the same app. */
export async function buildApp(deps: AppDeps) {
  const { config, database } = deps;
  const { db } = database;
  const app = Fastify({
    logger: deps.logStream
      ? { ...loggerOptions(config.LOG_LEVEL), stream: deps.logStream }
      : loggerOptions(config.LOG_LEVEL),
    bodyLimit: config.BODY_LIMIT_BYTES,
    trustProxy: config.TRUST_PROXY,
    genReqId: () => crypto.randomUUID(),
    requestIdHeader: false,
    ajv: { customOptions: { removeAdditional: false } },
  }).withTypeProvider<ZodTypeProvider>() as App;

  // JSON only: without this, Fastify's built-in text/plain parser lets a string reach validation.
  app.removeContentTypeParser('text/plain');
  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);
  app.setErrorHandler(errorHandler);
  app.setNotFoundHandler((request) => {
    throw new AppError('NOT_FOUND', `No route ${request.method} ${request.url.split('?')[0]}`);
  });
  app.addHook('onSend', async (request, reply, payload) => {
    reply.header('x-request-id', String(request.id));
    return payload;
  });

  registerSecurityHeaders(app);
  await app.register(fastifyCookie);
  if (config.CORS_ORIGINS.length > 0) {
    await app.register(fastifyCors, { origin: config.CORS_ORIGINS, credentials: true });
  }

  const keyring = createKeyring(await loadServerSecret(db, config.SESSION_SECRET));
  const rateLimiter = createRateLimiter(db);
  registerIpRateLimit(app, rateLimiter, config.RATE_LIMIT_PER_MINUTE);

  const audit = createAuditModule(db);
  const accounts = createAccountsModule({ db, config, keyring, audit: audit.service, rateLimiter, now: deps.now });
  const authorize = createAuthorizer(db);
  const apiKeys = createApiKeysModule({ db, audit: audit.service, authorize, keyring, now: deps.now });
  const routeTable = registerAuth(app, {
    resolveSession: (token) => accounts.auth.resolveSession(token),
    resolveApiKey: (token) => apiKeys.service.resolve(token),
    resolveAppliance: (token) => appliances.registration.resolveToken(token),
    recordDenied: (actor, action, details) => audit.service.recordEvent(actor, { action, outcome: 'denied', details }),
    cookieSecure: config.COOKIE_SECURE,
  });
  // After authentication, so it knows which appliance is calling.
  registerApplianceRateLimit(app, rateLimiter, config.APPLIANCE_RATE_LIMIT_PER_MINUTE);

  const partners = createPartnersModule({ db, audit: audit.service, authorize });
  const practices = createPracticesModule({ db, audit: audit.service, authorize, partners: partners.service });
  const sites = createSitesModule({ db, audit: audit.service, authorize, practices: practices.service });
  const hosts = createHostsModule({ db, audit: audit.service, authorize, sites: sites.service });
  const orderSigningKey = await loadOrderSigningKey(db, keyring);
  const appliances = createAppliancesModule({
    authorize,
    db,
    audit: audit.service,
    keyring,
    orderSigningKey,
    sites: sites.service,
    now: deps.now,
  });

  await registerDocs(app, config.DOCS_ENABLED);
  registerHealthRoutes(app, database);
  const transparency = await createTransparencyModule({
    db,
    keyring,
    authorize,
    // Tree heads are timestamped by the RFC 3161 authority at TSA_URL, when one is configured.
    timestamper: deps.timestamper ?? createTimestamperFromConfig(config) ?? undefined,
    now: deps.now,
  });
  const evidence = createEvidenceModule({
    log: transparency.writer,
    logger: app.log,
    authorize,
    db,
    audit: audit.service,
    appliances: appliances.service,
    hosts: hosts.service,
    now: deps.now,
  });
  const orders = createOrdersModule({
    authorize,
    db,
    audit: audit.service,
    appliances: appliances.service,
    signingKey: orderSigningKey,
    now: deps.now,
  });
  const publicUrl = (config.PUBLIC_URL ?? `http://${config.HOST}:${config.PORT}`).replace(/\/$/, '');
  /**
   * Modules tell people through the notifications module, inside their own transaction; links go
   * to `/go/<page>`, which the web app opens in the reader's own face. (Created further down: the
   * closure runs only once requests arrive.)
   */
  const notify = async (
    trx: Executor,
    { mustReachPlatform, ...event }: Omit<NotificationEvent, 'link'> & { link: string; mustReachPlatform?: true },
  ) => {
    const link = `${publicUrl}/go${event.link}`;
    const published = await notifications.service.publish({ ...event, link }, trx);
    // What must reach the platform goes by email to each platform admin when no platform channel takes it.
    if (mustReachPlatform && published.platformChannels === 0)
      for (const to of await accounts.service.platformAdminEmails(trx))
        await email.service.enqueue(trx, {
          to,
          template: 'notification',
          data: {
            title: event.title,
            lines: [event.body],
            link,
            channelName: 'platform admins (no platform notification channel is routed for this)',
          },
        });
  };
  const escalations = createEscalationsModule({
    authorize,
    db,
    audit: audit.service,
    orders: orders.service,
    notify,
    now: deps.now,
  });
  const learning = createLearningModule({ db, audit: audit.service, orders: orders.service, now: deps.now });
  const compliance = createComplianceModule({ db, audit: audit.service, authorize, log: app.log, now: deps.now });
  const exceptions = createExceptionsModule({
    db,
    audit: audit.service,
    orders: orders.service,
    authorize,
    notify,
    checksOfControl: (framework, controlId) => {
      const known = FrameworkId.safeParse(framework);
      return known.success && controlOf(known.data, controlId)
        ? checksForFrameworkControl(known.data, controlId)
        : null;
    },
    now: deps.now,
  });
  const workstations = createWorkstationsModule({
    db,
    audit: audit.service,
    orders: orders.service,
    authorize,
    now: deps.now,
  });
  const fleet = createFleetModule({
    db,
    audit: audit.service,
    orders: orders.service,
    releasePublicKeys: config.RELEASE_PUBLIC_KEYS,
    now: deps.now,
  });
  const email = createEmailModule({ db, config, log: app.log, now: deps.now });
  const notifications = createNotificationsModule({
    db,
    audit: audit.service,
    authorize,
    keyring,
    email: email.service,
    config,
    log: app.log,
    now: deps.now,
  });
  const branding = createBrandingModule({ db, audit: audit.service, authorize, now: deps.now });
  const transfers = createTransfersModule({
    db,
    audit: audit.service,
    authorize,
    partners: partners.service,
    email: email.service,
    now: deps.now,
  });
  const overview = createOverviewModule({ db, now: deps.now });
  const packets = createPacketsModule({
    db,
    audit: audit.service,
    authorize,
    computePractice: (practiceId, at) => compliance.service.computePractice(practiceId, at),
    practiceHistory: (practiceId, days) => compliance.snapshots.history(SYSTEM_ACTOR, 'practice', practiceId, { days }),
    branding: (partnerId) => branding.service.get(SYSTEM_ACTOR, partnerId),
    logo: (partnerId) => branding.service.getLogo(SYSTEM_ACTOR, partnerId),
    log: app.log,
    now: deps.now,
  });
  const retention = createRetentionModule({ db, audit: audit.service, authorize, log: app.log, now: deps.now });
  const evidenceExports = createExportsModule({
    db,
    audit: audit.service,
    authorize,
    proofs: transparency.proofs,
    signingKey: transparency.signingKey,
    packets: packets.service,
    tsaTrustedCertsFile: config.TSA_TRUSTED_CERTS_FILE,
    now: deps.now,
  });
  const oidc = createOidcService({ db, issuers: config.OIDC_ISSUERS, publicUrl, now: deps.now });
  const people = createPeopleModule({
    db,
    config,
    keyring,
    audit: audit.service,
    authorize,
    auth: accounts.auth,
    email: email.service,
    oidc,
    partners: partners.service,
    practices: practices.service,
    rateLimiter,
    publicUrl,
    now: deps.now ?? (() => new Date()),
  });
  for (const module of [
    accounts,
    people,
    audit,
    partners,
    practices,
    sites,
    hosts,
    appliances,
    evidence,
    orders,
    escalations,
    learning,
    apiKeys,
    branding,
    transfers,
    overview,
    exceptions,
    workstations,
    notifications,
    compliance,
    transparency,
    packets,
    evidenceExports,
    retention,
    fleet,
  ]) {
    module.routes(app);
  }
  registerWebApp(app, config.WEB_DIR ?? fileURLToPath(new URL('../../web/dist', import.meta.url)));
  registerGatewayRoutes(app, {
    registration: appliances.registration,
    evidence: evidence.service,
    orders: orders.service,
    escalations: escalations.service,
    learning: learning.service,
    exceptions: exceptions.service,
    workstations: workstations.service,
    proofs: transparency.proofs,
  });

  const pruneTimer = setInterval(() => {
    rateLimiter.prune().catch((error) => app.log.warn({ err: error }, 'rate-limit prune failed'));
    accounts.auth.pruneExpiredSessions().catch((error) => app.log.warn({ err: error }, 'session prune failed'));
    people.signInLinks.purge().catch((error) => app.log.warn({ err: error }, 'sign-in link purge failed'));
    oidc.purge().catch((error) => app.log.warn({ err: error }, 'OIDC state purge failed'));
  }, 10 * 60_000);
  pruneTimer.unref();
  app.addHook('onClose', async () => clearInterval(pruneTimer));
  const jobs = createJobRunner(app.log, [
    { name: 'exceptions.expire', everyMs: 60_000, run: () => exceptions.service.expireDue() },
    { name: 'escalations.breach', everyMs: 30_000, run: () => escalations.service.breachDue() },
    { name: 'scores.snapshot', everyMs: 60 * 60_000, run: () => compliance.snapshots.snapshotAll() },
    { name: 'transparency.tree-head', everyMs: 15_000, run: transparency.runJob },
    { name: 'scores.verify', everyMs: 10 * 60_000, run: async () => (await compliance.snapshots.verify()).mismatched },
    { name: 'fleet.rollouts', everyMs: config.ROLLOUT_TICK_SECONDS * 1000, run: () => fleet.tick() },
    { name: 'packets.monthly', everyMs: 60 * 60_000, run: () => packets.service.makeMonthly() },
    {
      name: 'retention.purge',
      everyMs: 24 * 60 * 60_000,
      run: async () => {
        const done = await retention.purge.purgeDue();
        return done.purged + done.blocked;
      },
    },
  ]);
  if (config.JOBS_ENABLED) app.addHook('onReady', async () => jobs.start());
  app.addHook('onClose', async () => jobs.stop());
  // A background drain of the transparency log finishes before the database closes.
  app.addHook('onClose', async () => transparency.writer.settle());
  // Mail goes out from a loop of its own; it stops (bounded) before the database closes.
  app.addHook('onReady', async () => email.service.start());
  app.addHook('onClose', async () => email.service.stop());
  app.addHook('onReady', async () => notifications.service.start());
  app.addHook('onClose', async () => notifications.service.stop());

  return {
    app,
    routeTable,
    services: {
      audit: audit.service,
      accounts: accounts.service,
      auth: accounts.auth,
      partners: partners.service,
      practices: practices.service,
      sites: sites.service,
      hosts: hosts.service,
      appliances: appliances.service,
      email: email.service,
      notifications: notifications.service,
      members: people.members,
      exceptions: exceptions.service,
      escalations: escalations.service,
      compliance: compliance.service,
      snapshots: compliance.snapshots,
      packets: packets.service,
      transparency: transparency.writer,
      exports: evidenceExports.service,
      retention: retention.service,
      retentionPurge: retention.purge,
      fleet,
    },
    jobs,
  };
}

export type BuiltApp = Awaited<ReturnType<typeof buildApp>>;
