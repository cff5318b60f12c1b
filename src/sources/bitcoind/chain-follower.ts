// Follows bitcoind: walks the active chain from the last block handed on
// (connecting, or disconnecting down to the fork point), then reads each
// wallet's changes, then waits for the next block by long-polling
// waitfornewblock (its timeout is the mempool poll). Every event is handed on
// and durably accepted before the position after it is saved. When bitcoind
// cannot be reached (not started, restarting, still loading: -28) it waits
// and tries again with backoff, saying so once when lost and once when back.
import type { Logger } from 'pino';
import { errorText } from '../../errors.js';
import type { JsonObject } from '../../json.js';
import { nextBlockStep, type ChainCursor } from './block-walker.js';
import type { BlockRef, ChainReader } from './chain.js';
import { CredentialError } from './credentials.js';
import { RPC_IN_WARMUP, RpcError, RpcUnavailable } from './rpc.js';
import type { FollowerState, FollowerStateStore } from './state.js';
import { walletChanges, type WalletCursor } from './wallet-tracker.js';

export type BitcoindEventType = 'block_connected' | 'block_disconnected' | 'wallet_tx';

export interface BitcoindEvent {
  readonly type: BitcoindEventType;
  readonly id: string;
  readonly fields: JsonObject;
}

export interface FollowerStatus {
  readonly connected: boolean;
  // Why bitcoind cannot be followed right now.
  readonly problem: string | null;
  // bitcoind's tip as last seen, and the last block handed on.
  readonly tip: BlockRef | null;
  readonly lastBlock: BlockRef | null;
  // Each wallet's last block (listsinceblock's lastblock).
  readonly wallets: Readonly<Record<string, string | null>>;
}

export interface FollowerOptions {
  readonly chain: ChainReader;
  readonly wallets: readonly string[];
  // First run only: after the current tip, or from this height on.
  readonly from: 'tip' | number;
  // How often the mempool is read when no block comes.
  readonly pollMs: number;
  readonly store: FollowerStateStore;
  // Resolves once the event is durably accepted.
  readonly deliver: (event: BitcoindEvent) => Promise<void>;
  readonly log: Logger;
}

// How long waitfornewblock waits when there is no wallet to poll.
const IDLE_WAIT_MS = 60_000;
const FIRST_RETRY_MS = 250;
const MAX_RETRY_MS = 15_000;
// bitcoind before current_tip was a parameter of waitfornewblock answers -1.
const RPC_MISC_ERROR = -1;

export class ChainFollower {
  private readonly abort = new AbortController();
  private state: { chain: ChainCursor; wallets: Record<string, WalletCursor> } | undefined;
  private tip: BlockRef | undefined;
  // While bitcoind cannot be followed: why (logged once).
  private trouble: string | undefined;
  private connected = false;
  private waitTakesCurrentTip = true;

  constructor(private readonly options: FollowerOptions) {}

  get signal(): AbortSignal {
    return this.abort.signal;
  }

  // Follow until stop(); never throws.
  async run(): Promise<void> {
    let failures = 0;
    while (!this.signal.aborted) {
      try {
        this.tip = await this.options.chain.tip(this.signal);
        this.state ??= await this.initialState(this.tip);
        await this.addNewWallets(this.tip);
        await this.catchUp();
        await this.pollWallets();
        this.markBack();
        failures = 0;
        await this.waitForBlock();
      } catch (error) {
        if (this.signal.aborted) break;
        this.markTrouble(error);
        await pause(Math.min(FIRST_RETRY_MS * 2 ** failures++, MAX_RETRY_MS), this.signal);
      }
    }
  }

  stop(): void {
    this.abort.abort();
  }

  status(): FollowerStatus {
    const wallets: Record<string, string | null> = {};
    for (const name of this.options.wallets) wallets[name] = this.state?.wallets[name]?.lastblock ?? null;
    return {
      connected: this.connected,
      problem: this.trouble ?? null,
      tip: this.tip ?? null,
      lastBlock: this.state?.chain.hash === undefined ? null : { hash: this.state.chain.hash, height: this.state.chain.height },
      wallets,
    };
  }

  // The saved state, else where `from` says (saved at once, so that a restart goes on from there).
  private async initialState(tip: BlockRef): Promise<{ chain: ChainCursor; wallets: Record<string, WalletCursor> }> {
    const saved: FollowerState | undefined = await this.options.store.load();
    if (saved !== undefined) return { chain: saved.chain, wallets: { ...saved.wallets } };
    const { from } = this.options;
    const state = { chain: from === 'tip' ? tip : { height: from - 1, hash: undefined }, wallets: {} };
    // Saved at once: blocks found while hookd is stopped before the first one are not skipped.
    await this.options.store.save(state);
    this.options.log.info({ source: 'bitcoind', from: from === 'tip' ? `after the tip ${tip.height}` : from }, 'first run: following the chain');
    return state;
  }

  // A wallet without a cursor (first run, or newly configured) starts where `from` says.
  private async addNewWallets(tip: BlockRef): Promise<void> {
    const state = this.state!;
    const missing = this.options.wallets.filter((name) => state.wallets[name] === undefined);
    if (missing.length === 0) return;
    const { from } = this.options;
    let lastblock: string | undefined = tip.hash;
    if (from !== 'tip') lastblock = from === 0 ? undefined : ((await this.options.chain.hashAt(from - 1, this.signal)) ?? tip.hash);
    for (const name of missing) state.wallets[name] = { lastblock, mempool: {} };
    await this.save();
  }

  private async catchUp(): Promise<void> {
    const state = this.state!;
    for (;;) {
      const step = await nextBlockStep(this.options.chain, state.chain, this.signal);
      if (step.kind === 'at-tip' || this.signal.aborted) return;
      if (step.kind === 'connect') {
        const { hash, height, time, mediantime, previousblockhash, nTx } = step.header;
        await this.options.deliver({ type: 'block_connected', id: `block:${hash}`, fields: { hash, height, time, mediantime, previousblockhash: previousblockhash ?? null, nTx } });
        state.chain = { hash, height };
      } else {
        const { hash, height } = step.block;
        await this.options.deliver({ type: 'block_disconnected', id: `block:${hash}:disconnected`, fields: { hash, height } });
        state.chain = step.parent;
      }
      if (this.tip === undefined || state.chain.height > this.tip.height) this.tip = { hash: state.chain.hash as string, height: state.chain.height };
      await this.save();
    }
  }

  private async pollWallets(): Promise<void> {
    const state = this.state!;
    for (const wallet of this.options.wallets) {
      const cursor = state.wallets[wallet] as WalletCursor;
      const { events, next } = await walletChanges(this.options.chain, wallet, cursor, this.tip?.height ?? 0, this.signal);
      for (const event of events) {
        if (this.signal.aborted) return;
        await this.options.deliver({ type: 'wallet_tx', id: event.id, fields: event.fields });
      }
      if (events.length === 0 && next.lastblock === cursor.lastblock && Object.keys(next.mempool).length === Object.keys(cursor.mempool).length) continue;
      state.wallets[wallet] = next;
      await this.save();
    }
  }

  // Until a new block, or the mempool poll is due.
  private async waitForBlock(): Promise<void> {
    const { chain, pollMs, wallets } = this.options;
    const timeout = wallets.length > 0 ? pollMs : IDLE_WAIT_MS;
    const current = this.state?.chain.hash ?? this.tip?.hash;
    if (this.waitTakesCurrentTip) {
      try {
        this.tip = await chain.waitForNewBlock(timeout, current, this.signal);
        return;
      } catch (error) {
        if (!(error instanceof RpcError && error.code === RPC_MISC_ERROR)) throw error;
        this.waitTakesCurrentTip = false;
      }
    }
    // Without current_tip a block found just before the call waits for the next poll.
    this.tip = await chain.waitForNewBlock(Math.min(timeout, pollMs), undefined, this.signal);
  }

  private async save(): Promise<void> {
    const state = this.state!;
    await this.options.store.save({ chain: state.chain, wallets: state.wallets });
  }

  private markBack(): void {
    if (this.connected && this.trouble === undefined) return;
    const { log, chain } = this.options;
    const tip = this.tip;
    log.info({ source: 'bitcoind', url: chain.rpc.url.host, tip: tip?.height, lastBlock: this.state?.chain.height }, this.trouble === undefined ? 'following bitcoind' : 'bitcoind is back; following it again');
    this.connected = true;
    this.trouble = undefined;
  }

  // One line when following stops working, and again only when the reason changes.
  private markTrouble(error: unknown): void {
    this.connected = false;
    const text = errorText(error);
    const waiting = isWaiting(error);
    const key = waiting ? 'waiting' : text;
    if (this.trouble !== undefined && (this.trouble === key || (waiting && this.trouble.startsWith('waiting')))) return;
    this.trouble = waiting ? `waiting: ${text}` : text;
    const { log, chain } = this.options;
    if (waiting) log.warn({ source: 'bitcoind', url: chain.rpc.url.host, reason: text }, 'bitcoind is not reachable (not started, restarting or still loading); retrying');
    else log.error({ source: 'bitcoind', url: chain.rpc.url.host, error: text }, 'cannot follow bitcoind; retrying');
  }
}

// Errors that mean "bitcoind is not there yet": wait and try again.
export function isWaiting(error: unknown): boolean {
  if (error instanceof RpcUnavailable) return true;
  if (error instanceof RpcError) return error.code === RPC_IN_WARMUP;
  return error instanceof CredentialError && error.missing;
}

// Resolves after `ms`, or at once when `signal` aborts.
function pause(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve();
    const timer = setTimeout(done, ms);
    function done(): void {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    }
    signal.addEventListener('abort', done, { once: true });
  });
}
