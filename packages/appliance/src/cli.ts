import { parseArgs } from 'node:util';
import { ConfigError, loadConfig } from './config';
import { IdentityKeyError, loadOrCreateIdentityKey } from './identity/identity-key';
import { openStore, SchemaTooNewError } from './store';
import { CentralError } from './sync/central-client';
import { register } from './sync/register';

const USAGE = `usage: osiris-appliance register --config <file> [--code XXXX-XXXX-XXXX-XXXX]
Registers this appliance with Central Command using a single-use provision code (from --code, else
provisionCode in the config file or OSIRIS_APPLIANCE_PROVISION_CODE) and prints the appliance id and site.`;

export interface CliOutput {
  out(line: string): void;
  err(line: string): void;
}

const processOutput: CliOutput = {
  out: (line) => process.stdout.write(`${line}\n`),
  err: (line) => process.stderr.write(`${line}\n`),
};

/** Errors we expect and can explain; anything else is a bug and keeps its stack. */
const isExplained = (error: unknown): error is Error =>
  error instanceof ConfigError ||
  error instanceof CentralError ||
  error instanceof IdentityKeyError ||
  error instanceof SchemaTooNewError;

async function registerCommand(args: string[], env: Record<string, string | undefined>, io: CliOutput) {
  const { values } = parseArgs({
    args,
    options: { config: { type: 'string' }, code: { type: 'string' } },
    strict: true,
  });
  if (!values.config) {
    io.err(USAGE);
    return 2;
  }
  const loaded = loadConfig(values.config, env);
  const config = values.code ? { ...loaded, provisionCode: values.code } : loaded;
  const key = await loadOrCreateIdentityKey(config.dataDir);
  const store = openStore(config.dataDir);
  try {
    const registration = await register(config, store, key);
    io.out(`registered appliance ${registration.applianceId}`);
    io.out(`site ${registration.siteId}`);
    return 0;
  } finally {
    store.close();
  }
}

/** Runs one CLI command; returns the process exit code. */
export async function runCli(
  argv: string[],
  env: Record<string, string | undefined>,
  io: CliOutput = processOutput,
): Promise<number> {
  const [command, ...rest] = argv;
  try {
    if (command === 'register') return await registerCommand(rest, env, io);
    io.err(
      command === undefined || command === '--help' || command === 'help'
        ? USAGE
        : `unknown command ${command}\n${USAGE}`,
    );
    return command === '--help' || command === 'help' ? 0 : 2;
  } catch (error) {
    if (isExplained(error)) io.err(`osiris-appliance: ${error.message}`);
    else if ((error as { code?: string }).code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION')
      io.err(`${(error as Error).message}\n${USAGE}`);
    else throw error;
    return 1;
  }
}
