import { bytesToHex, hexToBytes, merkleLeafHash, sha256, signTreeHead, treeHeadSigningInput } from '@osiris/protocol';
import type { Kysely } from 'kysely';
import type { Executor } from '../../platform/context';
import type { DB } from '../../platform/db-schema';
import type { LogSigningKey } from './log-key';
import { appendNodes, nodeKey, rangeNodes, resolveRanges } from './merkle-plan';
import type { LeafInput, TransparencyStore } from './transparency.store';
import type { Timestamper } from '../timestamps';

/** Tree heads come at most this often, and only when the log has grown. */
const TREE_HEAD_MIN_INTERVAL_MS = 60_000;
/** The drain appends queued bundles in transactions of this many leaves. */
const DRAIN_BATCH = 2_000;
/** The backfill queues pre-log evidence in statements of this many bundles. */
const BACKFILL_BATCH = 2_000;
const TSA_ERROR_MAX_CHARS = 500;

/**
 * Writes the transparency log. The evidence ingest only queues what it accepts (inside its own
 * transaction, no lock); a drain appends the queue as leaves under the log lock, shortly after each
 * ingest commits, from the periodic job and before every tree head. Also backfills evidence older
 * than the log and issues signed tree heads.
 */
export function createLogWriter(deps: {
  db: Kysely<DB>;
  store: TransparencyStore;
  key: LogSigningKey;
  timestamper?: Timestamper | undefined;
  now: () => Date;
}) {
  const { db, store, key, now } = deps;
  let isBackfilled = false;
  /** The drain running in this process, if any, and whether another pass was asked for meanwhile. */
  let running: Promise<number> | null = null;
  let isAgainWanted = false;

  /**
   * Appends under the log lock, which the caller holds: the size and right-edge reads (O(log n)
   * rows), the new subtree hashes and one insert.
   */
  async function append(trx: Executor, leaves: LeafInput[], appendedAt: Date): Promise<void> {
    if (leaves.length === 0) return;
    const leafHashes = await Promise.all(leaves.map((leaf) => merkleLeafHash(hexToBytes(leaf.bundleHash))));
    const size = await store.size(trx);
    const edgeRefs = rangeNodes([0, size]);
    const stored = await store.nodes(trx, edgeRefs);
    const edge = edgeRefs.map((ref) => {
      const hash = stored.get(nodeKey(ref));
      if (!hash) throw new Error(`merkle node ${nodeKey(ref)} is missing`);
      return hash;
    });
    await store.append(trx, size, leaves, appendNodes(size, edge, leafHashes), appendedAt);
  }

  /**
   * One transaction: the oldest queued bundles become leaves and leave the queue. The lock makes
   * replicas take turns, and the next one reads the queue only after this one committed its deletes,
   * so every queued bundle is appended exactly once. One already logged (never expected) is dropped.
   */
  async function drainBatch(): Promise<number> {
    return db.transaction().execute(async (trx) => {
      await store.lockLog(trx);
      const queued = await store.queued(trx, DRAIN_BATCH);
      await append(
        trx,
        queued.filter((q) => !q.isLogged),
        now(),
      );
      await store.dequeue(
        trx,
        queued.map((q) => q.id),
      );
      return queued.length;
    });
  }

  /**
   * Drains until the queue is empty, then again while passes were asked for during it. `running` is
   * cleared in the same synchronous step as the last check of `isAgainWanted`, so no call can join a
   * run that will not make another pass.
   */
  async function drainPasses(): Promise<number> {
    let drained = 0;
    try {
      do {
        isAgainWanted = false;
        for (;;) {
          const count = await drainBatch();
          drained += count;
          if (count < DRAIN_BATCH) break;
        }
      } while (isAgainWanted);
      return drained;
    } finally {
      running = null;
    }
  }

  /**
   * Appends everything queued before the call; resolves with how many entries the run drained.
   * Single-flight per process: while a drain runs, a call marks "again" and shares its promise, so
   * bursts of ingests coalesce into a few passes instead of queuing transactions on the lock.
   */
  function drain(): Promise<number> {
    if (running) {
      isAgainWanted = true;
      return running;
    }
    running = drainPasses();
    return running;
  }

  async function stamp(body: Parameters<typeof treeHeadSigningInput>[0]): Promise<void> {
    const { timestamper } = deps;
    if (!timestamper) return;
    try {
      const { token, time } = await timestamper.stamp(await sha256(treeHeadSigningInput(body)));
      await store.fillTimestamp(db, body.treeSize, { token, time });
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      await store.fillTimestamp(db, body.treeSize, { error: message.slice(0, TSA_ERROR_MAX_CHARS) || 'failed' });
    }
  }

  return {
    /** Called by the evidence ingest inside its transaction, with the bundles it accepted in order. */
    enqueueAccepted(trx: Executor, applianceId: string, bundles: { seq: number; hash: string }[], at: Date) {
      return store.enqueue(
        trx,
        bundles.map((b) => ({ applianceId, seq: b.seq, bundleHash: b.hash })),
        at,
      );
    },

    /** Appends what is queued (see `drain` above); tests call it instead of waiting. */
    drain,

    /** Waits for the drain in flight, if any, without failing (shutdown: before the database closes). */
    async settle(): Promise<void> {
      await running?.catch(() => undefined);
    },

    /**
     * Queues evidence accepted before the log existed, in (received_at, appliance, seq) order, and
     * drains it; returns how many it queued. Once a pass finds nothing, later runs of this process
     * skip the scan.
     */
    async backfill(): Promise<number> {
      if (isBackfilled) return 0;
      let queued = 0;
      for (;;) {
        const count = await store.enqueueUnlogged(db, BACKFILL_BATCH, now());
        queued += count;
        if (count < BACKFILL_BATCH) break;
      }
      if (queued > 0) await drain();
      isBackfilled = true;
      return queued;
    },

    /**
     * Drains the queue, then signs and stores a head for the current size when the log has grown and
     * the last head is at least a minute old. Safe on several replicas: they take turns under a lock.
     * The timestamp (when a time-stamping authority is configured) comes after, and its failure is
     * recorded, never thrown.
     */
    async issueTreeHead(): Promise<number> {
      // The head covers every bundle whose ingest committed before this call.
      await drain();
      const head = await db.transaction().execute(async (trx) => {
        // Replicas take turns, so two cannot both issue within the minute.
        await store.lockTreeHeads(trx);
        const size = await store.size(trx);
        const latest = await store.latestHead(trx);
        const issuedAt = now();
        if (size === 0 || (latest && Number(latest.tree_size) >= size)) return null;
        if (latest && issuedAt.getTime() - latest.issued_at.getTime() < TREE_HEAD_MIN_INTERVAL_MS) return null;
        const [root] = await resolveRanges([[0, size]], await store.nodes(trx, rangeNodes([0, size])));
        const signed = await signTreeHead(
          {
            treeSize: size,
            rootHash: bytesToHex(root as Uint8Array),
            issuedAt: issuedAt.toISOString(),
            keyId: key.published.keyId,
          },
          key.privateKeyPkcs8,
        );
        return (await store.insertHead(trx, signed)) ? signed : null;
      });
      if (!head) return 0;
      const { signature: _signature, ...body } = head;
      // After commit: the time-stamping authority is a network call.
      await stamp(body);
      return 1;
    },
  };
}

export type LogWriter = ReturnType<typeof createLogWriter>;
