// Where the follower is: the last block handed on and each wallet's cursor,
// kept in <state>/sources/ and written (atomically, fsync'd) only after the
// events before it were durably accepted. A crash in between repeats events
// on the next start (same ids), never skips one.
import { createHash } from 'node:crypto';
import { mkdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { writeAtomically } from '../atomic-write.js';
import type { ChainCursor } from './block-walker.js';
import type { WalletCursor } from './wallet-tracker.js';

export interface FollowerState {
  readonly chain: ChainCursor;
  readonly wallets: Readonly<Record<string, WalletCursor>>;
}

export class FollowerStateStore {
  // `file` undefined: memory only (state: false).
  private constructor(readonly file: string | undefined) {}

  // One file per bitcoind URL.
  static forUrl(state: string | false, url: URL): FollowerStateStore {
    if (state === false) return new FollowerStateStore(undefined);
    const digest = createHash('sha256').update(url.href).digest('hex').slice(0, 16);
    return new FollowerStateStore(path.join(state, 'sources', `bitcoind-${url.hostname.replace(/[^\w.-]/g, '_')}-${url.port || '80'}-${digest}.json`));
  }

  // The saved state; undefined on a first run. Throws when the file is there but unreadable.
  async load(): Promise<FollowerState | undefined> {
    if (this.file === undefined) return undefined;
    let text: string;
    try {
      text = await readFile(this.file, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw error;
    }
    const saved = JSON.parse(text) as { chain?: { height?: unknown; hash?: unknown }; wallets?: unknown };
    const height = saved.chain?.height;
    const hash = saved.chain?.hash;
    if (!Number.isSafeInteger(height) || (hash !== null && typeof hash !== 'string') || typeof saved.wallets !== 'object' || saved.wallets === null) {
      throw new Error(`${this.file}: not a state file hookd wrote`);
    }
    const wallets: Record<string, WalletCursor> = {};
    for (const [name, value] of Object.entries(saved.wallets as Record<string, { lastblock?: unknown; mempool?: unknown }>)) {
      const mempool = typeof value.mempool === 'object' && value.mempool !== null ? (value.mempool as Record<string, number>) : {};
      wallets[name] = { lastblock: typeof value.lastblock === 'string' ? value.lastblock : undefined, mempool };
    }
    return { chain: { height: height as number, hash: hash ?? undefined }, wallets };
  }

  async save(state: FollowerState): Promise<void> {
    if (this.file === undefined) return;
    const wallets: Record<string, unknown> = {};
    for (const [name, cursor] of Object.entries(state.wallets)) wallets[name] = { lastblock: cursor.lastblock ?? null, mempool: cursor.mempool };
    const text = `${JSON.stringify({ chain: { height: state.chain.height, hash: state.chain.hash ?? null }, wallets, savedAt: new Date().toISOString() })}\n`;
    await mkdir(path.dirname(this.file), { recursive: true, mode: 0o700 });
    await writeAtomically(this.file, text);
  }
}
