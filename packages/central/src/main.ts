import { buildApp } from './app';
import { loadConfig } from './config';
import { openDatabase } from './platform/db';
import { migrate } from './platform/migrations';
import { createShutdown } from './platform/shutdown';

/** Read config, open the database, migrate, build the app, listen. Nothing else. */
async function main(): Promise<void> {
  const config = loadConfig();
  // Handlers first: a SIGTERM during start-up still closes what has been opened so far.
  const shutdown = createShutdown(config.SHUTDOWN_GRACE_MS);
  shutdown.listen((message) => process.stderr.write(`${message}\n`));
  const database = await openDatabase({
    databaseUrl: config.DATABASE_URL,
    dataDir: config.DATA_DIR,
    poolSize: config.DATABASE_POOL_SIZE,
    onPoolError: (error) => process.stderr.write(`database connection lost: ${error.message}\n`),
  });
  shutdown.add('database', () => database.close());
  await migrate(database);
  const { app, services } = await buildApp({ config, database });
  shutdown.add('http', () => app.close());

  const admin = await services.accounts.bootstrapFirstAdmin(config.INITIAL_ADMIN_EMAIL);
  const address = await app.listen({ host: config.HOST, port: config.PORT });
  const url = address.replace('[::1]', 'localhost');
  const storage = database.kind === 'pglite' ? `embedded PGlite in ${config.DATA_DIR}` : 'PostgreSQL';
  const lines = [`OsirisCare Central Command listening on ${url} (${storage})`, `API docs: ${url}/v1/docs`];
  if (admin) {
    lines.push(
      '',
      'First start: an admin account was created. This password is shown ONCE; sign in and change it.',
      `  email:    ${admin.email}`,
      `  password: ${admin.password}`,
      '',
    );
  }
  process.stdout.write(`${lines.join('\n')}\n`);
}

main().catch((error: Error) => {
  process.stderr.write(`Central Command failed to start: ${error.message}\n`);
  process.exit(1);
});
