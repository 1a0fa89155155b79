import { z } from 'zod';
import { canonicalJson } from './canonical-json';
import { Id, Timestamp, text } from './common';
import {
  base64UrlToBytes,
  bytesToBase64Url,
  bytesToHex,
  type Ed25519SignKey,
  Ed25519SignatureB64,
  importVerifyKey,
  sha256,
  Sha256Hex,
  signEd25519,
  verifyEd25519,
} from './crypto';

/**
 * Appliance releases and staged rollouts (issue 10, PRODUCT.md C8).
 *
 * A release is a tarball of the built appliance. Its manifest (version, SHA-256 and size of the
 * tarball, notes, the oldest version it may upgrade from) is signed with Ed25519 by a release key
 * that is kept offline: `osiris-appliance release sign` signs on the release manager's machine,
 * and neither central nor the appliance ever holds the private key. Central checks the signature
 * against its configured release public keys when an admin registers the release, and the
 * appliance checks it again (against the keys pinned in its own config) before installing, so a
 * compromised central cannot push code. signature = Ed25519 over the UTF-8 bytes of
 * `RELEASE_SIGNING_PREFIX + canonicalJson(manifest)`.
 */

export const RELEASE_SIGNING_PREFIX = 'osiriscare-release-v1:';

/** Semantic version without build metadata: `1.4.0`, `1.5.0-rc.1`. */
export const ReleaseVersion = z
  .string()
  .max(64)
  .regex(/^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)(?:-[0-9A-Za-z-]+(?:\.[0-9A-Za-z-]+)*)?$/, 'not a semantic version');
export type ReleaseVersion = z.infer<typeof ReleaseVersion>;

export const ReleaseChannel = z.enum(['stable', 'beta']);
export type ReleaseChannel = z.infer<typeof ReleaseChannel>;

/** Largest artifact central accepts. */
export const RELEASE_MAX_BYTES = 512 * 1024 * 1024;

/** A release key's id: the first 16 hex characters of SHA-256 over the raw 32-byte public key. */
export const ReleaseKeyId = z.string().regex(/^[0-9a-f]{16}$/, 'release key id (16 hex characters)');

export const ReleaseManifest = z.strictObject({
  schemaVersion: z.literal(1),
  product: z.literal('osiris-appliance'),
  version: ReleaseVersion,
  /** SHA-256 of the artifact tarball (lower-case hex). */
  sha256: Sha256Hex,
  sizeBytes: z.number().int().min(1).max(RELEASE_MAX_BYTES),
  /** The oldest installed version that may upgrade to this one; null = any. */
  minUpgradeFrom: ReleaseVersion.nullable(),
  notes: z.string().max(20_000),
  builtAt: Timestamp,
});
export type ReleaseManifest = z.infer<typeof ReleaseManifest>;

export const SignedReleaseManifest = z.strictObject({
  manifest: ReleaseManifest,
  keyId: ReleaseKeyId,
  signature: Ed25519SignatureB64,
});
export type SignedReleaseManifest = z.infer<typeof SignedReleaseManifest>;

export async function releaseKeyId(publicKeyRaw: Uint8Array): Promise<string> {
  return bytesToHex(await sha256(publicKeyRaw)).slice(0, 16);
}

/** Signs a manifest (the offline CLI). Throws on an invalid manifest. */
export async function signReleaseManifest(
  manifest: ReleaseManifest,
  privateKey: Uint8Array | Ed25519SignKey,
  publicKeyRaw: Uint8Array,
): Promise<SignedReleaseManifest> {
  const valid = ReleaseManifest.parse(manifest);
  const signature = await signEd25519(privateKey, RELEASE_SIGNING_PREFIX + canonicalJson(valid));
  return { manifest: valid, keyId: await releaseKeyId(publicKeyRaw), signature: bytesToBase64Url(signature) };
}

export type ReleaseVerifyResult =
  | { ok: true; manifest: ReleaseManifest }
  | { ok: false; code: 'MALFORMED' | 'UNKNOWN_KEY' | 'BAD_SIGNATURE'; message: string };

/**
 * Verifies a signed manifest against trusted release public keys (base64url, raw 32 bytes).
 * Never throws for bad input.
 */
export async function verifyReleaseManifest(
  signed: unknown,
  trustedPublicKeysB64: readonly string[],
): Promise<ReleaseVerifyResult> {
  const parsed = SignedReleaseManifest.safeParse(signed);
  if (!parsed.success) return { ok: false, code: 'MALFORMED', message: parsed.error.issues[0]?.message ?? 'malformed' };
  for (const keyB64 of trustedPublicKeysB64) {
    let raw: Uint8Array;
    try {
      raw = base64UrlToBytes(keyB64);
    } catch {
      continue;
    }
    if ((await releaseKeyId(raw)) !== parsed.data.keyId) continue;
    const key = await importVerifyKey(raw);
    if (!key) continue;
    const ok = await verifyEd25519(
      key,
      RELEASE_SIGNING_PREFIX + canonicalJson(parsed.data.manifest),
      base64UrlToBytes(parsed.data.signature),
    );
    return ok
      ? { ok: true, manifest: parsed.data.manifest }
      : { ok: false, code: 'BAD_SIGNATURE', message: 'the release signature does not verify' };
  }
  return { ok: false, code: 'UNKNOWN_KEY', message: `release key ${parsed.data.keyId} is not trusted` };
}

/** Compares two semantic versions (a pre-release sorts before its release): negative, 0 or positive. */
export function compareVersions(a: string, b: string): number {
  const split = (v: string) => {
    const dash = v.indexOf('-');
    const core = dash < 0 ? v : v.slice(0, dash);
    return { nums: core.split('.').map(Number), pre: dash < 0 ? null : v.slice(dash + 1).split('.') };
  };
  const x = split(a);
  const y = split(b);
  for (let i = 0; i < 3; i++) {
    const d = (x.nums[i] ?? 0) - (y.nums[i] ?? 0);
    if (d !== 0) return Math.sign(d);
  }
  if (!x.pre || !y.pre) return x.pre === y.pre ? 0 : x.pre ? -1 : 1;
  for (let i = 0; i < Math.max(x.pre.length, y.pre.length); i++) {
    const p = x.pre[i];
    const q = y.pre[i];
    if (p === undefined || q === undefined) return p === undefined ? -1 : 1;
    if (p === q) continue;
    const pn = /^\d+$/.test(p);
    const qn = /^\d+$/.test(q);
    if (pn && qn) return Math.sign(Number(p) - Number(q));
    if (pn !== qn) return pn ? -1 : 1;
    return p < q ? -1 : 1;
  }
  return 0;
}

// ---------------------------------------------------------------------------------------------
// Central API (admin face). Releases: /v1/releases; rollouts: /v1/rollouts.

/**
 * POST /v1/releases — registers a release from its signed manifest (admin). The artifact follows
 * with PUT /v1/releases/:version/artifact (body = the tarball, application/octet-stream); central
 * checks its size and SHA-256 against the signed manifest and only then makes it `available`.
 */
export const ReleaseCreateRequest = z.strictObject({
  signed: SignedReleaseManifest,
  channel: ReleaseChannel,
});
export type ReleaseCreateRequest = z.infer<typeof ReleaseCreateRequest>;

export const ReleaseState = z.enum(['awaiting_artifact', 'available', 'withdrawn']);
export type ReleaseState = z.infer<typeof ReleaseState>;

export const Release = z.object({
  id: Id,
  version: ReleaseVersion,
  channel: ReleaseChannel,
  state: ReleaseState,
  sha256: Sha256Hex,
  sizeBytes: z.number().int(),
  minUpgradeFrom: ReleaseVersion.nullable(),
  notes: z.string(),
  keyId: ReleaseKeyId,
  builtAt: Timestamp,
  createdAt: Timestamp,
  createdBy: z.string().nullable(),
  /** Whether this is the latest `available` release of its channel (highest version marked latest). */
  latest: z.boolean(),
  signed: SignedReleaseManifest,
});
export type Release = z.infer<typeof Release>;

/** PUT /v1/releases/:version/latest — marks the release latest of its channel (others lose it). */
/** POST /v1/releases/:version/withdraw — no new rollouts may use it; running rollouts are paused. */

export const RolloutTarget = z.discriminatedUnion('kind', [
  z.strictObject({ kind: z.literal('all') }),
  z.strictObject({ kind: z.literal('partner'), partnerId: Id }),
  z.strictObject({ kind: z.literal('sites'), siteIds: z.array(Id).min(1).max(1000) }),
  /** Appliances whose update channel is this one (appliances default to `stable`). */
  z.strictObject({ kind: z.literal('channel'), channel: ReleaseChannel }),
]);
export type RolloutTarget = z.infer<typeof RolloutTarget>;

/**
 * One stage: cumulative percent of the target appliances (strictly increasing, the last 100), and
 * how long every appliance of the stage must have been `healthy` before the rollout advances by
 * itself (null = only an admin advances it).
 */
export const RolloutStage = z.strictObject({
  percent: z.number().int().min(1).max(100),
  healthyMinutes: z
    .number()
    .int()
    .min(0)
    .max(30 * 24 * 60)
    .nullable(),
});
export type RolloutStage = z.infer<typeof RolloutStage>;

export const DEFAULT_ROLLOUT_STAGES: readonly RolloutStage[] = [
  { percent: 5, healthyMinutes: 60 },
  { percent: 25, healthyMinutes: 60 },
  { percent: 100, healthyMinutes: null },
];

export const RolloutCreateRequest = z.strictObject({
  version: ReleaseVersion,
  name: text(120).optional(),
  target: RolloutTarget,
  stages: z
    .array(RolloutStage)
    .min(1)
    .max(10)
    .refine((s) => s.every((stage, i) => i === 0 || stage.percent > (s[i - 1]?.percent ?? 0)), 'percents must increase')
    .refine((s) => s[s.length - 1]?.percent === 100, 'the last stage must be 100 %')
    .optional(),
  /** Pause by itself when failed + rolled back appliances reach this share of the current stage. */
  failureThresholdPercent: z.number().int().min(1).max(100).default(10),
});
export type RolloutCreateRequest = z.infer<typeof RolloutCreateRequest>;

export const RolloutStatus = z.enum(['active', 'paused', 'completed', 'cancelled']);
export type RolloutStatus = z.infer<typeof RolloutStatus>;

/** Per-appliance state in a rollout. `pending` = not yet in an opened stage, or order not yet taken. */
export const ApplianceUpdateState = z.enum(['pending', 'downloading', 'installed', 'healthy', 'failed', 'rolled_back']);
export type ApplianceUpdateState = z.infer<typeof ApplianceUpdateState>;

export const RolloutStageProgress = z.object({
  index: z.number().int(),
  percent: z.number().int(),
  healthyMinutes: z.number().int().nullable(),
  /** Appliances in this stage only (not the earlier ones). */
  appliances: z.number().int(),
  counts: z.record(ApplianceUpdateState, z.number().int()),
  openedAt: Timestamp.nullable(),
  /** When every appliance of the stage was first healthy at once (auto-advance counts from here). */
  healthySince: Timestamp.nullable(),
});

export const Rollout = z.object({
  id: Id,
  name: z.string(),
  version: ReleaseVersion,
  target: RolloutTarget,
  stages: z.array(RolloutStage),
  failureThresholdPercent: z.number().int(),
  status: RolloutStatus,
  /** Index of the highest opened stage. */
  currentStage: z.number().int(),
  pauseReason: z.string().nullable(),
  createdAt: Timestamp,
  createdBy: z.string().nullable(),
  updatedAt: Timestamp,
  completedAt: Timestamp.nullable(),
  progress: z.array(RolloutStageProgress),
});
export type Rollout = z.infer<typeof Rollout>;

/** POST /v1/rollouts/:id/{pause,resume,cancel,advance}; pause takes an optional reason. */
export const RolloutPauseRequest = z.strictObject({ reason: text(500).optional() });

/** GET /v1/rollouts/:id/appliances */
export const RolloutAppliance = z.object({
  applianceId: Id,
  hostname: z.string(),
  siteId: Id,
  siteName: z.string(),
  stage: z.number().int(),
  state: ApplianceUpdateState,
  fromVersion: z.string().nullable(),
  errorCode: z.string().nullable(),
  message: z.string().nullable(),
  updatedAt: Timestamp,
});
export type RolloutAppliance = z.infer<typeof RolloutAppliance>;

// ---------------------------------------------------------------------------------------------
// Appliance side: the signed `install_release` order (orders.ts) and the status report.

/**
 * Payload of the `install_release` order. The appliance verifies `release` with its own pinned
 * release keys (not central's word), downloads the artifact from `artifactPath` on central (with
 * HTTP Range resume), checks size and SHA-256, installs into its inactive slot and restarts.
 */
export const InstallReleasePayload = z.strictObject({
  rolloutId: Id,
  release: SignedReleaseManifest,
  /** Path on central, e.g. `/v1/appliance/releases/1.4.0/artifact` (bearer auth, Range supported). */
  artifactPath: z.string().regex(/^\/v1\/appliance\/releases\/[0-9A-Za-z.-]+\/artifact$/),
});
export type InstallReleasePayload = z.infer<typeof InstallReleasePayload>;

/** Failure codes an appliance reports. */
export const UpdateErrorCode = z.enum([
  'BAD_SIGNATURE',
  'UNKNOWN_KEY',
  'DOWNGRADE',
  'TOO_OLD_TO_UPGRADE',
  'DOWNLOAD_FAILED',
  'SIZE_MISMATCH',
  'HASH_MISMATCH',
  'DISK_FULL',
  'INSTALL_FAILED',
  'HEALTH_GATE_FAILED',
  'START_FAILED',
  'INTERRUPTED',
]);
export type UpdateErrorCode = z.infer<typeof UpdateErrorCode>;

/**
 * POST /v1/appliance/update-status — one transition of this appliance in a rollout. Reports may
 * arrive twice (retries) and late (after an outage): central keeps the newest `at` per appliance
 * and rollout and never moves a terminal state (`healthy`, `rolled_back`) back to an earlier one.
 */
export const UpdateStatusReport = z.strictObject({
  schemaVersion: z.literal(1),
  rolloutId: Id,
  version: ReleaseVersion,
  state: ApplianceUpdateState.exclude(['pending']),
  /** The version that was running when the install began. */
  fromVersion: text(64),
  at: Timestamp,
  errorCode: UpdateErrorCode.nullable(),
  message: z.string().max(2000).nullable(),
  bytesDownloaded: z.number().int().min(0).nullable(),
});
export type UpdateStatusReport = z.infer<typeof UpdateStatusReport>;
