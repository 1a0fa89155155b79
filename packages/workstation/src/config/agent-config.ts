import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import type { AgentOs } from '../checks/check';

/** `host:port`, host a DNS name, IPv4 address or bracketed IPv6 address. */
const HostPort = z
  .string()
  .max(300)
  .regex(/^(?:\[[0-9a-fA-F:.]+\]|[A-Za-z0-9.-]{1,253}):(\d{1,5})$/, 'must be host:port, e.g. 192.168.1.10:50051')
  .refine((value) => {
    const port = Number(value.slice(value.lastIndexOf(':') + 1));
    return port >= 1 && port <= 65535;
  }, 'port must be 1-65535');

/** SHA-256 fingerprint as 64 hex digits, colons and case ignored. */
const Fingerprint = z
  .string()
  .max(100)
  .transform((value) => value.replace(/:/g, '').toLowerCase())
  .pipe(z.string().regex(/^[0-9a-f]{64}$/, 'must be a SHA-256 fingerprint (64 hex digits, colons allowed)'));

const CheckSetting = z.strictObject({
  check_id: z.string().regex(/^[a-z][a-z0-9_]{0,63}$/, 'lowercase snake case'),
  params: z.record(z.string().max(64), z.string().max(256)).default({}),
});

/** The agent's config file (JSON). Unknown keys are errors, so a typo never silently does nothing. */
const AgentConfigFile = z.strictObject({
  /** The site appliance's agent endpoint. */
  appliance: HostPort.optional(),
  /** TLS name to expect in the appliance's certificate when it differs from the host in `appliance`. */
  server_name: z.string().min(1).max(253).optional(),
  /** Where the agent keeps its database, key, certificate and pinned CA. */
  data_dir: z.string().min(1).max(1024).optional(),
  /** SHA-256 fingerprint of the site CA certificate, shipped next to the enrollment token. */
  ca_fingerprint_sha256: Fingerprint.optional(),
  /** File holding the site enrollment token (read once at enrollment, never logged). */
  enrollment_token_file: z.string().min(1).max(1024).optional(),
  /** Checks to run before the appliance sends its configuration; default: every check. */
  checks: z.array(CheckSetting).max(64).optional(),
  /** Bound of the offline queue (see the overflow policy in result-queue.ts). */
  queue_max_results: z.number().int().min(100).max(1_000_000).default(10_000),
  /** Timeout of one collector command. */
  command_timeout_seconds: z.number().int().min(1).max(600).default(60),
});
type AgentConfigFile = z.infer<typeof AgentConfigFile>;

interface AgentPaths {
  configFile: string;
  dataDir: string;
}

/** Where config and data live by default on each OS. */
export function defaultPaths(os: AgentOs | 'other', env: NodeJS.ProcessEnv = process.env): AgentPaths {
  if (os === 'windows') {
    const base = join(env.ProgramData ?? 'C:\\ProgramData', 'OsirisCare');
    return { configFile: join(base, 'config.json'), dataDir: base };
  }
  if (os === 'macos') {
    const base = '/Library/Application Support/OsirisCare';
    return { configFile: join(base, 'config.json'), dataDir: base };
  }
  return { configFile: '/etc/osiris-agent/config.json', dataDir: '/var/lib/osiris-agent' };
}

export class ConfigError extends Error {
  override name = 'ConfigError';
}

/** Parses config text; every problem is listed with its key path. */
export function parseAgentConfig(text: string, source: string): AgentConfigFile {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new ConfigError(`${source}: not valid JSON (${error instanceof Error ? error.message : String(error)})`);
  }
  const parsed = AgentConfigFile.safeParse(json);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((issue) => `  - ${issue.path.join('.') || '(root)'}: ${issue.message}`);
    throw new ConfigError(`${source}: invalid configuration\n${lines.join('\n')}`);
  }
  return parsed.data;
}

/**
 * Reads the config file. A missing file at the default location is an empty config (flags may
 * supply everything); a missing file named with --config is an error.
 */
function loadAgentConfig(path: string, isExplicit: boolean): AgentConfigFile {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    if (!isExplicit && (error as NodeJS.ErrnoException).code === 'ENOENT') return parseAgentConfig('{}', path);
    throw new ConfigError(`${path}: cannot read (${(error as NodeJS.ErrnoException).code ?? String(error)})`);
  }
  return parseAgentConfig(text, path);
}

export interface AgentSettings extends AgentConfigFile {
  configFile: string;
  dataDir: string;
}

/** The config file merged with command-line overrides (flags win), validated once. */
export function resolveSettings(
  args: { configPath?: string; appliance?: string; dataDir?: string },
  os: AgentOs | 'other',
  env: NodeJS.ProcessEnv = process.env,
): AgentSettings {
  const defaults = defaultPaths(os, env);
  const configFile = args.configPath ?? defaults.configFile;
  const file = loadAgentConfig(configFile, args.configPath !== undefined);
  const merged = parseAgentConfig(
    JSON.stringify({
      ...file,
      ...(args.appliance === undefined ? {} : { appliance: args.appliance }),
      ...(args.dataDir === undefined ? {} : { data_dir: args.dataDir }),
    }),
    `${configFile} with command-line flags`,
  );
  return { ...merged, configFile, dataDir: merged.data_dir ?? defaults.dataDir };
}
