import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { PROVISION_CODE_PATTERN } from '@osiris/protocol';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';

/**
 * The appliance's one configuration schema: a YAML file, with a few top-level keys overridable by
 * OSIRIS_APPLIANCE_* environment variables. Parsed once at start; nothing else reads the environment.
 */

const LocalTarget = z.strictObject({
  name: z.string().trim().min(1).max(64),
  kind: z.literal('local'),
});

const SshTarget = z.strictObject({
  name: z.string().trim().min(1).max(64),
  kind: z.literal('ssh'),
  host: z.string().trim().min(1).max(253),
  port: z.number().int().min(1).max(65_535).default(22),
  user: z.string().trim().min(1).max(64),
  keyPath: z.string().trim().min(1).max(4096),
});

const Target = z.discriminatedUnion('kind', [LocalTarget, SshTarget]);

export const ApplianceConfig = z
  .strictObject({
    /** Central Command's base URL, e.g. https://central.example.com (no trailing /v1). */
    centralUrl: z
      .url({ protocol: /^https?$/, message: 'must be an http(s) URL' })
      .transform((url) => url.replace(/\/+$/, '')),
    /** Where the SQLite database and the identity key live; relative paths are from the config file. */
    dataDir: z.string().trim().min(1).max(4096),
    /** A single-use code from central; used by `register` when --code is not given. */
    provisionCode: z
      .string()
      .trim()
      .toUpperCase()
      .regex(PROVISION_CODE_PATTERN, 'looks like XXXX-XXXX-XXXX-XXXX')
      .optional(),
    /** The name this appliance reports to central; defaults to the machine's host name. */
    hostname: z.string().trim().min(1).max(253).optional(),
    logLevel: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
    checkinIntervalSeconds: z.number().int().min(10).max(3600).default(60),
    targets: z.array(Target).max(1000).default([]),
  })
  .superRefine((config, ctx) => {
    const seen = new Set<string>();
    config.targets.forEach((target, index) => {
      if (seen.has(target.name))
        ctx.addIssue({
          code: 'custom',
          path: ['targets', index, 'name'],
          message: `duplicate target name "${target.name}"`,
        });
      seen.add(target.name);
    });
  });
export type ApplianceConfig = z.infer<typeof ApplianceConfig>;

/** Environment variables that override a top-level key; numbers are parsed from their text. */
const ENV_OVERRIDES = {
  OSIRIS_APPLIANCE_CENTRAL_URL: { key: 'centralUrl', isNumber: false },
  OSIRIS_APPLIANCE_DATA_DIR: { key: 'dataDir', isNumber: false },
  OSIRIS_APPLIANCE_PROVISION_CODE: { key: 'provisionCode', isNumber: false },
  OSIRIS_APPLIANCE_LOG_LEVEL: { key: 'logLevel', isNumber: false },
  OSIRIS_APPLIANCE_CHECKIN_INTERVAL_SECONDS: { key: 'checkinIntervalSeconds', isNumber: true },
} as const;

/** A configuration that cannot be used; `problems` lists every one, as `path: message`. */
export class ConfigError extends Error {
  constructor(
    readonly source: string,
    readonly problems: string[],
  ) {
    super(`Invalid appliance configuration (${source}):\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

/** Validates YAML text plus environment overrides; throws ConfigError listing every problem. */
export function parseConfig(
  yamlText: string,
  env: Record<string, string | undefined>,
  source = 'config',
): ApplianceConfig {
  let document: unknown;
  try {
    document = parseYaml(yamlText, { prettyErrors: true }) ?? {};
  } catch (error) {
    throw new ConfigError(source, [`not valid YAML: ${(error as Error).message}`]);
  }
  if (typeof document !== 'object' || Array.isArray(document) || document === null)
    throw new ConfigError(source, ['the file must be a YAML mapping of keys to values']);
  const merged: Record<string, unknown> = { ...(document as Record<string, unknown>) };
  for (const [name, { key, isNumber }] of Object.entries(ENV_OVERRIDES)) {
    const value = env[name];
    if (value === undefined || value === '') continue;
    merged[key] = isNumber && /^-?\d+$/.test(value.trim()) ? Number(value) : value;
  }
  const result = ApplianceConfig.safeParse(merged);
  if (!result.success) {
    const envByKey = new Map(Object.entries(ENV_OVERRIDES).map(([name, { key }]) => [key as string, name]));
    throw new ConfigError(
      source,
      result.error.issues.map((issue) => {
        const path = issue.path.length > 0 ? issue.path.join('.') : '(root)';
        const fromEnv = env[envByKey.get(String(issue.path[0])) ?? '']
          ? ` (from ${envByKey.get(String(issue.path[0]))})`
          : '';
        return `${path}${fromEnv}: ${issue.message}`;
      }),
    );
  }
  return result.data;
}

/** Reads and validates the config file; a relative dataDir is resolved from the file's directory. */
export function loadConfig(path: string, env: Record<string, string | undefined>): ApplianceConfig {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new ConfigError(path, [`cannot read the file: ${(error as NodeJS.ErrnoException).code ?? String(error)}`]);
  }
  const config = parseConfig(text, env, path);
  return { ...config, dataDir: resolve(dirname(resolve(path)), config.dataDir) };
}
