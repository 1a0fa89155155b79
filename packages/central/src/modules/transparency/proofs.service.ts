import {
  type ApplianceProofsQuery,
  type ApplianceProofsResponse,
  bytesToBase64Url,
  bytesToHex,
  type ConsistencyProofResponse,
  type ConsistencyQuery,
  type InclusionProofResponse,
  type LeafProof,
  type LogKey,
  type TreeHeadListQuery,
  type TreeHeadPage,
  type TreeHeadRecord,
} from '@osiris/protocol';
import type { Kysely } from 'kysely';
import type { Authorizer } from '../../platform/authorize';
import type { ActorContext } from '../../platform/context';
import type { DB } from '../../platform/db-schema';
import { AppError } from '../../platform/errors';
import { consistencyRanges, inclusionRanges, type LeafRange, nodeKey, rangeNodes, resolveRanges } from './merkle-plan';
import type { TransparencyStore, TreeHeadRow } from './transparency.store';

function toRecord(row: TreeHeadRow): TreeHeadRecord {
  return {
    treeSize: Number(row.tree_size),
    rootHash: row.root_hash,
    issuedAt: row.issued_at.toISOString(),
    keyId: row.key_id,
    signature: row.signature,
    tsaTime: row.tsa_time ? row.tsa_time.toISOString() : null,
    tsaToken: row.tsa_token ? bytesToBase64Url(new Uint8Array(row.tsa_token)) : null,
    tsaError: row.tsa_error,
  };
}

const noHead = (what: string) => new AppError('NOT_FOUND', what);

/** Serves tree heads and RFC 6962 proofs from the stored subtree roots: O(log n) rows per proof. */
export function createProofsService(deps: {
  db: Kysely<DB>;
  store: TransparencyStore;
  authorize: Authorizer;
  logKey: LogKey;
}) {
  const { db, store, authorize } = deps;

  /** Hashes of several proofs' ranges, from one read of every node they need. */
  async function resolveAll(proofs: LeafRange[][]): Promise<string[][]> {
    const refs = proofs.flat().flatMap((range) => rangeNodes(range));
    // Proofs of neighbouring leaves share most nodes: ask for each once.
    const unique = [...new Map(refs.map((r) => [nodeKey(r), r])).values()];
    const nodes = await store.nodes(db, unique);
    return Promise.all(proofs.map(async (ranges) => (await resolveRanges(ranges, nodes)).map(bytesToHex)));
  }

  async function headAt(treeSize: number): Promise<TreeHeadRow> {
    const row = await store.headAt(db, treeSize);
    if (!row) throw noHead(`No tree head of size ${treeSize}`);
    return row;
  }

  async function latestRow(): Promise<TreeHeadRow> {
    const row = await store.latestHead(db);
    if (!row) throw noHead('No tree head has been issued yet');
    return row;
  }

  return {
    logKey: (): LogKey => deps.logKey,

    latest: async (): Promise<TreeHeadRecord> => toRecord(await latestRow()),

    at: async (treeSize: number): Promise<TreeHeadRecord> => toRecord(await headAt(treeSize)),

    async list(query: TreeHeadListQuery): Promise<TreeHeadPage> {
      const before = query.cursor === undefined ? undefined : Number(query.cursor);
      const rows = await store.listHeads(db, before, query.limit);
      const items = rows.slice(0, query.limit).map(toRecord);
      const last = items.at(-1);
      return { items, nextCursor: rows.length > query.limit && last ? String(last.treeSize) : null };
    },

    async consistency(query: ConsistencyQuery): Promise<ConsistencyProofResponse> {
      if (query.first > query.second) {
        throw new AppError('VALIDATION_FAILED', 'first must not be larger than second', {
          details: { issues: [{ path: ['first'], message: 'larger than second', code: 'custom' }] },
        });
      }
      const [first, second] = await Promise.all([headAt(query.first), headAt(query.second)]);
      const [proof] = await resolveAll([consistencyRanges(query.first, query.second)]);
      return { first: toRecord(first), second: toRecord(second), proof: proof ?? [] };
    },

    /** Inclusion of one bundle of an appliance the caller reaches, in the given or latest tree head. */
    async inclusion(
      actor: ActorContext,
      applianceId: string,
      seq: number,
      treeSize: number | undefined,
    ): Promise<InclusionProofResponse> {
      await authorize.appliance(actor, applianceId);
      const [leaf, head] = await Promise.all([
        store.leafOf(db, applianceId, seq),
        treeSize === undefined ? store.latestHead(db) : store.headAt(db, treeSize),
      ]);
      if (!leaf) throw new AppError('NOT_FOUND', `Bundle ${seq} is not in the log`);
      if (!head)
        throw noHead(treeSize === undefined ? 'No tree head has been issued yet' : `No tree head of size ${treeSize}`);
      const size = Number(head.tree_size);
      const leafIndex = Number(leaf.leaf_index);
      if (leafIndex >= size) throw new AppError('NOT_FOUND', `Bundle ${seq} is not in the tree head of size ${size}`);
      const [proof] = await resolveAll([inclusionRanges(leafIndex, size)]);
      return {
        applianceId,
        seq,
        bundleHash: leaf.bundle_hash,
        leafIndex,
        proof: proof ?? [],
        treeHead: toRecord(head),
      };
    },

    /**
     * One page of an appliance's leaves after `afterSeq` inside a tree of `treeSize`, by seq, each
     * with its inclusion proof: every node the page needs in one read (exports page through these).
     */
    async leafProofsPage(applianceId: string, afterSeq: number, treeSize: number, limit: number): Promise<LeafProof[]> {
      const leaves = await store.leavesOf(db, applianceId, afterSeq, treeSize, limit);
      const proofs = await resolveAll(leaves.map((l) => inclusionRanges(Number(l.leaf_index), treeSize)));
      return leaves.map((l, i) => ({
        seq: Number(l.seq),
        bundleHash: l.bundle_hash,
        leafIndex: Number(l.leaf_index),
        proof: proofs[i] ?? [],
      }));
    },

    /** Consistency proofs between each consecutive pair of the given sizes (ascending), in one read. */
    async consistencyChain(sizes: number[]): Promise<{ first: number; second: number; proof: string[] }[]> {
      const pairs = sizes.slice(1).map((second, i) => ({ first: sizes[i] as number, second }));
      if (pairs.some((p) => p.first > p.second)) throw new Error('consistencyChain needs ascending sizes');
      const proofs = await resolveAll(pairs.map((p) => consistencyRanges(p.first, p.second)));
      return pairs.map((p, i) => ({ ...p, proof: proofs[i] ?? [] }));
    },

    /** The calling appliance's own bundles after `afterSeq` with their proofs in the latest head. */
    async applianceProofs(applianceId: string, query: ApplianceProofsQuery): Promise<ApplianceProofsResponse> {
      const row = await store.latestHead(db);
      if (!row) return { schemaVersion: 1, logKey: deps.logKey, treeHead: null, items: [], nextAfterSeq: null };
      const { tsaTime: _t, tsaToken: _k, tsaError: _e, ...treeHead } = toRecord(row);
      const leaves = await store.leavesOf(db, applianceId, query.afterSeq, treeHead.treeSize, query.limit);
      const proofs = await resolveAll(leaves.map((l) => inclusionRanges(Number(l.leaf_index), treeHead.treeSize)));
      const items: LeafProof[] = leaves.map((l, i) => ({
        seq: Number(l.seq),
        bundleHash: l.bundle_hash,
        leafIndex: Number(l.leaf_index),
        proof: proofs[i] ?? [],
      }));
      const last = items.at(-1);
      return {
        schemaVersion: 1,
        logKey: deps.logKey,
        treeHead,
        items,
        nextAfterSeq: items.length === query.limit && last ? last.seq : null,
      };
    },
  };
}

export type ProofsService = ReturnType<typeof createProofsService>;
