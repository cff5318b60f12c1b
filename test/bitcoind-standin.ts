// A stand-in for bitcoind's JSON-RPC server, for tests. It holds a chain the
// test scripts (mine blocks, reorg to another branch, wallet transactions in
// the mempool and in blocks, conflicts) and answers the calls hookd makes the
// way bitcoind v31 does (see test/fixtures/bitcoind/README.md, taken from
// real captures): HTTP status per JSON-RPC version, 401 with an empty body,
// -28 while "starting", -8 out of range, -5 unknown block, -18 unknown wallet,
// waitfornewblock answering the current tip on timeout, listsinceblock filling
// `removed` only for a block off the active chain, amounts with 8 decimals.
// Batches are not answered (hookd sends none).
import { createHash, randomBytes } from 'node:crypto';
import { rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { ExactNumber, stringifyJson, type JsonObject, type JsonValue } from '../src/json.ts';

export interface StandinBlock {
  readonly hash: string;
  readonly height: number;
  readonly previousblockhash: string | undefined;
  readonly time: number;
  readonly mediantime: number;
  // Wallet transactions mined in it (the coinbase is counted in nTx only).
  readonly txids: readonly string[];
}

// One output of a wallet transaction as listsinceblock shows it.
export interface StandinEntry {
  readonly address: string;
  readonly category: 'send' | 'receive' | 'generate' | 'immature' | 'orphan';
  // Decimal text with 8 decimals, as bitcoind writes it: "0.10000000".
  readonly amount: string;
  readonly vout: number;
  readonly label?: string;
  readonly fee?: string;
}

interface WalletTx {
  readonly txid: string;
  readonly entries: readonly StandinEntry[];
  readonly time: number;
  // Every block it was mined in (stale ones too): `removed` is read from blocks.
  readonly minedIn: string[];
  // Replaced by a transaction that was mined: negative confirmations.
  conflicted: boolean;
}

export type Auth = { readonly user: string; readonly password: string } | { readonly cookieFile: string };

export interface RpcCall {
  readonly method: string;
  readonly path: string;
  readonly params: readonly unknown[];
}

const GENESIS_TIME = 1_796_099_000;

export class BitcoindStandin {
  readonly blocks = new Map<string, StandinBlock>();
  // Block hashes of the active chain by height.
  readonly active: string[] = [];
  readonly wallets = new Map<string, Map<string, WalletTx>>();
  // Every call answered (after authentication), in order.
  readonly calls: RpcCall[] = [];
  // While set, every call gets -28 with this message (bitcoind starting).
  warmup: string | undefined;
  // The secret of cookie auth, new at each start like bitcoind's.
  private cookieSecret = '';
  private server: http.Server | undefined;
  private port = 0;
  private salt = 0;
  private readonly tipWaiters = new Set<() => void>();

  constructor(private readonly auth: Auth) {
    this.appendBlock(undefined);
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  get tip(): StandinBlock {
    return this.blocks.get(this.active[this.active.length - 1] as string) as StandinBlock;
  }

  get height(): number {
    return this.active.length - 1;
  }

  blockAt(height: number): StandinBlock {
    const hash = this.active[height];
    if (hash === undefined) throw new Error(`no block at height ${height}`);
    return this.blocks.get(hash) as StandinBlock;
  }

  // Listen (again on the same port after stop(), like a restarted bitcoind).
  async start(): Promise<void> {
    if ('cookieFile' in this.auth) {
      this.cookieSecret = randomBytes(32).toString('hex');
      writeFileSync(this.auth.cookieFile, `__cookie__:${this.cookieSecret}`, { mode: 0o600 });
    }
    const server = http.createServer((request, response) => this.handle(request, response));
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.port, '127.0.0.1', () => resolve());
    });
    this.port = (server.address() as AddressInfo).port;
    this.server = server;
  }

  // Stop listening and drop every connection (a waiting waitfornewblock too);
  // the cookie file is deleted, as bitcoind does.
  async stop(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    if (server === undefined) return;
    server.closeAllConnections();
    // Their timers would keep the test's process alive for a minute.
    for (const done of this.tipWaiters) done();
    this.tipWaiters.clear();
    await new Promise<void>((resolve) => server.close(() => resolve()));
    if ('cookieFile' in this.auth) rmSync(this.auth.cookieFile, { force: true });
  }

  // Mine `count` blocks on the tip; the mempool's wallet transactions go into the first.
  mine(count = 1, options: { includeMempool?: boolean } = {}): StandinBlock[] {
    const mined: StandinBlock[] = [];
    for (let i = 0; i < count; i++) {
      const txids = i === 0 && options.includeMempool !== false ? this.mempoolTxids() : [];
      mined.push(this.appendBlock(txids));
    }
    this.tipChanged();
    return mined;
  }

  // Disconnect the top `depth` blocks and mine `length` new ones in their
  // place (the disconnected blocks' transactions go back to the mempool and,
  // unless told otherwise, into the first new block).
  reorg(depth: number, length: number, options: { includeMempool?: boolean } = {}): StandinBlock[] {
    if (depth >= this.active.length) throw new Error('cannot disconnect the genesis block');
    this.active.splice(this.active.length - depth, depth);
    this.salt++;
    return this.mine(length, options);
  }

  addWallet(name: string): void {
    this.wallets.set(name, new Map());
  }

  // A wallet transaction entering the mempool.
  sendToWallet(wallet: string, entries: readonly StandinEntry[], txid = hashOf(`tx:${wallet}:${this.salt++}:${Date.now()}`)): string {
    const txs = this.wallets.get(wallet);
    if (txs === undefined) throw new Error(`no wallet ${wallet}`);
    txs.set(txid, { txid, entries, time: this.tip.time + 1, minedIn: [], conflicted: false });
    return txid;
  }

  // Mark a transaction as conflicted (a double spend of it was mined).
  conflict(wallet: string, txid: string): void {
    const tx = this.wallets.get(wallet)?.get(txid);
    if (tx === undefined) throw new Error(`no transaction ${txid}`);
    tx.conflicted = true;
  }

  // The confirmations bitcoind reports for a wallet transaction.
  confirmations(tx: WalletTx): number {
    const block = this.activeBlockOf(tx);
    if (block !== undefined) return this.height - block.height + 1;
    return tx.conflicted ? -1 : 0;
  }

  private appendBlock(txids: readonly string[] | undefined): StandinBlock {
    const previous = this.active.length === 0 ? undefined : this.tip;
    const height = this.active.length;
    const time = GENESIS_TIME + height * 600 + (this.salt % 600);
    const block: StandinBlock = {
      hash: hashOf(`block:${previous?.hash ?? ''}:${height}:${this.salt}`),
      height,
      previousblockhash: previous?.hash,
      time,
      mediantime: previous === undefined ? time : Math.min(time, previous.time),
      txids: txids ?? [],
    };
    this.blocks.set(block.hash, block);
    this.active.push(block.hash);
    for (const txid of block.txids) for (const txs of this.wallets.values()) txs.get(txid)?.minedIn.push(block.hash);
    return block;
  }

  private mempoolTxids(): string[] {
    const txids = new Set<string>();
    for (const txs of this.wallets.values()) {
      for (const tx of txs.values()) if (!tx.conflicted && this.activeBlockOf(tx) === undefined) txids.add(tx.txid);
    }
    return [...txids];
  }

  private isActive(hash: string): boolean {
    const block = this.blocks.get(hash);
    return block !== undefined && this.active[block.height] === hash;
  }

  private activeBlockOf(tx: WalletTx): StandinBlock | undefined {
    const hash = tx.minedIn.find((mined) => this.isActive(mined));
    return hash === undefined ? undefined : this.blocks.get(hash);
  }

  private tipChanged(): void {
    for (const wake of this.tipWaiters) wake();
    this.tipWaiters.clear();
  }

  private handle(request: http.IncomingMessage, response: http.ServerResponse): void {
    let body = '';
    request.setEncoding('utf8').on('data', (chunk: string) => (body += chunk));
    request.on('end', () => {
      if (request.method !== 'POST') {
        response.writeHead(405, { 'Content-Type': 'text/html' }).end('JSONRPC server handles only POST requests');
        return;
      }
      if (!this.authorized(request.headers.authorization)) {
        // bitcoind: an empty body, never JSON.
        response.writeHead(401, { 'WWW-Authenticate': 'Basic realm="jsonrpc"', 'Content-Type': 'text/html; charset=ISO-8859-1', 'Content-Length': '0' }).end();
        return;
      }
      let call: { jsonrpc?: unknown; id?: unknown; method?: unknown; params?: unknown };
      try {
        call = JSON.parse(body) as typeof call;
      } catch {
        reply(response, false, null, rpcError(-32700, 'Parse error'));
        return;
      }
      const v2 = call.jsonrpc === '2.0';
      const id = (call.id ?? null) as JsonValue;
      const method = String(call.method);
      const params = Array.isArray(call.params) ? (call.params as unknown[]) : [];
      const path = decodeURIComponent(request.url ?? '/');
      this.calls.push({ method, path, params });
      this.answer(method, params, path)
        .then((result) => reply(response, v2, id, result))
        .catch((error: unknown) => reply(response, v2, id, error instanceof StandinRpcError ? error : rpcError(-1, String(error))));
    });
  }

  private authorized(header: string | undefined): boolean {
    if (header === undefined || !header.startsWith('Basic ')) return false;
    const given = Buffer.from(header.slice(6), 'base64').toString('utf8');
    const expected = 'cookieFile' in this.auth ? `__cookie__:${this.cookieSecret}` : `${this.auth.user}:${this.auth.password}`;
    return given === expected;
  }

  private async answer(method: string, params: readonly unknown[], path: string): Promise<JsonValue> {
    if (this.warmup !== undefined) throw rpcError(-28, this.warmup);
    const wallet = /^\/wallet\/(.+)$/.exec(path)?.[1];
    switch (method) {
      case 'getblockchaininfo':
        return { chain: 'regtest', blocks: this.height, headers: this.height, bestblockhash: this.tip.hash, time: this.tip.time, mediantime: this.tip.mediantime, initialblockdownload: false };
      case 'getbestblockhash':
        return this.tip.hash;
      case 'getblockcount':
        return this.height;
      case 'getblockhash': {
        const height = params[0];
        if (typeof height !== 'number' || height < 0 || height > this.height) throw rpcError(-8, 'Block height out of range');
        return this.blockAt(height).hash;
      }
      case 'getblockheader':
        return this.header(this.knownBlock(params[0]));
      case 'getblock': {
        const block = this.knownBlock(params[0]);
        const coinbase = hashOf(`coinbase:${block.hash}`);
        return { ...this.header(block), size: 248, tx: [coinbase, ...block.txids] };
      }
      case 'waitfornewblock':
        return this.waitForNewBlock(Number(params[0] ?? 0), params[1]);
      case 'listsinceblock':
        return this.listSinceBlock(this.walletAt(wallet), params);
      case 'getwalletinfo':
        return { walletname: wallet as string, txcount: this.walletAt(wallet).size };
      default:
        throw rpcError(-32601, 'Method not found');
    }
  }

  private knownBlock(hash: unknown): StandinBlock {
    if (typeof hash !== 'string' || !/^[0-9a-f]{64}$/.test(hash)) throw rpcError(-8, `hash must be of length 64 (not ${String(hash).length}, for '${String(hash)}')`);
    const block = this.blocks.get(hash);
    if (block === undefined) throw rpcError(-5, 'Block not found');
    return block;
  }

  // Verbose header, keys in bitcoind's order; off the active chain:
  // confirmations -1 and no nextblockhash.
  private header(block: StandinBlock): JsonObject {
    const active = this.isActive(block.hash);
    const header: JsonObject = {
      hash: block.hash,
      confirmations: active ? this.height - block.height + 1 : -1,
      height: block.height,
      version: 536870912,
      time: block.time,
      mediantime: block.mediantime,
      nTx: 1 + block.txids.length,
    };
    if (block.previousblockhash !== undefined) header.previousblockhash = block.previousblockhash;
    const next = this.active[block.height + 1];
    if (active && next !== undefined) header.nextblockhash = next;
    return header;
  }

  // The current tip once it differs from `current` (or from the tip at the
  // call), or after `timeoutMs` (0: no timeout): never an error.
  private async waitForNewBlock(timeoutMs: number, current: unknown): Promise<JsonValue> {
    const start = typeof current === 'string' ? current : this.tip.hash;
    if (this.tip.hash === start) {
      await new Promise<void>((resolve) => {
        const timer = timeoutMs > 0 ? setTimeout(done, timeoutMs) : undefined;
        function done(): void {
          clearTimeout(timer);
          resolve();
        }
        this.tipWaiters.add(done);
      });
    }
    return { hash: this.tip.hash, height: this.height };
  }

  private walletAt(name: string | undefined): Map<string, WalletTx> {
    const txs = name === undefined ? undefined : this.wallets.get(name);
    if (txs === undefined) throw rpcError(-18, 'Requested wallet does not exist or is not loaded');
    return txs;
  }

  // listsinceblock [blockhash target_confirmations include_watchonly include_removed]
  private listSinceBlock(txs: Map<string, WalletTx>, params: readonly unknown[]): JsonValue {
    const since = params[0] === undefined || params[0] === null || params[0] === '' ? undefined : this.knownBlock(params[0]);
    const target = typeof params[1] === 'number' ? params[1] : 1;
    const includeRemoved = params[3] !== false;
    // Depth of the fork point of `since` with the active chain.
    let forkHeight: number | undefined;
    if (since !== undefined) {
      let block = since;
      while (!this.isActive(block.hash)) block = this.blocks.get(block.previousblockhash as string) as StandinBlock;
      forkHeight = block.height;
    }
    const depth = forkHeight === undefined ? undefined : this.height + 1 - forkHeight;
    const transactions: JsonValue[] = [];
    for (const tx of txs.values()) {
      if (depth === undefined || Math.abs(this.confirmations(tx)) < depth) transactions.push(...this.entriesOf(tx));
    }
    const result: JsonObject = { transactions };
    if (includeRemoved) {
      const removed: JsonValue[] = [];
      for (let block = since; block !== undefined && !this.isActive(block.hash); block = this.blocks.get(block.previousblockhash as string)) {
        for (const txid of block.txids) {
          const tx = txs.get(txid);
          if (tx !== undefined) removed.push(...this.entriesOf(tx));
        }
      }
      result.removed = removed;
    }
    result.lastblock = this.blockAt(Math.max(0, this.height + 1 - target)).hash;
    return result;
  }

  // A transaction's entries in its current state, keys in bitcoind's order.
  private entriesOf(tx: WalletTx): JsonObject[] {
    const confirmations = this.confirmations(tx);
    const block = this.activeBlockOf(tx);
    return tx.entries.map((entry) => {
      const out: JsonObject = { address: entry.address, category: entry.category, amount: new ExactNumber(entry.amount) };
      if (entry.label !== undefined) out.label = entry.label;
      out.vout = entry.vout;
      if (entry.fee !== undefined) out.fee = new ExactNumber(entry.fee);
      out.confirmations = confirmations;
      out.trusted = confirmations >= 0;
      if (block !== undefined) {
        out.blockhash = block.hash;
        out.blockheight = block.height;
        out.blockindex = 1 + block.txids.indexOf(tx.txid);
        out.blocktime = block.time;
      }
      out.txid = tx.txid;
      out.walletconflicts = [];
      out.time = tx.time;
      out.timereceived = tx.time;
      return out;
    });
  }
}

class StandinRpcError extends Error {
  constructor(readonly code: number, message: string) {
    super(message);
  }
}

function rpcError(code: number, message: string): StandinRpcError {
  return new StandinRpcError(code, message);
}

// bitcoind's reply shapes: 1.0 always has result and error, and errors get
// 500 (404 for an unknown method); 2.0 has one of them, always with 200.
function reply(response: http.ServerResponse, v2: boolean, id: JsonValue, outcome: JsonValue | StandinRpcError): void {
  const failed = outcome instanceof StandinRpcError;
  const error: JsonValue = failed ? { code: outcome.code, message: outcome.message } : null;
  const body: JsonObject = v2 ? { jsonrpc: '2.0', ...(failed ? { error } : { result: outcome }), id } : { result: failed ? null : outcome, error, id };
  const status = v2 || !failed ? 200 : outcome.code === -32601 ? 404 : 500;
  const text = `${stringifyJson(body)}\n`;
  if (response.destroyed) return;
  response.writeHead(status, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(text) }).end(text);
}

export function hashOf(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}
