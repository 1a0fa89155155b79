import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { Ed25519PublicKeyB64, HealingPolicy, PROVISION_CODE_PATTERN } from '@osiris/protocol';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';

import { LlmProviderConfig } from './healing/l2/providers/create-provider';

/**
 * The appliance's one configuration schema: a YAML file, with a few top-level keys overridable by
 * OSIRIS_APPLIANCE_* environment variables. Parsed once at start; nothing else reads the environment.
 */

/** Optional: central's host id for this target; when absent one is derived from the appliance id and name. */
const HostId = z.uuid({ message: 'must be a UUID (the host id central shows)' }).optional();

const LocalTarget = z.strictObject({
  name: z.string().trim().min(1).max(64),
  kind: z.literal('local'),
  hostId: HostId,
});

const SshTarget = z
  .strictObject({
    name: z.string().trim().min(1).max(64),
    kind: z.literal('ssh'),
    hostId: HostId,
    host: z.string().trim().min(1).max(253),
    port: z.number().int().min(1).max(65_535).default(22),
    user: z.string().trim().min(1).max(64),
    /** Private key file (OpenSSH or PEM); relative paths are from the config file. */
    keyPath: z.string().trim().min(1).max(4096).optional(),
    /** A file holding the password (never the password itself in the config). */
    passwordFile: z.string().trim().min(1).max(4096).optional(),
    /** Run collectors through `sudo -n` (for a non-root user with passwordless sudo). */
    sudo: z.boolean().default(false),
  })
  .refine((t) => (t.keyPath === undefined) !== (t.passwordFile === undefined), {
    message: 'set exactly one of keyPath or passwordFile',
    path: ['keyPath'],
  });

/**
 * A Windows server without the agent, reached over WinRM (WS-Management over HTTPS, NTLMv2, the
 * certificate pinned on first use). See docs/winrm.md. Kerberos is not built.
 */
const WinrmTarget = z.strictObject({
  name: z.string().trim().min(1).max(64),
  kind: z.literal('winrm'),
  hostId: HostId,
  host: z.string().trim().min(1).max(253),
  port: z.number().int().min(1).max(65_535).default(5986),
  /** `DOMAIN\user`, `user@domain.example` or a local account name. */
  user: z.string().trim().min(1).max(256),
  /** A file holding the password (never the password itself in the config). */
  passwordFile: z.string().trim().min(1).max(4096),
  auth: z.literal('ntlm').default('ntlm'),
  connectTimeoutSeconds: z.number().int().min(1).max(120).default(10),
});

const Target = z.discriminatedUnion('kind', [LocalTarget, SshTarget, WinrmTarget]);

/** How checks run. Seconds are allowed down to 1 so tests can run fast cycles. */
const Checks = z.strictObject({
  /** Interval for every check until central sends a schedule (Linux default 5 min). */
  defaultIntervalSeconds: z.number().int().min(1).max(86_400).default(300),
  /** Each run is moved by up to this fraction of its interval, so hosts are not hit in step. */
  jitter: z.number().min(0).max(0.5).default(0.1),
  /** At start, first runs are spread at random over this many seconds (0: all at once). */
  initialSpreadSeconds: z.number().min(0).max(3600).default(10),
  commandTimeoutSeconds: z.number().int().min(1).max(600).default(60),
  maxOutputBytes: z
    .number()
    .int()
    .min(1024)
    .max(64 * 1024 * 1024)
    .default(1024 * 1024),
  /** Hosts checked at the same time; each host also has its own limit (maxConcurrentPerTarget). */
  maxConcurrentTargets: z.number().int().min(1).max(256).default(8),
  maxConcurrentPerTarget: z.number().int().min(1).max(8).default(4),
  /** Check ids to leave out entirely. */
  disabled: z.array(z.string().max(100)).max(1000).default([]),
});

/** Defaults for targets central assigns with set_targets (orders never carry credentials). */
const Ssh = z.strictObject({
  keyPath: z.string().trim().min(1).max(4096).optional(),
  connectTimeoutSeconds: z.number().int().min(1).max(120).default(10),
});

const Sync = z.strictObject({
  /** Upload backoff after a failure: full jitter between 0 and min(max, initial * 2^attempt). */
  backoffInitialSeconds: z.number().min(0.05).max(60).default(1),
  backoffMaxSeconds: z.number().min(0.1).max(3600).default(300),
  batchSize: z.number().int().min(1).max(500).default(500),
  /** After new evidence, wait this long for more before uploading, so bundles travel in batches. */
  coalesceMs: z.number().int().min(0).max(60_000).default(2_000),
  /** How often incident-pattern statistics go to central for the learning loop (only when they changed). */
  patternsIntervalSeconds: z.number().min(0.5).max(86_400).default(300),
  /** How often inclusion proofs of this appliance's evidence are fetched from central's transparency log and verified. */
  proofsIntervalSeconds: z.number().min(0.5).max(86_400).default(300),
});

/**
 * How far the appliance heals on its own (central can change it later by signed order). The
 * default only watches. The machine the appliance runs on (`local` targets) is never healed.
 */
const Healing = HealingPolicy.partial()
  .extend({
    /** Built-in L1 rules: `standard` (safe, non-disruptive fixes) or `full_coverage` (every healable check). */
    pack: z.enum(['standard', 'full_coverage']).default('standard'),
    /** How long a built-in rule stays quiet on a host after it fired there (the pack's default: 900). */
    packCooldownSeconds: z
      .number()
      .int()
      .min(0)
      .max(7 * 86_400)
      .optional(),
    /** The L2 planner's LLM (OpenAI-compatible incl. vLLM/LM Studio, Anthropic, Ollama); none: L1 then L3. */
    llm: LlmProviderConfig.optional(),
    llmBudget: z
      .strictObject({
        dailyTokens: z.number().int().min(0).max(100_000_000).default(200_000),
        requestsPerMinute: z.number().int().min(1).max(600).default(6),
      })
      .default({ dailyTokens: 200_000, requestsPerMinute: 6 }),
    llmTimeoutSeconds: z.number().int().min(1).max(300).default(30),
  })
  .transform(({ pack, packCooldownSeconds, llm, llmBudget, llmTimeoutSeconds, ...policy }) => ({
    pack,
    packCooldownSeconds: packCooldownSeconds ?? null,
    llm: llm ?? null,
    llmBudget,
    llmTimeoutSeconds,
    policy: HealingPolicy.parse({
      tier: 'monitor_only',
      dryRun: false,
      maintenanceWindows: [],
      rateLimits: { globalPerHour: 60, perHostPerHour: 10 },
      ...policy,
    }),
  }));

const StatusPage = z.strictObject({
  enabled: z.boolean().default(true),
  /** Loopback by default: the page shows host names and results. */
  host: z.string().trim().min(1).max(253).default('127.0.0.1'),
  /** 0 picks a free port (printed at start). */
  port: z.number().int().min(0).max(65_535).default(8088),
});

/** The workstation agent endpoint: gRPC over HTTP/2 with TLS, mutual TLS after enrollment (see README). */
const Agents = z.strictObject({
  enabled: z.boolean().default(false),
  host: z.string().trim().min(1).max(253).default('0.0.0.0'),
  port: z.number().int().min(0).max(65_535).default(7443),
  /** Names and addresses agents use to reach the appliance, added to the server certificate. */
  serverNames: z.array(z.string().trim().min(1).max(253)).max(32).default([]),
  /** Lifetime of agent client certificates; agents renew when a third is left. */
  clientCertificateDays: z.number().int().min(1).max(365).default(30),
  /** What agents may fix on their own host until central sets the site's tier. */
  tier: z.enum(['monitor_only', 'self_heal', 'full_remediation']).default('monitor_only'),
  heartbeatIntervalSeconds: z.number().int().min(15).max(3600).default(60),
  resultsIntervalSeconds: z.number().int().min(15).max(86_400).default(300),
  /** Checks agents run, with parameters; sent in the agents' configuration. */
  checks: z
    .array(
      z.strictObject({
        checkId: z.string().regex(/^[a-z][a-z0-9_]{0,63}$/, 'lowercase snake case'),
        params: z.record(z.string().min(1).max(64), z.string().max(256)).default({}),
      }),
    )
    .max(64)
    .default([]),
  maxConnectionsPerAgent: z.number().int().min(1).max(64).default(4),
  requestsPerMinutePerAgent: z.number().int().min(1).max(6000).default(120),
  requestBurstPerAgent: z.number().int().min(1).max(1000).default(30),
});

/** Self-update from signed releases (docs/updates.md). */
const Update = z.strictObject({
  /** The install root: slots/a, slots/b, the `current` and `good` links and the updater state; relative paths are from the config file. */
  root: z.string().trim().min(1).max(4096).default('/opt/osiris-appliance'),
  /** Release public keys (base64url, raw Ed25519) a release must be signed with; none: releases are refused. */
  releasePublicKeys: z.array(Ed25519PublicKeyB64).max(8).default([]),
  /** How long a newly installed version has to pass its health gate (check-in, a check run) before it counts as a failed start. */
  healthGateTimeoutSeconds: z.number().int().min(1).max(3600).default(300),
  /** Download attempts per install, each resuming where the previous one stopped. */
  downloadAttempts: z.number().int().min(1).max(50).default(5),
  /** Longest wait between attempts to send queued update status reports to central. */
  reportRetryMaxSeconds: z.number().min(1).max(3600).default(300),
});

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
    /** Seconds between check-ins (±10 % jitter); values below 10 are for tests. */
    checkinIntervalSeconds: z.number().int().min(1).max(3600).default(60),
    targets: z.array(Target).max(1000).default([]),
    checks: Checks.default(Checks.parse({})),
    ssh: Ssh.default(Ssh.parse({})),
    sync: Sync.default(Sync.parse({})),
    statusPage: StatusPage.default(StatusPage.parse({})),
    agents: Agents.default(Agents.parse({})),
    healing: Healing.default(Healing.parse({})),
    update: Update.default(Update.parse({})),
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
  const base = dirname(resolve(path));
  const fromBase = (file: string | undefined) => (file === undefined ? undefined : resolve(base, file));
  return {
    ...config,
    dataDir: resolve(base, config.dataDir),
    update: { ...config.update, root: resolve(base, config.update.root) },
    ssh: { ...config.ssh, keyPath: fromBase(config.ssh.keyPath) },
    targets: config.targets.map((target) => {
      if (target.kind === 'ssh')
        return { ...target, keyPath: fromBase(target.keyPath), passwordFile: fromBase(target.passwordFile) };
      if (target.kind === 'winrm') return { ...target, passwordFile: resolve(base, target.passwordFile) };
      return target;
    }),
  };
}
