// Control requests: what a local client (hookd status, hookd dead replay)
// asks the running daemon over its socket. A socket line whose object has a
// "$hookd" key is a request, not an event: {"$hookd":"status"}. The reply is
// one line: {"ok":true,...} or {"ok":false,"error":"..."}.
import type { Daemon } from './daemon.js';
import type { JsonObject } from './json.js';
import { statusRequest } from './status.js';
import { replayHandler } from './store/replay.js';

export const CONTROL_KEY = '$hookd';

export type ControlHandler = (daemon: Daemon, request: JsonObject) => Promise<Record<string, unknown>>;

// Each feature registers its requests here (status, replay, ...).
export const CONTROL_HANDLERS = new Map<string, ControlHandler>([
  ['status', statusRequest],
  ['replay', replayHandler],
]);

export async function handleControl(daemon: Daemon, request: JsonObject): Promise<Record<string, unknown>> {
  const name = request[CONTROL_KEY];
  const handler = typeof name === 'string' ? CONTROL_HANDLERS.get(name) : undefined;
  if (handler === undefined) return { ok: false, error: `unknown request ${JSON.stringify(name)}` };
  try {
    return { ok: true, ...(await handler(daemon, request)) };
  } catch (error) {
    return { ok: false, error: (error as Error).message };
  }
}
