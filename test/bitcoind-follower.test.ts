// The chain follower against the bitcoind stand-in: blocks in order, reorgs
// (running and while stopped), catch-up, wallet entries through their states,
// bitcoind down and back, and a lost save repeating events, never skipping.
import assert from 'node:assert/strict';
import path from 'node:path';
import { Writable } from 'node:stream';
import { test, type TestContext } from 'node:test';
import pino from 'pino';
import { stringifyJson } from '../src/json.ts';
import { ChainReader } from '../src/sources/bitcoind/chain.ts';
import { ChainFollower, type BitcoindEvent } from '../src/sources/bitcoind/chain-follower.ts';
import { BitcoindRpc } from '../src/sources/bitcoind/rpc.ts';
import { FollowerStateStore, type FollowerState } from '../src/sources/bitcoind/state.ts';
import { BitcoindStandin } from './bitcoind-standin.ts';
import { tempDir, waitFor, writeFile } from './helpers.ts';

interface Harness {
  readonly node: BitcoindStandin;
  readonly state: string;
  // Start a follower (stopped when the test ends) collecting what it hands on.
  follow(options?: { from?: 'tip' | number; wallets?: string[]; store?: FollowerStateStore; pollMs?: number }): Follower;
}

interface Follower {
  readonly events: BitcoindEvent[];
  readonly logs: Record<string, unknown>[];
  readonly follower: ChainFollower;
  stop(): Promise<void>;
  // Resolves once it has read the chain and waits for news.
  started(): Promise<unknown>;
}

async function setUp(t: TestContext): Promise<Harness> {
  const dir = tempDir(t);
  const passwordFile = writeFile(dir, 'rpc.password', 'secret-pw\n', 0o600);
  const node = new BitcoindStandin({ user: 'hookd', password: 'secret-pw' });
  node.mine(5);
  await node.start();
  t.after(() => node.stop());
  const state = path.join(dir, 'state');
  return {
    node,
    state,
    follow(options = {}) {
      const url = new URL(node.url);
      const rpc = new BitcoindRpc(url, { kind: 'password', user: 'hookd', file: passwordFile });
      const events: BitcoindEvent[] = [];
      const logs: Record<string, unknown>[] = [];
      const sink = new Writable({
        write(chunk: Buffer, _encoding, done) {
          for (const line of chunk.toString('utf8').split('\n')) if (line) logs.push(JSON.parse(line) as Record<string, unknown>);
          done();
        },
      });
      const follower = new ChainFollower({
        chain: new ChainReader(rpc),
        wallets: options.wallets ?? [],
        from: options.from ?? 'tip',
        pollMs: options.pollMs ?? 100,
        store: options.store ?? FollowerStateStore.forUrl(state, url),
        deliver: async (event) => void events.push(event),
        log: pino({ base: null }, sink),
      });
      const running = follower.run();
      const stop = async (): Promise<void> => {
        follower.stop();
        await running;
        rpc.close();
      };
      t.after(stop);
      const started = (): Promise<unknown> => waitFor(() => logs.some((entry) => entry.msg === 'following bitcoind'), 'the follower to start');
      return { events, logs, follower, stop, started };
    },
  };
}

const heights = (events: BitcoindEvent[]): string[] => events.map((event) => `${event.type === 'block_connected' ? '+' : '-'}${String(event.fields.height)}`);

test('from: tip delivers the blocks after the tip, in height order, each once', async (t) => {
  const { node, follow } = await setUp(t);
  const { events, started } = follow();
  await started();
  node.mine(3);
  await waitFor(() => events.length === 3, 'three blocks');
  assert.deepEqual(heights(events), ['+6', '+7', '+8']);
  const [first] = events;
  assert.equal(first?.id, `block:${node.blockAt(6).hash}`);
  assert.deepEqual(Object.keys(first?.fields ?? {}), ['hash', 'height', 'time', 'mediantime', 'previousblockhash', 'nTx']);
  assert.equal(first?.fields.previousblockhash, node.blockAt(5).hash);
});

test('a new block is seen at once by long-polling waitfornewblock, not at the next poll', async (t) => {
  const { node, follow } = await setUp(t);
  node.addWallet('shop');
  // A mempool poll of 10 minutes: only the long poll brings the block within the wait below.
  const { events, started } = follow({ wallets: ['shop'], pollMs: 600_000 });
  await started();
  await waitFor(() => node.calls.some((call) => call.method === 'waitfornewblock'), 'the long poll');
  node.mine(1);
  await waitFor(() => events.length === 1, 'block 6');
});

test('from: <height> delivers that height and on', async (t) => {
  const { follow } = await setUp(t);
  const { events } = follow({ from: 3 });
  await waitFor(() => events.length === 3, 'heights 3 to 5');
  assert.deepEqual(heights(events), ['+3', '+4', '+5']);
});

test('from: 0 delivers the genesis block, without a previous block', async (t) => {
  const { follow } = await setUp(t);
  const { events } = follow({ from: 0 });
  await waitFor(() => events.length === 6, 'heights 0 to 5');
  assert.equal(events[0]?.fields.previousblockhash, null);
});

test('a 3-block reorg while running disconnects from the top down, then connects the new branch', async (t) => {
  const { node, follow } = await setUp(t);
  const { events } = follow({ from: 4 });
  await waitFor(() => events.length === 2, 'heights 4 and 5');
  node.mine(2);
  await waitFor(() => events.length === 4, 'heights 6 and 7');
  const old = [5, 6, 7].map((height) => node.blockAt(height).hash);
  node.reorg(3, 4);
  await waitFor(() => events.length === 11, 'the reorg');
  assert.deepEqual(heights(events.slice(4)), ['-7', '-6', '-5', '+5', '+6', '+7', '+8']);
  assert.deepEqual(events.slice(4, 7).map((event) => event.id), [...old].reverse().map((hash) => `block:${hash}:disconnected`));
  assert.deepEqual(Object.keys(events[4]?.fields ?? {}), ['hash', 'height']);
});

test('after a stop of 10 blocks and a 3-block reorg, the next start catches up from the saved block', async (t) => {
  const { node, follow } = await setUp(t);
  const first = follow();
  await first.started();
  node.mine(2);
  await waitFor(() => first.events.length === 2, 'two blocks');
  await first.stop();
  node.reorg(1, 1);
  node.mine(9);
  const second = follow();
  await waitFor(() => second.events.length === 11, 'the catch-up');
  assert.deepEqual(heights(second.events), ['-7', '+7', '+8', '+9', '+10', '+11', '+12', '+13', '+14', '+15', '+16']);
});

test('a wallet entry is an event in the mempool, when mined, when a reorg removes it, and when mined again', async (t) => {
  const { node, follow } = await setUp(t);
  node.addWallet('shop');
  const { events, started } = follow({ wallets: ['shop'] });
  await started();
  const txid = node.sendToWallet('shop', [{ address: 'bcrt1qshop', category: 'receive', amount: '0.10000000', vout: 1, label: 'order 7' }]);
  const walletEvents = (): BitcoindEvent[] => events.filter((event) => event.type === 'wallet_tx');
  await waitFor(() => walletEvents().length === 1, 'the mempool event');
  const [B] = node.mine(1);
  await waitFor(() => walletEvents().length === 2, 'the mined event');
  node.reorg(1, 1, { includeMempool: false });
  await waitFor(() => walletEvents().length === 3, 'the removed event');
  const [B2] = node.mine(1);
  await waitFor(() => walletEvents().length === 4, 'mined again');
  const key = `shop:${txid}:1:receive`;
  assert.deepEqual(walletEvents().map((event) => event.id), [`${key}:mempool`, `${key}:${B!.hash}`, `${key}:${B!.hash}:removed`, `${key}:${B2!.hash}`]);
  const [mempool, mined, removed] = walletEvents();
  assert.equal(stringifyJson(mempool!.fields), `{"wallet":"shop","txid":"${txid}","vout":1,"address":"bcrt1qshop","label":"order 7","category":"receive","amount":0.10000000,"fee":null,"confirmations":0,"blockhash":null,"blockheight":null,"time":${String(mempool!.fields.time)}}`);
  assert.equal(mined!.fields.confirmations, 1);
  assert.equal(mined!.fields.blockhash, B!.hash);
  assert.equal(removed!.fields.confirmations, 0);
  assert.equal(removed!.fields.blockhash, B!.hash);
  // Polls go on; nothing is delivered twice.
  const polls = node.calls.filter((call) => call.method === 'listsinceblock').length;
  await waitFor(() => node.calls.filter((call) => call.method === 'listsinceblock').length > polls + 2, 'more polls');
  assert.equal(walletEvents().length, 4);
});

test('a conflicted entry removed by a reorg shows negative confirmations', async (t) => {
  const { node, follow } = await setUp(t);
  node.addWallet('shop');
  const { events, started } = follow({ wallets: ['shop'] });
  await started();
  const txid = node.sendToWallet('shop', [{ address: 'bcrt1qout', category: 'send', amount: '-1.50000000', fee: '-0.00001410', vout: 0 }]);
  const [B] = node.mine(1);
  await waitFor(() => events.some((event) => event.id === `shop:${txid}:0:send:${B!.hash}`), 'the mined event');
  node.conflict('shop', txid);
  node.reorg(1, 1);
  const removed = await waitFor(() => events.find((event) => event.id === `shop:${txid}:0:send:${B!.hash}:removed`), 'the removed event');
  assert.equal(removed.fields.confirmations, -1);
  assert.equal(stringifyJson(removed.fields.fee!), '-0.00001410');
});

test('bitcoind down and back: one line when lost, one when back, and no block missed', async (t) => {
  const { node, follow } = await setUp(t);
  const { events, logs, started } = follow();
  await started();
  await node.stop();
  await waitFor(() => logs.some((entry) => entry.level === 40), 'the lost line');
  node.mine(2);
  await node.start();
  await waitFor(() => events.length === 2, 'the blocks mined while down');
  await waitFor(() => logs.some((entry) => String(entry.msg).includes('back')), 'the back line');
  assert.equal(logs.filter((entry) => entry.level === 40).length, 1);
  assert.equal(logs.filter((entry) => String(entry.msg).includes('back')).length, 1);
  assert.ok(!JSON.stringify(logs).includes('secret-pw'));
});

test('bitcoind still loading (-28) at start is waited for', async (t) => {
  const { node, follow } = await setUp(t);
  node.warmup = 'Loading block index…';
  const { events, logs } = follow({ from: 5 });
  await waitFor(() => logs.some((entry) => entry.level === 40 && String(entry.reason).includes('Loading block index')), 'the waiting line');
  node.warmup = undefined;
  await waitFor(() => events.length === 1, 'block 5');
});

test('an event accepted whose position was not saved is handed on again, never skipped', async (t) => {
  const { node, state, follow } = await setUp(t);
  const real = FollowerStateStore.forUrl(state, new URL(node.url));
  let failSaves = false;
  const flaky = Object.assign(Object.create(real) as FollowerStateStore, {
    save: (saved: FollowerState) => (failSaves ? Promise.reject(new Error('disk full')) : real.save(saved)),
  });
  const first = follow({ store: flaky });
  await first.started();
  node.mine(1);
  await waitFor(() => first.events.length === 1, 'block 6');
  failSaves = true;
  node.mine(1);
  await waitFor(() => first.events.length >= 2, 'block 7');
  await first.stop();
  const second = follow();
  await waitFor(() => second.events.length === 1, 'block 7 again');
  assert.deepEqual(heights(second.events), ['+7']);
  assert.equal(second.events[0]?.id, first.events[1]?.id);
});
