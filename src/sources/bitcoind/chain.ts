// The calls a follower makes, with their replies checked and typed: a reply
// of another shape is an error here, never a wrong event further on.
import { isJsonObject, type JsonObject, type JsonValue } from '../../json.js';
import { BitcoindRpc, RPC_INVALID_ADDRESS_OR_KEY, RPC_INVALID_PARAMETER, RpcError } from './rpc.js';

export interface BlockRef {
  readonly hash: string;
  readonly height: number;
}

// getblockheader (verbose): off the active chain, confirmations is -1 and
// there is no nextblockhash.
export interface BlockHeader extends BlockRef {
  readonly confirmations: number;
  readonly time: number;
  readonly mediantime: number;
  readonly nTx: number;
  readonly previousblockhash: string | undefined;
  readonly nextblockhash: string | undefined;
}

// listsinceblock with include_removed: entries as bitcoind gives them.
export interface SinceBlock {
  readonly transactions: readonly JsonObject[];
  readonly removed: readonly JsonObject[];
  readonly lastblock: string;
}

export class ChainReader {
  constructor(readonly rpc: BitcoindRpc) {}

  async tip(signal?: AbortSignal): Promise<BlockRef> {
    const info = await this.rpc.call('getblockchaininfo', [], { signal });
    return { hash: field(info, 'bestblockhash', 'string', 'getblockchaininfo'), height: field(info, 'blocks', 'number', 'getblockchaininfo') };
  }

  // The header, or undefined for a block bitcoind does not know.
  async header(hash: string, signal?: AbortSignal): Promise<BlockHeader | undefined> {
    let reply: JsonValue;
    try {
      reply = await this.rpc.call('getblockheader', [hash, true], { signal });
    } catch (error) {
      if (error instanceof RpcError && error.code === RPC_INVALID_ADDRESS_OR_KEY) return undefined;
      throw error;
    }
    const what = 'getblockheader';
    return {
      hash: field(reply, 'hash', 'string', what),
      height: field(reply, 'height', 'number', what),
      confirmations: field(reply, 'confirmations', 'number', what),
      time: field(reply, 'time', 'number', what),
      mediantime: field(reply, 'mediantime', 'number', what),
      nTx: field(reply, 'nTx', 'number', what),
      previousblockhash: optional(reply, 'previousblockhash'),
      nextblockhash: optional(reply, 'nextblockhash'),
    };
  }

  // The hash of the active chain's block at `height`, or undefined past the tip.
  async hashAt(height: number, signal?: AbortSignal): Promise<string | undefined> {
    try {
      const hash = await this.rpc.call('getblockhash', [height], { signal });
      if (typeof hash !== 'string') throw new Error(`getblockhash: unexpected reply from bitcoind`);
      return hash;
    } catch (error) {
      if (error instanceof RpcError && error.code === RPC_INVALID_PARAMETER) return undefined;
      throw error;
    }
  }

  // The txids of a block (verbosity 1), stale blocks included.
  async blockTxids(hash: string, signal?: AbortSignal): Promise<string[]> {
    const block = await this.rpc.call('getblock', [hash, 1], { signal });
    const txids = isJsonObject(block) ? block.tx : undefined;
    if (!Array.isArray(txids) || !txids.every((txid) => typeof txid === 'string')) throw new Error('getblock: unexpected reply from bitcoind');
    return txids as string[];
  }

  // The tip once it is not `current`, or after `timeoutMs` (then the same tip).
  async waitForNewBlock(timeoutMs: number, current: string | undefined, signal?: AbortSignal): Promise<BlockRef> {
    const params: JsonValue[] = current === undefined ? [timeoutMs] : [timeoutMs, current];
    // The call itself waits: its HTTP timeout is longer than bitcoind's.
    const reply = await this.rpc.call('waitfornewblock', params, { signal, timeoutMs: timeoutMs + 30_000 });
    return { hash: field(reply, 'hash', 'string', 'waitfornewblock'), height: field(reply, 'height', 'number', 'waitfornewblock') };
  }

  // Wallet entries since `since` (all of them without it), removed ones included.
  async listSinceBlock(wallet: string, since: string | undefined, signal?: AbortSignal): Promise<SinceBlock> {
    const params: JsonValue[] = since === undefined ? [] : [since, 1, true, true];
    const reply = await this.rpc.call('listsinceblock', params, { wallet, signal });
    const what = 'listsinceblock';
    const transactions = isJsonObject(reply) ? reply.transactions : undefined;
    const removed = isJsonObject(reply) ? (reply.removed ?? []) : undefined;
    if (!Array.isArray(transactions) || !Array.isArray(removed) || !transactions.every(isJsonObject) || !removed.every(isJsonObject)) {
      throw new Error(`${what}: unexpected reply from bitcoind`);
    }
    return { transactions, removed, lastblock: field(reply, 'lastblock', 'string', what) };
  }

  // Throws RpcError -18 when bitcoind has no such wallet loaded.
  async checkWallet(wallet: string, signal?: AbortSignal): Promise<void> {
    await this.rpc.call('getwalletinfo', [], { wallet, signal });
  }
}

function field<T extends 'string' | 'number'>(reply: JsonValue, key: string, type: T, what: string): T extends 'string' ? string : number {
  const value = isJsonObject(reply) ? reply[key] : undefined;
  if (typeof value !== type) throw new Error(`${what}: unexpected reply from bitcoind (no ${type} "${key}")`);
  return value as T extends 'string' ? string : number;
}

function optional(reply: JsonValue, key: string): string | undefined {
  const value = isJsonObject(reply) ? reply[key] : undefined;
  return typeof value === 'string' ? value : undefined;
}
