// The `cln` source: lightningd's own records (invoices, forwards, sendpays,
// htlcs, moves, network events) followed by index over its RPC socket, so
// that nothing paid, forwarded or sent while hookd was stopped is missed.
// It follows exactly the pairs the hooks can match (`follow` after a
// reload); a pair seen for the first time starts as `from` says, a known one
// goes on from its saved value. A pair the node lacks (older release) is
// skipped with one line naming the release that added it.
import { setTimeout as sleep } from 'node:timers/promises';
import type { HookSpec } from '../../config/types.js';
import { errorText } from '../../errors.js';
import { isJsonObject } from '../../json.js';
import type { EventSink, Source } from '../source.js';
import { keepConnected, RETRY_MAX_MS } from './rpc-connection.js';
import { currentValue, IndexFollower, SOURCE_NAME } from './index-follower.js';
import { nodeHas, pairKey, topicsMatched, type IndexTopic } from '../../lightningd/index-topics.js';
import { IndexPositions } from './positions.js';
import { INVALID_PARAMS, METHOD_NOT_FOUND, RpcConnectionLost, RpcError, type LightningRpc } from './rpc-client.js';

export type ClnFrom = 'now' | 'start';

// The pairs the hooks can match (decision hooks answer lightningd, not events).
export function followedTopics(hooks: readonly HookSpec[]): IndexTopic[] {
  return topicsMatched(hooks.filter((hook) => !hook.decide).map((hook) => hook.matchType));
}

export interface ClnIndexOptions {
  // lightningd's JSON-RPC socket.
  readonly rpcPath: string;
  // Where a pair followed for the first time starts: the node's current
  // value (now) or its whole history (start).
  readonly from: ClnFrom;
  // The state folder (saved positions), or false: memory only.
  readonly state: string | false;
  // The pairs to follow at start.
  readonly topics: readonly IndexTopic[];
  // Rows per list call (tests make it small).
  readonly pageRows?: number;
}

interface RunningPair {
  readonly topic: IndexTopic;
  readonly controller: AbortController;
  // Set when a reload stopped following it: its last value is not kept.
  dropped: boolean;
  done: Promise<void>;
}

export class ClnIndexSource implements Source {
  readonly name = SOURCE_NAME;
  readonly finite = false;
  readonly ended: Promise<void>;
  private endResolve!: () => void;
  private sink!: EventSink;
  private positions!: IndexPositions;
  private topics: readonly IndexTopic[];
  private readonly pairs = new Map<string, RunningPair>();
  private readonly skipped = new Map<string, string>();
  // Pairs whose start was logged (once, not at every reconnect).
  private readonly announced = new Set<string>();
  private readonly stopping = new AbortController();
  private connection: Promise<void> = Promise.resolve();
  private rpc: LightningRpc | undefined;
  private version: string | undefined;
  private accepted = 0;

  constructor(private readonly options: ClnIndexOptions) {
    this.topics = options.topics;
    this.ended = new Promise((resolve) => (this.endResolve = resolve));
  }

  get rpcPath(): string {
    return this.options.rpcPath;
  }

  async start(sink: EventSink): Promise<void> {
    this.sink = sink;
    this.positions = IndexPositions.forRpc(this.options.state, this.rpcPath, sink.log);
    await this.positions.load();
    this.positions.retain(new Set(this.topics.map(pairKey)));
    // lightningd may not be up yet: the source waits for it, hookd starts.
    this.connection = keepConnected(this.rpcPath, sink.log, { session: (rpc) => this.session(rpc) }, this.stopping.signal);
  }

  hooksChanged(hooks: readonly HookSpec[]): void {
    this.follow(followedTopics(hooks));
  }

  // The pairs to follow from now on (after a reload).
  follow(topics: readonly IndexTopic[]): void {
    this.topics = topics;
    const keys = new Set(topics.map(pairKey));
    for (const [key, pair] of this.pairs) {
      if (keys.has(key)) continue;
      pair.dropped = true;
      pair.controller.abort();
      this.pairs.delete(key);
      this.announced.delete(key);
      this.sink.log.info({ source: this.name, pair: key }, `no hook matches ${pair.topic.type} any more: no longer following ${key}`);
    }
    this.positions.retain(keys);
    for (const key of [...this.skipped.keys()]) if (!keys.has(key)) this.skipped.delete(key);
    const rpc = this.rpc;
    if (rpc !== undefined) for (const topic of topics) this.startPair(topic, rpc);
  }

  async stop(): Promise<void> {
    this.stopping.abort();
    for (const pair of this.pairs.values()) pair.controller.abort();
    await this.connection;
    await Promise.all([...this.pairs.values()].map((pair) => pair.done));
    await this.positions?.flush();
    this.endResolve();
  }

  status(): Record<string, unknown> {
    const indexes = Object.fromEntries(this.topics.filter((topic) => !this.skipped.has(pairKey(topic))).map((topic) => [pairKey(topic), this.positions?.get(pairKey(topic)) ?? null]));
    return {
      path: this.rpcPath,
      connected: this.rpc !== undefined,
      version: this.version ?? null,
      indexes,
      skipped: this.skipped.size > 0 ? Object.fromEntries(this.skipped) : null,
      accepted: this.accepted,
    };
  }

  // One connection: every pair runs on it until it is lost.
  private async session(rpc: LightningRpc): Promise<void> {
    try {
      const info = await rpc.call('getinfo');
      this.version = isJsonObject(info) && typeof info.version === 'string' ? info.version : undefined;
    } catch (error) {
      if (error instanceof RpcConnectionLost) return;
      this.version = undefined;
    }
    this.rpc = rpc;
    for (const topic of this.topics) this.startPair(topic, rpc);
    await rpc.closed;
    this.rpc = undefined;
    // Every pair starts afresh on the next connection, from its last value.
    await Promise.all([...this.pairs.values()].map((pair) => pair.done));
    this.pairs.clear();
  }

  private startPair(topic: IndexTopic, rpc: LightningRpc): void {
    const key = pairKey(topic);
    if (this.pairs.has(key)) return;
    const pair: RunningPair = { topic, controller: new AbortController(), dropped: false, done: Promise.resolve() };
    this.pairs.set(key, pair);
    pair.done = this.runPair(pair, rpc);
  }

  // Follows one pair on this connection until it is lost or the pair is stopped.
  private async runPair(pair: RunningPair, rpc: LightningRpc): Promise<void> {
    const { topic, controller } = pair;
    const key = pairKey(topic);
    const { signal } = controller;
    let retryMs = 1000;
    while (!signal.aborted && !this.stopping.signal.aborted) {
      try {
        if (!nodeHas(this.version, topic.subsystem)) return this.skip(key, `${topic.type} needs Core Lightning ${topic.subsystem.since} or later; this node runs ${this.version}`);
        let last = this.positions.get(key);
        const current = await currentValue(rpc, topic);
        if (last === undefined) last = this.options.from === 'start' ? 0 : current;
        else if (current < last) {
          // Waiting for last+1 would hear nothing until the node caught up.
          this.sink.log.warn({ source: this.name, pair: key, saved: last, node: current }, `the node's ${key} index (${current}) is behind the saved position (${last}): another node, or a restored database? following from ${current}`);
          last = current;
        }
        this.positions.set(key, last);
        if (!this.announced.has(key)) {
          this.announced.add(key);
          this.sink.log.info({ source: this.name, pair: key, after: last }, `following ${key} after ${last}`);
        }
        const follower = new IndexFollower(topic, last);
        await follower.run({
          rpc,
          signal,
          pageRows: this.options.pageRows,
          deliver: async (event) => {
            await this.sink.accept(event);
            this.accepted++;
          },
          advanced: (_topic, value) => {
            if (!pair.dropped) this.positions.set(key, value);
          },
        });
        return;
      } catch (error) {
        if (error instanceof RpcConnectionLost || signal.aborted) return;
        if (error instanceof RpcError && (error.code === INVALID_PARAMS || error.code === METHOD_NOT_FOUND)) {
          return this.skip(key, `this node does not have ${topic.type} (${topic.subsystem.since} added it): ${error.message}`);
        }
        this.sink.log.error({ source: this.name, pair: key, error: errorText(error) }, `following ${key} failed; trying again in ${retryMs / 1000}s`);
        try {
          await sleep(retryMs, undefined, { signal });
        } catch {
          return;
        }
        retryMs = Math.min(retryMs * 2, RETRY_MAX_MS);
      }
    }
  }

  private skip(key: string, reason: string): void {
    if (this.skipped.get(key) === reason) return;
    this.skipped.set(key, reason);
    this.sink.log.warn({ source: this.name, pair: key }, `skipping ${key}: ${reason}`);
  }
}
