import {
  bytesToBase64Url,
  type CheckDefinition,
  canonicalJson,
  checkById,
  EVIDENCE_SIGNING_PREFIX,
  EvidenceBundle,
  hashBundle,
  type SignedEvidenceBundle,
  sha256Hex,
} from '@osiris/protocol';
import type { JsonValue } from '../checks/check';
import type { IdentityKey } from '../identity/identity-key';
import type { Store } from '../store';

/** One finished check run on one host: what goes into a bundle. */
export interface CheckRunResult {
  hostId: string;
  hostname: string;
  checkId: string;
  status: 'pass' | 'fail' | 'error' | 'excepted';
  reason: string;
  observed: Record<string, JsonValue>;
  /** The evaluator's whole input (collector output, or the reason there was none). */
  evaluatorInput: JsonValue;
  startedAt: Date;
  finishedAt: Date;
  /** Set for the record of a healing attempt; absent for a check run. */
  kind?: 'healing';
}

const OBSERVED_BUDGET_BYTES = 12_000;
const OBSERVED_MAX_KEYS = 90;

/** Catalog mappings as evidence control ids: `HIPAA-164.312(b)`, `SOC2-CC6.1`, `NIST-AC-6(2)`, `CIS-5.2.7`. */
function controlsOf(check: CheckDefinition | undefined): string[] {
  if (!check) return [];
  return [
    ...check.hipaa.map((id) => `HIPAA-${id}`),
    ...check.mappings.soc2.map((id) => `SOC2-${id}`),
    ...check.mappings.nist80053.map((id) => `NIST-${id}`),
    ...check.mappings.cis.map((id) => `CIS-${id}`),
  ].slice(0, 64);
}

/** Keeps `observed` within the bundle schema's limits; an oversized value is summarised, not dropped silently. */
export function boundObserved(reason: string, observed: Record<string, JsonValue>): Record<string, JsonValue> {
  const withReason: Record<string, JsonValue> = { reason, ...observed };
  const keys = Object.keys(withReason);
  if (keys.length <= OBSERVED_MAX_KEYS && canonicalJson(withReason).length <= OBSERVED_BUDGET_BYTES) return withReason;
  const kept: Record<string, JsonValue> = { reason };
  let size = canonicalJson(kept).length;
  const left: string[] = [];
  for (const key of keys.slice(1)) {
    const entry = canonicalJson({ [key]: withReason[key] ?? null }).length;
    if (Object.keys(kept).length < OBSERVED_MAX_KEYS - 2 && size + entry <= OBSERVED_BUDGET_BYTES - 2_000) {
      kept[key] = withReason[key] ?? null;
      size += entry;
    } else left.push(key);
  }
  kept.observedTruncated = true;
  kept.omittedKeys = left.slice(0, 50);
  return kept;
}

/**
 * Builds, signs and stores evidence bundles on this appliance's hash chain. Appends run one at a
 * time: each reads the head, signs a bundle that links to it, and stores bundle + new head in one
 * SQLite transaction, so a crash leaves the chain either with or without that bundle, never broken.
 */
export function createEvidenceWriter(deps: {
  store: Store;
  key: IdentityKey;
  applianceId: string;
  /** Central minus local clock, from the last check-in (0 before the first). */
  clockOffsetMs: () => number;
}) {
  let tail: Promise<unknown> = Promise.resolve();

  async function write(result: CheckRunResult, alsoInTransaction?: () => void): Promise<SignedEvidenceBundle> {
    const head = deps.store.evidence.head();
    const bundle: EvidenceBundle = {
      schemaVersion: 1,
      applianceId: deps.applianceId,
      seq: head.seq + 1,
      prevHash: head.hash,
      hostId: result.hostId,
      hostname: result.hostname,
      checkId: result.checkId,
      status: result.status,
      observed: boundObserved(result.reason, result.observed),
      evaluatorInputDigest: await sha256Hex(canonicalJson(result.evaluatorInput)),
      startedAt: result.startedAt.toISOString(),
      finishedAt: result.finishedAt.toISOString(),
      clockOffsetMs: Math.round(deps.clockOffsetMs()),
      controls: controlsOf(checkById(result.checkId)),
      ...(result.kind ? { kind: result.kind } : {}),
    };
    // Validated like central will; a bundle that fails here is a bug in this builder.
    const valid = EvidenceBundle.parse(bundle);
    const hash = await hashBundle(valid);
    const signature = bytesToBase64Url(await deps.key.sign(EVIDENCE_SIGNING_PREFIX + hash));
    const signed: SignedEvidenceBundle = { bundle: valid, hash, signature };
    if (alsoInTransaction)
      deps.store.db.transaction(() => {
        deps.store.evidence.append(signed, result.reason, head);
        alsoInTransaction();
      })();
    else deps.store.evidence.append(signed, result.reason, head);
    return signed;
  }

  return {
    /**
     * Appends one result to the chain; resolves once it is stored in the outbox. `alsoInTransaction`
     * runs in the same SQLite transaction as the append (e.g. marking the source row as written).
     */
    append(result: CheckRunResult, alsoInTransaction?: () => void): Promise<SignedEvidenceBundle> {
      const next = tail.then(() => write(result, alsoInTransaction));
      tail = next.catch(() => undefined);
      return next;
    },
  };
}
