import { loadConfig } from './config';
import { startServer } from './server';

/** Central Command alone: read config, then start the server (which stops itself on SIGTERM). */
startServer(loadConfig(), (message) => process.stderr.write(`${message}\n`)).catch((error: Error) => {
  process.stderr.write(`Central Command failed to start: ${error.message}\n`);
  process.exit(1);
});
