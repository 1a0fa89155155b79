import {
  base64UrlToBytes,
  EVIDENCE_ERROR_CODE,
  EVIDENCE_GENESIS_HASH,
  type EvidenceChainReport,
  type EvidenceListQuery,
  type EvidenceRecord,
  type EvidenceUploadRequest,
  type EvidenceUploadResponse,
  type HostHistoryPage,
  type HostHistoryQuery,
  type HostResultEntry,
  Id,
  importVerifyKey,
  type LatestResult,
  type SignedEvidenceBundle,
  Timestamp,
  verifyBundle,
  verifyBundleWith,
  verifyChain,
} from '@osiris/protocol';
import type { Kysely } from 'kysely';
import type { BaseLogger } from 'pino';
import { type ActorContext, SYSTEM_ACTOR } from '../../platform/context';
import type { DB } from '../../platform/db-schema';
import { AppError } from '../../platform/errors';
import type { AuthenticatedAppliance } from '../../platform/http';
import type { AppliancesService } from '../appliances';
import type { Authorizer } from '../../platform/authorize';
import type { AuditService } from '../audit';
import type { HostsService } from '../hosts';
import type { LogWriter } from '../transparency';
import type { NodeEvidenceCrypto } from './evidence.crypto';
import { linkBatch, readSeq } from './evidence.linker';
import type { EvidenceStore } from './evidence.store';

const VERIFY_BATCH = 500;

/** A history cursor is base64url JSON `[finishedAt, applianceId, seq]`; anything else is refused. */
function decodeHistoryCursor(cursor: string | undefined) {
  if (cursor === undefined) return undefined;
  try {
    const [finishedAt, applianceId, seq] = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    if (Timestamp.safeParse(finishedAt).success && Id.safeParse(applianceId).success && Number.isInteger(seq))
      return { finishedAt: finishedAt as string, applianceId: applianceId as string, seq: seq as number };
  } catch {
    // Reported below.
  }
  throw new AppError('VALIDATION_FAILED', 'The cursor is malformed', {
    details: { issues: [{ path: ['cursor'], message: 'malformed cursor', code: 'custom' }] },
  });
}

export function createEvidenceService(deps: {
  db: Kysely<DB>;
  store: EvidenceStore;
  audit: AuditService;
  appliances: Pick<AppliancesService, 'identityOf' | 'flag' | 'listAppliances' | 'getAppliance'>;
  evidenceCrypto: NodeEvidenceCrypto;
  hosts: Pick<HostsService, 'get'>;
  authorize: Authorizer;
  /** The transparency log: accepted bundles are queued in the same transaction, appended after commit. */
  log: Pick<LogWriter, 'enqueueAccepted' | 'drain'>;
  /** Where a failed background drain of the log is reported (the next drain retries it). */
  logger: Pick<BaseLogger, 'warn'>;
  now: () => Date;
}) {
  const { db, store, audit, appliances, evidenceCrypto, authorize, now } = deps;

  /** The host (404 if unknown) and the appliances of its site: only they may speak for it. */
  async function hostScope(hostId: string) {
    const host = await deps.hosts.get(SYSTEM_ACTOR, hostId);
    const page = await appliances.listAppliances(SYSTEM_ACTOR, host.siteId, { limit: 200 });
    return { host, applianceIds: page.items.map((a) => a.id) };
  }

  /**
   * Apply bundles in seq order onto the chain head; stop at the first that does not fit.
   * Hashes and signatures are checked up front, in parallel and outside the transaction; the
   * transaction only links them to the head and writes them in one statement.
   */
  async function applyBatch(applianceId: string, publicKey: string, items: unknown[]) {
    const verifier = evidenceCrypto.verifierFor(publicKey);
    if (!verifier) throw new AppError('INTERNAL', 'The pinned appliance key is unusable');
    const checked = await Promise.all(items.map((item) => verifyBundleWith(item, verifier)));
    return db.transaction().execute(async (trx) => {
      const head = (await store.lockHead(trx, applianceId)) ?? { seq: 0, hash: EVIDENCE_GENESIS_HASH };
      const repeated = items.map(readSeq).filter((seq): seq is number => seq !== null && seq <= head.seq);
      const stored = await store.storedHashes(trx, applianceId, repeated);
      const { accepted, ...outcome } = linkBatch(applianceId, head, stored, items, checked);
      const receivedAt = now();
      await store.append(trx, applianceId, accepted, receivedAt);
      const logged = accepted.map(({ bundle, hash }) => ({ seq: bundle.seq, hash }));
      await deps.log.enqueueAccepted(trx, applianceId, logged, receivedAt);
      return { ...outcome, accepted: accepted.length };
    });
  }

  /**
   * After an ingest commits: append its bundles to the log in the background. Coalesced by the
   * writer; a failure is logged, never thrown into the request, and the queue keeps the bundles.
   */
  function drainLog(): void {
    deps.log.drain().catch((error: unknown) => deps.logger.warn({ err: error }, 'transparency log drain failed'));
  }

  return {
    /**
     * Accept an appliance's bundles in order: each verified against its pinned key and linked to
     * the last accepted one. What fits is stored; the first that does not is refused with its own
     * code (a gap is reported, never skipped). A bad signature or link flags the appliance.
     */
    async ingest(
      actor: ActorContext,
      appliance: AuthenticatedAppliance,
      input: EvidenceUploadRequest,
    ): Promise<EvidenceUploadResponse> {
      const { applianceId } = appliance;
      const { publicKey } = await appliances.identityOf(db, applianceId);
      const items = [...input.bundles].sort(
        (a, b) => (readSeq(a) ?? Number.MAX_SAFE_INTEGER) - (readSeq(b) ?? Number.MAX_SAFE_INTEGER),
      );
      const outcome = await applyBatch(applianceId, publicKey, items);
      if (outcome.accepted > 0) drainLog();
      const summary = {
        acceptedThroughSeq: outcome.headSeq,
        accepted: outcome.accepted,
        duplicates: outcome.duplicates,
      };
      const { refusal } = outcome;
      if (!refusal) return { schemaVersion: 1, ...summary };
      const details = { ...summary, seq: refusal.seq, expectedSeq: outcome.headSeq + 1 };
      if (refusal.code === 'GAP' || refusal.code === 'MALFORMED') {
        await audit.recordEvent(actor, {
          action: refusal.code === 'GAP' ? 'evidence.gap' : 'evidence.malformed',
          outcome: 'failure',
          targetType: 'appliance',
          targetId: applianceId,
          details: { ...details, message: refusal.message },
        });
      } else {
        await appliances.flag(actor, applianceId, { code: refusal.code, message: refusal.message, ...details });
      }
      throw new AppError(EVIDENCE_ERROR_CODE[refusal.code], refusal.message, { details });
    },

    async list(actor: ActorContext, applianceId: string, query: EvidenceListQuery) {
      await authorize.appliance(actor, applianceId);
      const rows = await store.list(db, applianceId, query.afterSeq, query.limit);
      const items: EvidenceRecord[] = rows.map((r) => ({
        applianceId: r.appliance_id,
        seq: Number(r.seq),
        hash: r.hash,
        receivedAt: r.received_at.toISOString(),
        signed: { bundle: r.bundle as SignedEvidenceBundle['bundle'], hash: r.hash, signature: r.signature },
      }));
      const last = items.at(-1);
      return { items, nextAfterSeq: items.length === query.limit && last ? last.seq : null };
    },

    /**
     * Re-verify the stored chain of an appliance against its pinned key. After retention purged
     * old months, the chain continues from the newest purged bundle (its seq and hash are kept);
     * bundles at or below it that retention kept (latest results) are checked one by one.
     */
    async verify(actor: ActorContext, applianceId: string): Promise<EvidenceChainReport> {
      await authorize.appliance(actor, applianceId);
      const { publicKey } = await appliances.identityOf(db, applianceId);
      const key = await importVerifyKey(base64UrlToBytes(publicKey));
      const anchor = await store.retentionAnchor(db, applianceId);
      const bad = (count: number, seq: number | null, code: string, message: string): EvidenceChainReport => ({
        ok: false,
        count,
        headSeq: null,
        headHash: null,
        firstBad: { seq, code, message },
        anchorSeq: anchor?.seq ?? null,
      });
      let count = 0;
      let start = { seq: 0, hash: EVIDENCE_GENESIS_HASH };
      if (anchor && key) {
        for (;;) {
          const rows = (await store.list(db, applianceId, start.seq, VERIFY_BATCH)).filter(
            (r) => Number(r.seq) <= anchor.seq,
          );
          for (const r of rows) {
            const result = await verifyBundle({ bundle: r.bundle, hash: r.hash, signature: r.signature }, key);
            if (!result.ok) return bad(count, Number(r.seq), result.code, result.message);
            count += 1;
          }
          if (rows.length < VERIFY_BATCH) break;
          start = { seq: Number(rows.at(-1)?.seq), hash: '' };
        }
        start = anchor;
      }
      for (;;) {
        const rows = await store.list(db, applianceId, start.seq, VERIFY_BATCH);
        if (rows.length === 0 || !key) break;
        const signed = rows.map((r) => ({ bundle: r.bundle, hash: r.hash, signature: r.signature }));
        const result = await verifyChain(signed, key, start);
        if (!result.ok) return bad(count, result.seq, result.code, result.message);
        count += result.count;
        start = { seq: result.headSeq, hash: result.headHash };
      }
      const hasHead = count > 0;
      return {
        ok: true,
        count,
        headSeq: hasHead ? start.seq : null,
        headHash: hasHead ? start.hash : null,
        firstBad: null,
        anchorSeq: anchor?.seq ?? null,
      };
    },

    /** The latest result of every check on one host. */
    async latestForHost(actor: ActorContext, hostId: string): Promise<{ items: LatestResult[] }> {
      await authorize.host(actor, hostId);
      const { applianceIds } = await hostScope(hostId);
      return { items: await store.latest(db, applianceIds, hostId) };
    },

    /** A host's check runs, newest first, optionally for one check. */
    async hostHistory(actor: ActorContext, hostId: string, query: HostHistoryQuery): Promise<HostHistoryPage> {
      await authorize.host(actor, hostId);
      const { applianceIds } = await hostScope(hostId);
      const rows = await store.hostHistory(db, {
        applianceIds,
        hostId,
        checkId: query.checkId,
        limit: query.limit,
        after: decodeHistoryCursor(query.cursor),
      });
      const pageRows = rows.slice(0, query.limit);
      const items: HostResultEntry[] = pageRows.map((r) => ({
        applianceId: r.appliance_id,
        seq: Number(r.seq),
        checkId: r.check_id,
        status: r.status as HostResultEntry['status'],
        reason: r.reason,
        startedAt: new Date(r.started_at).toISOString(),
        finishedAt: r.finished_at.toISOString(),
        hash: r.hash,
      }));
      const last = items.at(-1);
      return {
        items,
        nextCursor:
          rows.length > query.limit && last
            ? Buffer.from(JSON.stringify([last.finishedAt, last.applianceId, last.seq])).toString('base64url')
            : null,
      };
    },

    async latestForSite(actor: ActorContext, siteId: string): Promise<{ items: LatestResult[] }> {
      await authorize.site(actor, siteId);
      const page = await appliances.listAppliances(SYSTEM_ACTOR, siteId, { limit: 200 });
      return {
        items: await store.latest(
          db,
          page.items.map((a) => a.id),
        ),
      };
    },
  };
}

export type EvidenceService = ReturnType<typeof createEvidenceService>;
