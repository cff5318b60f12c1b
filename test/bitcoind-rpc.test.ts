// The bitcoind RPC client and the start-up checks against the stand-in, and
// the stand-in itself against real bitcoind replies (test/fixtures/bitcoind/).
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { test, type TestContext } from 'node:test';
import { stringifyJson, type JsonValue } from '../src/json.ts';
import { ChainReader } from '../src/sources/bitcoind/chain.ts';
import type { CredentialSource } from '../src/sources/bitcoind/credentials.ts';
import { BitcoindSetupError, checkBitcoind } from '../src/sources/bitcoind/preflight.ts';
import { parseRpcUrl } from '../src/config/bitcoind-settings.ts';
import { BitcoindRpc, RpcAuthError, RpcError, RpcUnavailable } from '../src/sources/bitcoind/rpc.ts';
import { BitcoindStandin, type Auth } from './bitcoind-standin.ts';
import { FIXTURES, tempDir, writeFile } from './helpers.ts';

interface Capture {
  readonly request: { jsonrpc?: string; method: string; params: JsonValue[] };
  readonly http_path: string;
  readonly http_status: number;
  readonly response_headers: Record<string, string>;
  readonly response: unknown;
}

const capture = (name: string): Capture => JSON.parse(readFileSync(path.join(FIXTURES, 'bitcoind', `${name}.json`), 'utf8')) as Capture;

async function standin(t: TestContext, auth: Auth = { user: 'u', password: 'p' }): Promise<BitcoindStandin> {
  const node = new BitcoindStandin(auth);
  node.mine(10);
  node.addWallet('w');
  await node.start();
  t.after(() => node.stop());
  return node;
}

// Sends the capture's request to the stand-in, as the capture did.
async function replay(node: BitcoindStandin, request: Capture['request'], urlPath = '/', authorization = 'Basic dTpw'): Promise<{ status: number; headers: Headers; text: string }> {
  const response = await fetch(`${node.url}${urlPath}`, { method: 'POST', headers: { Authorization: authorization, 'Content-Type': 'application/json' }, body: JSON.stringify({ ...request, id: 1 }) });
  return { status: response.status, headers: response.headers, text: await response.text() };
}

// The shape of a value: its keys (recursively) and the types of its leaves.
function shape(value: unknown): unknown {
  if (Array.isArray(value)) return value.length === 0 ? [] : [shape(value[0])];
  if (value !== null && typeof value === 'object') return Object.fromEntries(Object.keys(value).sort().map((key) => [key, shape((value as Record<string, unknown>)[key])]));
  return typeof value;
}

test('the stand-in answers errors with bitcoind\'s shapes and HTTP statuses for JSON-RPC 1.0 and 2.0', async (t) => {
  const node = await standin(t);
  for (const name of ['jsonrpc10_getblockhash_out_of_range', 'jsonrpc20_getblockhash_out_of_range', 'jsonrpc10_listsinceblock_unknown_wallet', 'jsonrpc20_listsinceblock_unknown_wallet']) {
    const real = capture(name);
    const reply = await replay(node, real.request, real.http_path);
    assert.equal(reply.status, real.http_status, name);
    assert.deepEqual(JSON.parse(reply.text), { ...(real.response as object), id: 1 }, name);
  }
  node.warmup = 'Loading block index…';
  for (const name of ['warmup_loading_block_index_jsonrpc10', 'warmup_loading_block_index_jsonrpc20']) {
    const real = capture(name);
    const reply = await replay(node, real.request);
    assert.equal(reply.status, real.http_status, name);
    assert.deepEqual(JSON.parse(reply.text), { ...(real.response as object), id: 1 }, name);
  }
});

test('the stand-in refuses a wrong password as bitcoind does: 401, an empty body', async (t) => {
  const node = await standin(t);
  const real = capture('auth_wrong_password');
  const reply = await replay(node, real.request, '/', `Basic ${Buffer.from('u:wrong').toString('base64')}`);
  assert.equal(reply.status, 401);
  assert.equal(reply.text, '');
  assert.equal(reply.headers.get('www-authenticate'), real.response_headers['WWW-Authenticate']);
});

test('the stand-in\'s blocks, headers, tip and waits have the fields of the real ones', async (t) => {
  const node = await standin(t);
  const fields = (reply: { text: string }): unknown => shape((JSON.parse(reply.text) as { result: unknown }).result);
  const hash = node.blockAt(5).hash;
  const real = (name: string): unknown => shape((capture(name).response as { result: unknown }).result);
  const pick = (full: unknown, keys: string[]): unknown => Object.fromEntries(keys.map((key) => [key, (full as Record<string, unknown>)[key]]));
  const used = ['hash', 'confirmations', 'height', 'time', 'mediantime', 'nTx', 'previousblockhash', 'nextblockhash'];
  assert.deepEqual(pick(fields(await replay(node, { method: 'getblockheader', params: [hash, true] })), used), pick(real('getblockheader_5_verbose'), used));
  assert.deepEqual(pick(fields(await replay(node, { method: 'getblock', params: [hash, 1] })), [...used, 'tx']), pick(real('getblock_5_verbosity1'), [...used, 'tx']));
  assert.deepEqual(pick(fields(await replay(node, { method: 'getblockchaininfo', params: [] })), ['blocks', 'bestblockhash']), pick(real('getblockchaininfo'), ['blocks', 'bestblockhash']));
  const waited = await replay(node, { method: 'waitfornewblock', params: [50] });
  assert.deepEqual(fields(waited), real('waitfornewblock_timeout'));
  assert.deepEqual(JSON.parse(waited.text).result, { hash: node.tip.hash, height: 10 });
});

test('the client keeps amounts as bitcoind wrote them', async (t) => {
  const node = await standin(t);
  const dir = tempDir(t);
  node.sendToWallet('w', [{ address: 'bcrt1q', category: 'send', amount: '-0.00001410', fee: '-0.00001410', vout: 0 }]);
  const rpc = new BitcoindRpc(new URL(node.url), { kind: 'password', user: 'u', file: writeFile(dir, 'pw', 'p\n') });
  t.after(() => rpc.close());
  const since = await new ChainReader(rpc).listSinceBlock('w', node.tip.hash);
  const entry = since.transactions[0]!;
  assert.equal(stringifyJson(entry.amount!), '-0.00001410');
  assert.equal(stringifyJson(entry.fee!), '-0.00001410');
});

test('the client tells refused credentials, bitcoind errors and no answer apart, and never shows the password', async (t) => {
  const node = await standin(t);
  const dir = tempDir(t);
  const wrong = new BitcoindRpc(new URL(node.url), { kind: 'password', user: 'u', file: writeFile(dir, 'pw', 'hunter2-secret') });
  t.after(() => wrong.close());
  const refused = await wrong.call('getblockcount', []).catch((error: unknown) => error);
  assert.ok(refused instanceof RpcAuthError);
  assert.ok(!refused.message.includes('hunter2'));
  const right = new BitcoindRpc(new URL(node.url), { kind: 'password', user: 'u', file: writeFile(dir, 'pw2', 'p\r\n') });
  t.after(() => right.close());
  const outOfRange = await right.call('getblockhash', [99]).catch((error: unknown) => error);
  assert.ok(outOfRange instanceof RpcError);
  assert.equal(outOfRange.code, -8);
  await node.stop();
  const down = await right.call('getblockcount', []).catch((error: unknown) => error);
  assert.ok(down instanceof RpcUnavailable, String(down));
});

test('with cookie auth, a restarted bitcoind\'s new cookie is read again', async (t) => {
  const dir = tempDir(t);
  const cookieFile = path.join(dir, '.cookie');
  const node = await standin(t, { cookieFile });
  const rpc = new BitcoindRpc(new URL(node.url), { kind: 'cookie', file: cookieFile });
  t.after(() => rpc.close());
  assert.equal(await rpc.call('getblockcount', []), 10);
  await node.stop();
  await node.start();
  assert.equal(await rpc.call('getblockcount', []), 10);
});

test('parseRpcUrl takes http://HOST:PORT only', () => {
  assert.ok(parseRpcUrl('http://127.0.0.1:8332') instanceof URL);
  for (const bad of ['127.0.0.1:8332x', 'https://node:8332', 'http://u:pw@node:8332', 'http://node:8332/wallet/x', 'not a url']) {
    assert.equal(typeof parseRpcUrl(bad), 'string', bad);
  }
  assert.ok(!String(parseRpcUrl('http://u:pw@node:8332')).includes('pw'));
});

test('start-up checks: refused credentials, an unknown wallet and a bad cookie are mistakes; bitcoind not running is not', async (t) => {
  const dir = tempDir(t);
  const cookieFile = path.join(dir, '.cookie');
  const node = await standin(t, { cookieFile });
  const check = async (credentials: CredentialSource, wallets: string[] = []): Promise<unknown> => {
    const rpc = new BitcoindRpc(new URL(node.url), credentials);
    try {
      return await checkBitcoind(new ChainReader(rpc), credentials, wallets).then(() => 'ok', (error: unknown) => error);
    } finally {
      rpc.close();
    }
  };
  assert.equal(await check({ kind: 'cookie', file: cookieFile }, ['w']), 'ok');
  const wallet = await check({ kind: 'cookie', file: cookieFile }, ['nosuch']);
  assert.ok(wallet instanceof BitcoindSetupError && wallet.message.includes('"nosuch"'), String(wallet));
  const wrong = await check({ kind: 'password', user: 'u', file: writeFile(dir, 'pw', 'nope') });
  assert.ok(wrong instanceof BitcoindSetupError && wrong.message.includes('refused'), String(wrong));
  const missing = await check({ kind: 'cookie', file: path.join(dir, 'elsewhere', '.cookie') });
  assert.ok(missing instanceof BitcoindSetupError && missing.message.includes('yet bitcoind answers'), String(missing));
  const folder = await check({ kind: 'cookie', file: dir });
  assert.ok(folder instanceof BitcoindSetupError && folder.message.includes('EISDIR'), String(folder));
  const noPasswordFile = await check({ kind: 'password', user: 'u', file: path.join(dir, 'absent') });
  assert.ok(noPasswordFile instanceof BitcoindSetupError, String(noPasswordFile));
  await node.stop();
  // Not started yet: the cookie is not there and nothing answers; hookd waits.
  assert.equal(await check({ kind: 'cookie', file: cookieFile }, ['w']), 'ok');
});
