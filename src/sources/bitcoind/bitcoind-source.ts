// The `bitcoind` source: block_connected, block_disconnected and wallet_tx
// events from bitcoind's RPC (see follower.ts), with ids that are the same
// after a restart. Mistakes in the config (credentials refused, an unknown
// wallet, an unreadable cookie) stop hookd at start, or keep a reload out.
import type { BitcoindSourceSpec } from '../../config/types.js';
import { HookdError } from '../../errors.js';
import { makeEvent } from '../../event.js';
import { stringifyJson } from '../../json.js';
import type { EventSink, Source } from '../source.js';
import { ChainReader, type BlockRef } from './chain.js';
import { ChainFollower, type BitcoindEvent } from './chain-follower.js';
import { BitcoindSetupError, checkBitcoind } from './preflight.js';
import { BitcoindRpc } from './rpc.js';
import { FollowerStateStore } from './state.js';

export class BitcoindSource implements Source {
  readonly name = 'bitcoind';
  readonly finite = false;
  readonly ended: Promise<void>;
  private endResolve!: () => void;
  private readonly url: URL;
  private readonly rpc: BitcoindRpc;
  private readonly chain: ChainReader;
  private follower: ChainFollower | undefined;
  private following: Promise<void> = Promise.resolve();
  private checked = false;
  private accepted = 0;

  constructor(
    private readonly spec: BitcoindSourceSpec,
    // The state folder, or false (the position is kept in memory only).
    private readonly state: string | false,
  ) {
    this.ended = new Promise((resolve) => (this.endResolve = resolve));
    this.url = new URL(spec.url);
    this.rpc = new BitcoindRpc(this.url, spec.auth);
    this.chain = new ChainReader(this.rpc);
  }

  async check(): Promise<void> {
    try {
      await checkBitcoind(this.chain, this.spec.auth, this.spec.wallets);
    } catch (error) {
      if (error instanceof BitcoindSetupError) throw new HookdError('E_CONFIG', `${this.spec.where}: ${error.message}`);
      throw error;
    }
    this.checked = true;
  }

  async start(sink: EventSink): Promise<void> {
    if (!this.checked) await this.check();
    this.follower = new ChainFollower({
      chain: this.chain,
      wallets: this.spec.wallets,
      from: this.spec.from,
      pollMs: this.spec.pollMs,
      store: FollowerStateStore.forUrl(this.state, this.url),
      deliver: (event) => this.deliver(sink, event),
      log: sink.log,
    });
    this.following = this.follower.run();
  }

  async stop(): Promise<void> {
    this.follower?.stop();
    await this.following;
    this.rpc.close();
    this.endResolve();
  }

  status(): Record<string, unknown> {
    const follower = this.follower?.status();
    const block = (ref: BlockRef | null | undefined): string | null => (ref ? `${ref.height} ${ref.hash}` : null);
    // One key per wallet, so that the status table shows "wallet:shop=<hash>".
    const wallets = Object.entries(follower?.wallets ?? {}).map(([name, hash]) => [`wallet:${name}`, hash ?? '-']);
    return {
      url: this.url.host,
      connected: follower?.connected ?? false,
      tip: block(follower?.tip),
      lastBlock: block(follower?.lastBlock),
      ...Object.fromEntries(wallets),
      accepted: this.accepted,
      problem: follower?.problem ?? null,
    };
  }

  private async deliver(sink: EventSink, event: BitcoindEvent): Promise<void> {
    await sink.accept(makeEvent({ type: event.type, id: event.id, fields: event.fields, raw: stringifyJson(event.fields), source: this.name }));
    this.accepted++;
  }
}
