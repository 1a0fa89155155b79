import { buildApp } from './app';
import type { Config } from './config';
import { openDatabase } from './platform/db';
import { migrate } from './platform/migrations';
import { createShutdown } from './platform/shutdown';

/**
 * Opens the database, migrates, builds the app and listens; stops everything on SIGTERM/SIGINT.
 * `main.ts` runs it alone; the demo launcher (`npm start`) adds a demo appliance to `shutdown`.
 */
export async function startServer(config: Config, log: (message: string) => void) {
  // Handlers first: a SIGTERM during start-up still closes what has been opened so far.
  const shutdown = createShutdown(config.SHUTDOWN_GRACE_MS);
  shutdown.listen(log);
  const database = await openDatabase({
    databaseUrl: config.DATABASE_URL,
    dataDir: config.DATA_DIR,
    poolSize: config.DATABASE_POOL_SIZE,
    onPoolError: (error) => log(`database connection lost: ${error.message}`),
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
  return { url, app, services, database, shutdown };
}
export type RunningServer = Awaited<ReturnType<typeof startServer>>;
