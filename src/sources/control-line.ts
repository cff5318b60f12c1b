// Control requests on the socket: a line whose object has a "$hookd" key asks
// the running daemon something (hookd status, hookd dead replay) instead of
// carrying an event: {"$hookd":"status"}. The answer is one line,
// {"ok":true,...} or {"ok":false,"error":"..."}. The socket protocol owns this
// key; the daemon hands the socket source the requests it answers.
import { errorText } from '../errors.js';
import type { JsonObject } from '../json.js';

export const CONTROL_KEY = '$hookd';

export type ControlAnswer = Record<string, unknown>;

// Answers one request (its name already checked); throws to refuse it.
export type ControlRequestHandler = (request: JsonObject) => Promise<ControlAnswer> | ControlAnswer;

// What the socket source calls for each control line.
export type ControlChannel = (request: JsonObject) => Promise<ControlAnswer>;

// A channel that answers the named requests and refuses any other.
export function controlChannel(handlers: Readonly<Record<string, ControlRequestHandler>>): ControlChannel {
  return async (request) => {
    const name = request[CONTROL_KEY];
    const handler = typeof name === 'string' && Object.hasOwn(handlers, name) ? handlers[name] : undefined;
    if (handler === undefined) return { ok: false, error: `unknown request ${JSON.stringify(name)}` };
    try {
      return { ok: true, ...(await handler(request)) };
    } catch (error) {
      return { ok: false, error: errorText(error) };
    }
  };
}
