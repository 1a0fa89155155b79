import {
  ApplianceProofsResponse,
  base64UrlToBytes,
  hexToBytes,
  LogKey,
  logKeyId,
  merkleLeafHash,
  verifyInclusion,
  verifyTreeHead,
} from '@osiris/protocol';
import type { Logger } from '../log';
import type { Store } from '../store';
import type { VerifiedProof } from '../store/proofs.store';
import { type FetchImpl, getJson } from './central-client';

/** Where the log key this appliance trusts is pinned (on the first fetch). */
const LOG_KEY_SETTING = 'transparency.logKey';
const PAGE_SIZE = 200;
/** Pages per round, so one round stays short; the next round continues. */
const MAX_PAGES = 25;

/** The pinned log key, or the offered one pinned now (trust on first use) when its key id is its own. */
async function pinnedLogKey(store: Store, offered: LogKey, log: Logger): Promise<LogKey | null> {
  const stored = store.settings.get(LOG_KEY_SETTING);
  if (stored) {
    const pinned = LogKey.parse(JSON.parse(stored));
    if (pinned.keyId !== offered.keyId || pinned.publicKey !== offered.publicKey) {
      log.warn('central offered a different transparency log key; proofs refused', {
        pinnedKeyId: pinned.keyId,
        offeredKeyId: offered.keyId,
      });
      return null;
    }
    return pinned;
  }
  if ((await logKeyId(base64UrlToBytes(offered.publicKey))) !== offered.keyId) {
    log.warn('central offered a log key whose id does not match it; not pinned', { keyId: offered.keyId });
    return null;
  }
  store.settings.set(LOG_KEY_SETTING, JSON.stringify(offered));
  log.info('transparency log key pinned', { keyId: offered.keyId });
  return offered;
}

/**
 * Fetches inclusion proofs of this appliance's bundles in central's Merkle log and keeps those that
 * verify: the tree head signed by the pinned log key, each audit path leading from the bundle's
 * leaf to that head's root. Anything that does not verify is logged and not stored.
 */
export function createProofSync(deps: { store: Store; log: Logger; fetchImpl?: FetchImpl }) {
  const { store, log } = deps;

  return {
    /** Returns the number of proofs verified and stored this round (0 when not registered or nothing new). */
    async flush(): Promise<number> {
      const registration = store.registration.get();
      if (!registration) return 0;
      let stored = 0;
      for (let page = 0; page < MAX_PAGES; page++) {
        const afterSeq = store.proofs.summary().lastSeq;
        const reply = await getJson(
          deps.fetchImpl ?? fetch,
          `${registration.centralUrl}/v1/appliance/proofs?afterSeq=${afterSeq}&limit=${PAGE_SIZE}`,
          ApplianceProofsResponse,
          { token: registration.token, describeStatus: () => null },
        );
        const key = await pinnedLogKey(store, reply.logKey, log);
        const head = reply.treeHead;
        if (!key || !head || reply.items.length === 0) break;
        if (!(await verifyTreeHead(head, base64UrlToBytes(key.publicKey)))) {
          log.warn('tree head signature does not verify with the pinned log key; proofs refused', {
            treeSize: head.treeSize,
          });
          break;
        }
        const root = hexToBytes(head.rootHash);
        const verified: VerifiedProof[] = [];
        for (const item of reply.items) {
          const leaf = await merkleLeafHash(hexToBytes(item.bundleHash));
          const path = item.proof.map(hexToBytes);
          if (!(await verifyInclusion(leaf, item.leafIndex, head.treeSize, path, root))) {
            log.warn('inclusion proof does not verify; stopped', { seq: item.seq, treeSize: head.treeSize });
            break;
          }
          verified.push({ ...item, treeSize: head.treeSize, rootHash: head.rootHash, treeHead: JSON.stringify(head) });
        }
        store.proofs.save(verified);
        stored += verified.length;
        if (verified.length < reply.items.length || reply.nextAfterSeq === null) break;
      }
      if (stored > 0) log.debug('evidence inclusion proofs stored', { stored });
      return stored;
    },
  };
}
