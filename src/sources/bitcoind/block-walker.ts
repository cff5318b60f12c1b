// One step along the active chain from the last block handed on: the next
// block to connect, the last block to disconnect (it left the active chain in
// a reorg: walking back one block at a time from there finds the fork point
// and disconnects from the top down), or nothing (at the tip). Heights alone
// are ambiguous after a reorg; the saved hash and bitcoind's confirmations
// (-1 off the active chain) are what decide.
import type { BlockHeader, BlockRef, ChainReader } from './chain.js';

// The last block handed on; `hash` undefined before the first one (the next
// block is then the active chain's at height + 1).
export interface ChainCursor {
  readonly height: number;
  readonly hash: string | undefined;
}

export type BlockStep =
  | { readonly kind: 'connect'; readonly header: BlockHeader }
  | { readonly kind: 'disconnect'; readonly block: BlockRef; readonly parent: ChainCursor }
  | { readonly kind: 'at-tip' };

// The saved block is unknown to bitcoind (another chain or network, a new datadir).
export class UnknownBlockError extends Error {}

export async function nextBlockStep(chain: ChainReader, cursor: ChainCursor, signal?: AbortSignal): Promise<BlockStep> {
  // A block can be connected after `next` was read: twice is enough to settle.
  for (let attempt = 0; attempt < 3; attempt++) {
    let next: string | undefined;
    if (cursor.hash === undefined) {
      next = await chain.hashAt(cursor.height + 1, signal);
    } else {
      const last = await chain.header(cursor.hash, signal);
      if (last === undefined) throw new UnknownBlockError(`bitcoind does not know block ${cursor.hash} (height ${cursor.height}), the last one hookd handed on; is it the same chain?`);
      if (last.confirmations < 0) {
        return { kind: 'disconnect', block: { hash: last.hash, height: last.height }, parent: { height: last.height - 1, hash: last.previousblockhash } };
      }
      next = last.nextblockhash;
    }
    if (next === undefined) return { kind: 'at-tip' };
    const header = await chain.header(next, signal);
    if (header !== undefined && header.confirmations >= 0 && (cursor.hash === undefined || header.previousblockhash === cursor.hash)) return { kind: 'connect', header };
  }
  return { kind: 'at-tip' };
}
