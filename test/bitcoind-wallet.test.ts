// The wallet tracker on real listsinceblock replies of bitcoind v31.99
// (test/fixtures/bitcoind/): block X held tx1 (a self-send: send and receive
// entries) and tx2 (a send), then X was invalidated; once with the
// transactions back in the mempool, once with them re-mined in X'.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { getPath, parseJson, stringifyJson, type JsonObject, type JsonValue } from '../src/json.ts';
import { ChainReader, type BlockHeader, type SinceBlock } from '../src/sources/bitcoind/chain.ts';
import type { BitcoindRpc } from '../src/sources/bitcoind/rpc.ts';
import { walletChanges } from '../src/sources/bitcoind/wallet-tracker.ts';
import { FIXTURES } from './helpers.ts';

// The `result` of a capture, numbers exactly as bitcoind sent them.
const result = (name: string): JsonValue => getPath(parseJson(readFileSync(path.join(FIXTURES, 'bitcoind', `${name}.json`), 'utf8')), 'response.result') as JsonValue;

const X = getPath(result('getblock_X_verbosity2'), 'hash') as string;
const X_TXIDS = (getPath(result('getblock_X_verbosity2'), 'tx') as JsonObject[]).map((tx) => tx.txid as string);
const TX1 = '887e48b714298667839826c0e2d5d5d69a6cc1f7020c96db29831154ba768d70';
const TX2 = 'c68744b418a2c22f20c34936440e529e39c5f8eda4ce05688969a0468b3af53e';
const COINBASE_X = '1d9efc798cfdce02a99e6f6799907bfb15036a36962257a2de3865955ca25d08';

// A chain where X is stale (confirmations -1) over block 111, which is active.
class CapturedChain extends ChainReader {
  constructor(private readonly since: string) {
    super(undefined as unknown as BitcoindRpc);
  }
  override async listSinceBlock(wallet: string, lastblock: string | undefined): Promise<SinceBlock> {
    assert.equal(wallet, 'w');
    assert.equal(lastblock, X);
    const reply = result(this.since) as JsonObject;
    return { transactions: reply.transactions as JsonObject[], removed: reply.removed as JsonObject[], lastblock: reply.lastblock as string };
  }
  override async header(hash: string): Promise<BlockHeader | undefined> {
    const stale = hash === X;
    return { hash, height: stale ? 112 : 111, confirmations: stale ? -1 : 1, time: 0, mediantime: 0, nTx: 1, previousblockhash: stale ? (getPath(result('getblock_X_verbosity2'), 'previousblockhash') as string) : undefined, nextblockhash: undefined };
  }
  override async blockTxids(hash: string): Promise<string[]> {
    assert.equal(hash, X);
    return X_TXIDS;
  }
}

// tx1 and tx2 were seen in the mempool before X mined them.
const seenInMempool = { [`w:${TX1}:0:send:mempool`]: 111, [`w:${TX1}:0:receive:mempool`]: 111, [`w:${TX2}:0:send:mempool`]: 111 };

test('entries of a disconnected block are removed from it (top block named), back in the mempool: no new mempool event, orphaned coinbases skipped', async () => {
  const { events, next } = await walletChanges(new CapturedChain('listsinceblock_w_X_include_removed'), 'w', { lastblock: X, mempool: seenInMempool }, 111);
  assert.deepEqual(events.map((event) => event.id), [
    `w:${COINBASE_X}:0:orphan:${X}:removed`,
    `w:${TX2}:0:send:${X}:removed`,
    `w:${TX1}:0:send:${X}:removed`,
    `w:${TX1}:0:receive:${X}:removed`,
  ]);
  const send = events[1]!.fields;
  assert.equal(stringifyJson(send), `{"wallet":"w","txid":"${TX2}","vout":0,"address":"bcrt1qpflc8jvfhexluv0f4zvwds0rrmafrxcv5s8s9r","label":null,"category":"send","amount":-1.50000000,"fee":-0.00001410,"confirmations":0,"blockhash":"${X}","blockheight":112,"time":1796099721}`);
  assert.equal(next.lastblock, getPath(result('listsinceblock_w_X_include_removed'), 'lastblock'));
});

test('entries re-mined in another block: removed from X (confirmations 0), then mined in X\'', async () => {
  const { events } = await walletChanges(new CapturedChain('listsinceblock_w_X_include_removed_after_remine'), 'w', { lastblock: X, mempool: seenInMempool }, 112);
  const xPrime = (getPath(result('listsinceblock_w_X_include_removed_after_remine'), 'transactions.2.blockhash') as string);
  assert.notEqual(xPrime, X);
  assert.deepEqual(events.map((event) => event.id), [
    `w:${COINBASE_X}:0:orphan:${X}:removed`,
    `w:${TX2}:0:send:${X}:removed`,
    `w:${TX1}:0:send:${X}:removed`,
    `w:${TX1}:0:receive:${X}:removed`,
    `w:${TX1}:0:send:${xPrime}`,
    `w:${TX1}:0:receive:${xPrime}`,
    `w:${TX2}:0:send:${xPrime}`,
  ]);
  assert.ok(events.slice(0, 4).every((event) => event.fields.confirmations === 0 && event.fields.blockhash === X));
  assert.equal(stringifyJson(events[5]!.fields.amount!), '0.12345678');
});

test('an entry a reorg puts back in the mempool is not a new mempool event', async () => {
  const chain = new CapturedChain('listsinceblock_w_X_include_removed');
  const first = await walletChanges(chain, 'w', { lastblock: X, mempool: {} }, 111);
  const mempoolIds = first.events.map((event) => event.id).filter((id) => id.endsWith(':mempool'));
  // Removed entries count as seen: a reorg does not make a new mempool sighting.
  assert.deepEqual(mempoolIds, []);
  assert.ok(first.next.mempool[`w:${TX1}:0:receive:mempool`] !== undefined);
});
