// Keeps a connection to lightningd's RPC socket: connects, hands each new
// connection over, and when lightningd goes away (stopped, restarting, not
// started yet) tries again with a growing delay. One log line when the
// connection is lost and one when it is back; nothing while retrying.
import { setTimeout as sleep } from 'node:timers/promises';
import type { Logger } from 'pino';
import { LightningRpc } from './rpc-client.js';

// First retry after RETRY_MIN_MS, doubling up to RETRY_MAX_MS.
export const RETRY_MIN_MS = 250;
export const RETRY_MAX_MS = 10_000;

export interface ConnectionEvents {
  // A new connection: runs until it is lost or the signal aborts.
  session(rpc: LightningRpc): Promise<void>;
}

// Runs until `signal` aborts.
export async function keepConnected(rpcPath: string, log: Logger, events: ConnectionEvents, signal: AbortSignal): Promise<void> {
  let delayMs = RETRY_MIN_MS;
  let lost = false;
  let unreachableSaid = false;
  while (!signal.aborted) {
    let rpc: LightningRpc;
    try {
      rpc = await LightningRpc.connect(rpcPath);
    } catch (error) {
      if (!lost && !unreachableSaid) log.warn({ source: 'cln', rpc: rpcPath, error: (error as Error).message }, 'cannot reach lightningd; retrying until it is up');
      unreachableSaid = true;
      if (!(await pause(delayMs, signal))) return;
      delayMs = Math.min(delayMs * 2, RETRY_MAX_MS);
      continue;
    }
    if (signal.aborted) return rpc.close();
    if (lost) log.info({ source: 'cln', rpc: rpcPath }, 'lightningd is back; catching up');
    else if (unreachableSaid) log.info({ source: 'cln', rpc: rpcPath }, 'lightningd is up');
    lost = false;
    unreachableSaid = false;
    delayMs = RETRY_MIN_MS;
    const onAbort = (): void => rpc.close();
    signal.addEventListener('abort', onAbort, { once: true });
    try {
      await events.session(rpc);
    } finally {
      signal.removeEventListener('abort', onAbort);
      rpc.close();
    }
    if (signal.aborted) return;
    log.warn({ source: 'cln', rpc: rpcPath }, 'lost the connection to lightningd; reconnecting');
    lost = true;
    // lightningd restarting takes a moment: do not knock at once.
    if (!(await pause(delayMs, signal))) return;
  }
}

// False when aborted.
async function pause(ms: number, signal: AbortSignal): Promise<boolean> {
  try {
    await sleep(ms, undefined, { signal });
    return true;
  } catch {
    return false;
  }
}
