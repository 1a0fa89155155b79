import { loadConfig } from './config';
import { openDatabase } from './platform/db';
import { migrate } from './platform/migrations';

/** `npm run migrate`: apply pending migrations and exit. */
async function run(): Promise<void> {
  const config = loadConfig();
  const database = await openDatabase({ databaseUrl: config.DATABASE_URL, dataDir: config.DATA_DIR });
  try {
    const applied = await migrate(database);
    process.stdout.write(
      applied.length > 0 ? `Applied migrations: ${applied.join(', ')}\n` : 'Database is up to date.\n',
    );
  } finally {
    await database.close();
  }
}

run().catch((error: Error) => {
  process.stderr.write(`Migration failed: ${error.message}\n`);
  process.exit(1);
});
