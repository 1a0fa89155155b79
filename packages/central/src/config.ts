import { z } from 'zod';

const bool = z
  .enum(['true', 'false', '1', '0', 'yes', 'no'])
  .transform((v) => v === 'true' || v === '1' || v === 'yes');
const int = (min: number, max: number) => z.coerce.number().int().min(min).max(max);
const list = z.string().transform((v) =>
  v
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s.length > 0),
);

/**
 * Every setting of Central Command, read from the environment once at start.
 * The README's configuration reference is generated from this schema (`npm run docs:config`).
 */
export const ConfigSchema = z.object({
  HOST: z.string().min(1).default('127.0.0.1').describe('Interface to listen on.'),
  PORT: int(0, 65535).default(8080).describe('TCP port to listen on.'),
  PUBLIC_URL: z
    .url()
    .optional()
    .describe('Address users reach Central Command at, used in invitation links. Default: http://HOST:PORT.'),
  DATABASE_URL: z
    .string()
    .regex(/^postgres(ql)?:\/\//, 'must be a postgres:// URL')
    .optional()
    .describe('PostgreSQL connection string. When unset, an embedded PGlite database in DATA_DIR is used.'),
  DATABASE_POOL_SIZE: int(1, 200).default(10).describe('Connections in the PostgreSQL pool (per replica).'),
  DATA_DIR: z.string().min(1).default('./data').describe('Directory for the embedded PGlite database.'),
  JOBS_ENABLED: bool
    .default(true)
    .describe(
      'Run the periodic jobs (exception expiry, escalation SLA breaches, daily score snapshots and their verification). Safe on several replicas at once.',
    ),
  LOG_LEVEL: z
    .enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'])
    .default('info')
    .describe('pino log level.'),
  TRUST_PROXY: bool
    .default(false)
    .describe('Trust X-Forwarded-For/-Proto from a reverse proxy (set when behind a load balancer).'),
  COOKIE_SECURE: z
    .enum(['auto', 'always', 'never'])
    .default('auto')
    .describe('Secure flag on session cookies. auto: Secure unless the request came to a loopback host.'),
  SESSION_SECRET: z
    .string()
    .min(32)
    .optional()
    .describe(
      'Key (32+ chars) for hashing session and invitation tokens and encrypting TOTP secrets. When unset, one is generated and kept in the database, shared by every replica.',
    ),
  INITIAL_ADMIN_EMAIL: z
    .email()
    .default('admin@osiris.local')
    .describe('Email of the first admin, created with a random password printed once when the database has no users.'),
  CORS_ORIGINS: list
    .default([])
    .describe('Comma-separated origins allowed to call the API from a browser. Empty: CORS closed.'),
  BODY_LIMIT_BYTES: int(1024, 100 * 1024 * 1024)
    .default(1024 * 1024)
    .describe('Largest accepted request body.'),
  RATE_LIMIT_PER_MINUTE: int(1, 1_000_000).default(600).describe('Requests per minute per client IP, all routes.'),
  APPLIANCE_RATE_LIMIT_PER_MINUTE: int(1, 1_000_000)
    .default(120)
    .describe('Requests per minute per appliance on /v1/appliance/* (check-in is once a minute).'),
  LOGIN_LIMIT_PER_IP: int(1, 100_000).default(20).describe('Login attempts per 15 minutes per client IP.'),
  LOGIN_LIMIT_PER_ACCOUNT: int(1, 100_000).default(10).describe('Login attempts per 15 minutes per account email.'),
  ARGON2_MEMORY_KIB: int(1024, 4 * 1024 * 1024)
    .default(19456)
    .describe('argon2id memory cost in KiB.'),
  ARGON2_ITERATIONS: int(1, 20).default(2).describe('argon2id time cost (passes).'),
  ARGON2_PARALLELISM: int(1, 16).default(1).describe('argon2id lanes.'),
  DOCS_ENABLED: bool.default(true).describe('Serve OpenAPI at /v1/openapi.json and browsable docs at /v1/docs.'),
  SMTP_URL: z
    .string()
    .regex(/^smtps?:\/\//, 'must be an smtp:// or smtps:// URL')
    .optional()
    .describe(
      'Mail server for invitations, sign-in links and notices, e.g. smtp://user:pass@mail.example.com:587. When unset, mail stays queued (and is logged as undeliverable).',
    ),
  EMAIL_FROM: z.string().min(3).default('OsirisCare <no-reply@osiris.local>').describe('Sender of every email.'),
  EMAIL_MAX_ATTEMPTS: int(1, 100).default(8).describe('Delivery attempts per email before it is marked failed.'),
  OIDC_ISSUERS: z
    .string()
    .default('[]')
    .transform((text, ctx) => {
      try {
        return JSON.parse(text) as unknown;
      } catch {
        ctx.addIssue({ code: 'custom', message: 'must be a JSON array' });
        return z.NEVER;
      }
    })
    .pipe(
      z
        .array(
          z.strictObject({
            id: z.string().regex(/^[a-z0-9-]{1,40}$/),
            label: z.string().min(1).max(60),
            issuer: z.url(),
            clientId: z.string().min(1),
            clientSecret: z.string().min(1),
          }),
        )
        .max(20),
    )
    .describe(
      'OpenID Connect providers partners sign up and sign in with: a JSON array of {id, label, issuer, clientId, clientSecret} (Google, Microsoft Entra, any generic issuer). Redirect URI: PUBLIC_URL/v1/auth/oidc/callback.',
    ),
  PARTNER_AUTO_APPROVE_DOMAINS: list
    .default([])
    .describe('Comma-separated email domains whose partner sign-ups are approved at once; others wait for an admin.'),
  REFUSE_CONSUMER_EMAIL_DOMAINS: bool
    .default(true)
    .describe('Refuse partner sign-up from consumer mail domains (gmail.com, outlook.com, …).'),
  MAGIC_LINK_LIMIT_PER_EMAIL: int(1, 10_000).default(5).describe('Sign-in links per 15 minutes per email address.'),
  MAGIC_LINK_LIMIT_PER_IP: int(1, 100_000).default(20).describe('Sign-in links per 15 minutes per client IP.'),
  WEB_DIR: z
    .string()
    .min(1)
    .optional()
    .describe('Directory of the built web app. Default: packages/web/dist of this installation.'),
  NOTIFICATIONS_ALLOW_PRIVATE_TARGETS: bool
    .default(false)
    .describe(
      'Let webhook, Slack and Teams notifications reach private, loopback, link-local and other internal addresses. For tests only: it reopens server-side request forgery.',
    ),
  NOTIFICATIONS_ALLOW_HTTP: bool
    .default(false)
    .describe('Accept plain http:// notification URLs (otherwise https only). For tests only.'),
  NOTIFICATIONS_TIMEOUT_MS: int(500, 60_000).default(5_000).describe('Time allowed for one notification send.'),
  NOTIFICATIONS_MAX_ATTEMPTS: int(1, 50)
    .default(8)
    .describe('Send attempts per notification (backoff 30 s doubling to 1 h) before it is marked failed.'),
  NOTIFICATIONS_DIGEST_THRESHOLD: int(1, 10_000)
    .default(10)
    .describe('Notifications per channel per window before further ones are held and sent as one digest.'),
  NOTIFICATIONS_WINDOW_SECONDS: int(60, 86_400)
    .default(900)
    .describe('Window for notification de-duplication (same dedupKey, same channel) and flood digests.'),
  SMS_TWILIO_BASE_URL: z
    .url()
    .default('https://api.twilio.com')
    .describe('Base URL of the Twilio REST API used by SMS notification channels.'),
  TSA_URL: z
    .url({ protocol: /^https?$/ })
    .optional()
    .describe(
      "RFC 3161 time-stamping authority that time-stamps the evidence log's signed tree heads (POST application/timestamp-query). When unset, tree heads are not time-stamped.",
    ),
  TSA_TRUSTED_CERTS_FILE: z
    .string()
    .min(1)
    .optional()
    .describe(
      'PEM bundle of the TSA certificate or of the CA that issues it; tokens are verified against it (one level of chain). Required when TSA_URL is set.',
    ),
  TSA_TIMEOUT_MS: int(100, 120_000).default(10_000).describe('Time allowed for one time-stamp request.'),
  RELEASE_PUBLIC_KEYS: list
    .pipe(
      z.array(z.string().regex(/^[A-Za-z0-9_-]{43}$/, 'each key: a raw Ed25519 public key, base64url (43 characters)')),
    )
    .default([])
    .describe(
      'Comma-separated release public keys (raw Ed25519, base64url) whose signatures central accepts on appliance release manifests. The private key stays offline with the release manager. Empty: no release can be registered.',
    ),
  ROLLOUT_TICK_SECONDS: int(1, 3600)
    .default(30)
    .describe(
      'How often the rollout engine opens stages, re-issues expired install orders, and pauses or advances rollouts.',
    ),
  SHUTDOWN_GRACE_MS: int(0, 600_000).default(10_000).describe('Time given to in-flight requests on SIGTERM.'),
});

export type Config = z.infer<typeof ConfigSchema>;

/** Parse settings once; a bad value stops the process with every problem listed. */
export function loadConfig(env: Record<string, string | undefined> = process.env): Config {
  const known = Object.fromEntries(
    Object.keys(ConfigSchema.shape)
      .filter((key) => env[key] !== undefined && env[key] !== '')
      .map((key) => [key, env[key]]),
  );
  const parsed = ConfigSchema.safeParse(known);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((issue) => `  ${issue.path.join('.')}: ${issue.message}`);
    throw new Error(`Invalid configuration:\n${lines.join('\n')}`);
  }
  return parsed.data;
}
