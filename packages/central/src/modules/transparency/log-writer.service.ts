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
/** The backfill appends pre-log evidence in transactions of this many leaves. */
const BACKFILL_BATCH = 2_000;
const TSA_ERROR_MAX_CHARS = 500;

/**
 * Writes the transparency log: appends accepted evidence as leaves (inside the ingest's own
 * transaction), backfills evidence older than the log, and issues signed tree heads.
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

  /**
   * Appends under the log lock. Leaf hashes are computed before it, so the lock covers only the
   * size and right-edge reads (O(log n) rows), the new subtree hashes and two inserts.
   */
  async function append(trx: Executor, leaves: LeafInput[], appendedAt: Date): Promise<void> {
    if (leaves.length === 0) return;
    const leafHashes = await Promise.all(leaves.map((leaf) => merkleLeafHash(hexToBytes(leaf.bundleHash))));
    await store.lockLog(trx);
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
    appendAccepted(trx: Executor, applianceId: string, bundles: { seq: number; hash: string }[], at: Date) {
      return append(
        trx,
        bundles.map((b) => ({ applianceId, seq: b.seq, bundleHash: b.hash })),
        at,
      );
    },

    /**
     * Appends evidence accepted before the log existed, in (received_at, appliance, seq) order.
     * Once a pass finds nothing, later runs of this process skip the scan.
     */
    async backfill(): Promise<number> {
      if (isBackfilled) return 0;
      let appended = 0;
      for (;;) {
        const count = await db.transaction().execute(async (trx) => {
          await store.lockLog(trx);
          const leaves = await store.unloggedBundles(trx, BACKFILL_BATCH);
          await append(trx, leaves, now());
          return leaves.length;
        });
        appended += count;
        if (count < BACKFILL_BATCH) break;
      }
      isBackfilled = true;
      return appended;
    },

    /**
     * Signs and stores a head for the current size when the log has grown and the last head is at
     * least a minute old. Safe on several replicas: they take turns under a lock. The timestamp (when a
     * time-stamping authority is configured) comes after, and its failure is recorded, never thrown.
     */
    async issueTreeHead(): Promise<number> {
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
