import { parseArgs } from 'node:util';
import { ConfigError } from './agent-config';

export interface CliArgs {
  configPath?: string;
  appliance?: string;
  dataDir?: string;
  isDryRun: boolean;
  isVersion: boolean;
  isHelp: boolean;
}

export const USAGE = `Usage: osiris-agent [options]
  --config <path>          config file (JSON); default per OS, e.g. /etc/osiris-agent/config.json
  --appliance <host:port>  appliance agent endpoint (overrides the config file)
  --data-dir <path>        state directory (overrides the config file)
  --dry-run                run every check once, print PASS/FAIL/ERROR/UNSUPPORTED, never connect
  --version                print the version and exit
  --help                   this text`;

export function parseCliArgs(argv: readonly string[]): CliArgs {
  try {
    const { values } = parseArgs({
      args: [...argv],
      strict: true,
      allowPositionals: false,
      options: {
        config: { type: 'string' },
        appliance: { type: 'string' },
        'data-dir': { type: 'string' },
        'dry-run': { type: 'boolean', default: false },
        version: { type: 'boolean', default: false },
        help: { type: 'boolean', default: false },
      },
    });
    return {
      ...(values.config === undefined ? {} : { configPath: values.config }),
      ...(values.appliance === undefined ? {} : { appliance: values.appliance }),
      ...(values['data-dir'] === undefined ? {} : { dataDir: values['data-dir'] }),
      isDryRun: values['dry-run'] ?? false,
      isVersion: values.version ?? false,
      isHelp: values.help ?? false,
    };
  } catch (error) {
    throw new ConfigError(`${error instanceof Error ? error.message : String(error)}\n${USAGE}`);
  }
}
