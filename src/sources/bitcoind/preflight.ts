// What can only be a mistake in the config, found before following starts:
// credentials that cannot be read or are refused, a wallet bitcoind does not
// have. bitcoind not running yet is not one (hookd may start first): the
// follower waits for it. A missing cookie is bitcoind not running, unless
// something answers at the URL: then the path is wrong.
import type { ChainReader } from './chain.js';
import { CredentialError, readCredentials, type CredentialSource } from './credentials.js';
import { RPC_WALLET_NOT_FOUND, RpcAuthError, RpcError } from './rpc.js';

export class BitcoindSetupError extends Error {}

// A bitcoind that accepts the connection but does not answer is left to the follower.
const CHECK_TIMEOUT_MS = 10_000;

// Throws BitcoindSetupError with one line saying what to fix.
export async function checkBitcoind(chain: ChainReader, credentials: CredentialSource, wallets: readonly string[]): Promise<void> {
  const host = chain.rpc.url.host;
  try {
    await readCredentials(credentials);
  } catch (error) {
    if (!(error instanceof CredentialError)) throw error;
    if (!error.missing || credentials.kind !== 'cookie') throw new BitcoindSetupError(error.message);
    if (await chain.rpc.answers(AbortSignal.timeout(CHECK_TIMEOUT_MS))) throw new BitcoindSetupError(`${error.message}, yet bitcoind answers at ${host}: is cookie: the file bitcoind writes (<datadir>/.cookie, or <datadir>/<network>/.cookie)?`);
    return;
  }
  const signal = AbortSignal.timeout(CHECK_TIMEOUT_MS);
  try {
    await chain.tip(signal);
    for (const wallet of wallets) {
      try {
        await chain.checkWallet(wallet, signal);
      } catch (error) {
        if (error instanceof RpcError && error.code === RPC_WALLET_NOT_FOUND) {
          throw new BitcoindSetupError(`bitcoind at ${host} has no wallet "${wallet}" loaded (bitcoin-cli loadwallet, or wallet= in bitcoin.conf)`);
        }
        throw error;
      }
    }
  } catch (error) {
    if (error instanceof BitcoindSetupError) throw error;
    if (error instanceof RpcAuthError) {
      const fix = credentials.kind === 'cookie' ? 'is cookie: the file of this bitcoind?' : 'check user: and password_file: against rpcauth/rpcuser in bitcoin.conf';
      throw new BitcoindSetupError(`${error.message}: ${fix}`);
    }
    // Unreachable or still loading (the follower waits), or anything else (it reports).
  }
}
