// A wallet's transaction entries as events, each state once. An entry (txid,
// vout, category) is an event when first seen in the mempool
// (<wallet>:<txid>:<vout>:<category>:mempool), when mined in block B (…:<B>)
// and when a reorg takes it out of B (…:<B>:removed). listsinceblock from the
// last block seen gives what changed: `transactions` since then (and all
// unconfirmed ones, which is why mempool ids already delivered are
// remembered), and `removed`, filled only when that block left the active
// chain; removed entries show their current state, so the block they left is
// found by reading the disconnected blocks.
import type { JsonObject, JsonValue } from '../../json.js';
import type { BlockRef, ChainReader } from './chain.js';

export interface WalletCursor {
  // The `lastblock` of the last listsinceblock; undefined: the whole history.
  readonly lastblock: string | undefined;
  // Mempool ids delivered, with the tip height when first seen.
  readonly mempool: Readonly<Record<string, number>>;
}

export interface WalletEvent {
  readonly id: string;
  readonly fields: JsonObject;
}

// A delivered mempool id is forgotten once it is no longer in the mempool and
// this many blocks old: no reorg goes that deep.
const KEEP_MEMPOOL_IDS_BLOCKS = 1000;

// The fields of a wallet_tx event, in this order; null where bitcoind gives none.
const FIELDS = ['txid', 'vout', 'address', 'label', 'category', 'amount', 'fee', 'confirmations', 'blockhash', 'blockheight', 'time'] as const;

// The events since the cursor and the cursor once they are delivered.
export async function walletChanges(chain: ChainReader, wallet: string, cursor: WalletCursor, tipHeight: number, signal?: AbortSignal): Promise<{ events: WalletEvent[]; next: WalletCursor }> {
  const since = await chain.listSinceBlock(wallet, cursor.lastblock, signal);
  const mempool: Record<string, number> = { ...cursor.mempool };
  const events: WalletEvent[] = [];
  const ids = new Set<string>();
  const add = (event: WalletEvent): void => {
    if (ids.has(event.id)) return;
    ids.add(event.id);
    events.push(event);
  };
  if (since.removed.length > 0 && cursor.lastblock !== undefined) {
    const blockOf = await disconnectedTxids(chain, cursor.lastblock, signal);
    for (const entry of since.removed) {
      const block = blockOf.get(String(entry.txid));
      if (block === undefined) continue;
      const key = entryKey(wallet, entry);
      // A removed entry back in the mempool is that state, not a new sighting.
      mempool[`${key}:mempool`] ??= tipHeight;
      const confirmations = typeof entry.confirmations === 'number' ? Math.min(entry.confirmations, 0) : 0;
      add({ id: `${key}:${block.hash}:removed`, fields: walletFields(wallet, { ...entry, confirmations, blockhash: block.hash, blockheight: block.height }) });
    }
  }
  const stillInMempool = new Set<string>();
  for (const entry of sortByBlock(since.transactions)) {
    const key = entryKey(wallet, entry);
    const confirmations = typeof entry.confirmations === 'number' ? entry.confirmations : 0;
    if (confirmations > 0 && typeof entry.blockhash === 'string') {
      add({ id: `${key}:${entry.blockhash}`, fields: walletFields(wallet, entry) });
    } else if (confirmations === 0 && entry.generated !== true && entry.category !== 'orphan') {
      // Coinbases are never in the mempool; an orphaned one stays at 0 for ever.
      const id = `${key}:mempool`;
      stillInMempool.add(id);
      if (mempool[id] === undefined) {
        mempool[id] = tipHeight;
        add({ id, fields: walletFields(wallet, entry) });
      }
    }
    // Negative: conflicted, never mined; no state of its own here.
  }
  for (const [id, seenAt] of Object.entries(mempool)) {
    if (!stillInMempool.has(id) && seenAt < tipHeight - KEEP_MEMPOOL_IDS_BLOCKS) delete mempool[id];
  }
  return { events, next: { lastblock: since.lastblock, mempool } };
}

function entryKey(wallet: string, entry: JsonObject): string {
  return `${wallet}:${String(entry.txid)}:${String(entry.vout)}:${String(entry.category)}`;
}

// The wallet_tx fields of an entry: numbers as bitcoind wrote them.
export function walletFields(wallet: string, entry: JsonObject): JsonObject {
  const fields: JsonObject = { wallet };
  for (const key of FIELDS) fields[key] = (entry[key] ?? null) as JsonValue;
  return fields;
}

// Mined entries oldest block first, then the unconfirmed ones, as listed.
function sortByBlock(entries: readonly JsonObject[]): JsonObject[] {
  const height = (entry: JsonObject): number => (typeof entry.blockheight === 'number' ? entry.blockheight : Number.POSITIVE_INFINITY);
  return [...entries].sort((a, b) => height(a) - height(b));
}

// Which disconnected block held each txid: from `stale` down to the fork point.
async function disconnectedTxids(chain: ChainReader, stale: string, signal?: AbortSignal): Promise<Map<string, BlockRef>> {
  const blockOf = new Map<string, BlockRef>();
  for (let hash: string | undefined = stale; hash !== undefined; ) {
    const header = await chain.header(hash, signal);
    if (header === undefined || header.confirmations >= 0) break;
    for (const txid of await chain.blockTxids(hash, signal)) if (!blockOf.has(txid)) blockOf.set(txid, { hash: header.hash, height: header.height });
    hash = header.previousblockhash;
  }
  return blockOf;
}
