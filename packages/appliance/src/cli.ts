import { parseArgs } from 'node:util';
import { AGENTS_USAGE, agentsCommand } from './agents/agents.cli';
import type { CliOutput } from './cli-output';
import { ConfigError, loadConfig } from './config';
import { startAppliance } from './daemon/appliance';
import { AlreadyRunningError } from './daemon/process-lock';
import { IdentityKeyError, loadOrCreateIdentityKey } from './identity/identity-key';
import { openStore, SchemaTooNewError } from './store';
import { CentralError } from './sync/central-client';
import { APPLIANCE_VERSION } from './version';
import { register } from './sync/register';
import { ROOT_ENV, SLOT_ENV } from './update/state';
import { RELEASE_USAGE, releaseCommand, SUPERVISE_USAGE, superviseCommand } from './update/update.cli';

const USAGE = `usage:
  osiris-appliance run --config <file>
      Runs the daemon: registers first if needed (provisionCode in the config or
      OSIRIS_APPLIANCE_PROVISION_CODE), then checks targets, uploads evidence, checks in and applies
      orders until SIGTERM or SIGINT. Prints the status page address.
  osiris-appliance register --config <file> [--code XXXX-XXXX-XXXX-XXXX]
      Registers with Central Command using a single-use provision code and prints the appliance id and site.
  osiris-appliance forget-host-key --config <file> --endpoint <host:port>
      Trusts a host's new SSH key: drops the pinned one so the next connection pins what the host presents.
      For a WinRM target's TLS certificate the endpoint is https://<host>:<port>.
      Only after checking the new key out of band (e.g. the host was reinstalled).
${AGENTS_USAGE}
${RELEASE_USAGE}
${SUPERVISE_USAGE}`;

const processOutput: CliOutput = {
  out: (line) => process.stdout.write(`${line}\n`),
  err: (line) => process.stderr.write(`${line}\n`),
};

/** Errors we expect and can explain; anything else is a bug and keeps its stack. */
const isExplained = (error: unknown): error is Error =>
  error instanceof ConfigError ||
  error instanceof CentralError ||
  error instanceof IdentityKeyError ||
  error instanceof SchemaTooNewError ||
  error instanceof AlreadyRunningError;

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

async function runCommand(args: string[], env: Record<string, string | undefined>, io: CliOutput) {
  const { values } = parseArgs({ args, options: { config: { type: 'string' } }, strict: true });
  if (!values.config) {
    io.err(USAGE);
    return 2;
  }
  const config = loadConfig(values.config, env);
  // Handlers first and kept until the end: a signal during start-up or a second one during the
  // clean stop must not fall through to Node's default (die at once, mid-write).
  let requested: NodeJS.Signals | null = null;
  let wake: () => void = () => undefined;
  const startup = new AbortController();
  const stop = (signal: NodeJS.Signals, line: string) => {
    if (requested) return;
    requested = signal;
    io.out(line);
    startup.abort();
    wake();
  };
  const onSignal = (signal: NodeJS.Signals) => stop(signal, `${signal}: stopping`);
  process.on('SIGTERM', onSignal);
  process.on('SIGINT', onSignal);
  // Self-update: the daemon asks to stop with a code the supervisor acts on (docs/updates.md).
  let exitCode = 0;
  const requestExit = (code: number, reason: string) => {
    if (requested) return;
    exitCode = code;
    stop('SIGTERM', `stopping with exit code ${code}: ${reason}`);
  };
  try {
    let appliance: Awaited<ReturnType<typeof startAppliance>>;
    try {
      const update = { slot: env[SLOT_ENV] ?? null, root: env[ROOT_ENV] ?? null, requestExit };
      appliance = await startAppliance({ config, signal: startup.signal, update });
    } catch (error) {
      if (requested) return exitCode; // stopped while still starting (e.g. waiting for central to register)
      throw error;
    }
    io.out(
      `appliance ${appliance.applianceId} running${appliance.statusUrl ? `; status page ${appliance.statusUrl}` : ''}`,
    );
    if (!requested)
      await new Promise<void>((resolve) => {
        wake = resolve;
      });
    await appliance.stop();
    return exitCode;
  } finally {
    process.off('SIGTERM', onSignal);
    process.off('SIGINT', onSignal);
  }
}

async function forgetHostKeyCommand(args: string[], env: Record<string, string | undefined>, io: CliOutput) {
  const { values } = parseArgs({
    args,
    options: { config: { type: 'string' }, endpoint: { type: 'string' } },
    strict: true,
  });
  if (!values.config || !values.endpoint) {
    io.err(USAGE);
    return 2;
  }
  const store = openStore(loadConfig(values.config, env).dataDir);
  try {
    const forgotten = store.hostKeyPins.forget(values.endpoint);
    io.out(
      forgotten ? `forgot the pinned host key of ${values.endpoint}` : `no host key is pinned for ${values.endpoint}`,
    );
    return forgotten ? 0 : 1;
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
    if (command === 'run') return await runCommand(rest, env, io);
    if (command === 'forget-host-key') return await forgetHostKeyCommand(rest, env, io);
    if (command === 'agents') return await agentsCommand(rest, env, io);
    if (command === 'release') return await releaseCommand(rest, env, io);
    if (command === 'supervise') return await superviseCommand(rest, env, io);
    if (command === '--version' || command === 'version') {
      io.out(APPLIANCE_VERSION);
      return 0;
    }
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
