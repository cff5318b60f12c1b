// A notification from lightningd as a hookd event: the type is the method;
// the fields are the params without the wrapping Core Lightning adds, so
// every release's shape gives the same fields:
//   {"invoice_payment": {...}}            (all built-in topics, v25.05+)
//   {"block": {...}}                      (block_added before v23.08)
//   {...fields}                           (connect/disconnect before v23.08)
//   {"origin": "x", "payload": {...}}     (custom notifications before v25.09)
//   params verbatim, "origin" on top      (custom notifications, v25.09+)
// Amounts written as "10000msat" (before v23.11) become numbers, as now.
import { ExactNumber, isJsonObject, stringifyJson, type JsonObject, type JsonValue } from '../json.js';
import { hookDefinition } from './hook-catalog.js';
import { LEGACY_WRAPPERS } from './topics.js';

export interface UnwrappedPayload {
  readonly fields: JsonObject;
  // The stdin of the hook: the fields as JSON, numbers as written.
  readonly raw: string;
  // The plugin that sent a custom notification, when lightningd says.
  readonly origin: string | undefined;
}

// The fields of a notification's params.
export function unwrapNotification(method: string, params: JsonValue | undefined, topOrigin?: JsonValue): UnwrappedPayload {
  let origin = typeof topOrigin === 'string' ? topOrigin : undefined;
  let fields: JsonObject;
  if (!isJsonObject(params)) fields = {};
  else if (isJsonObject(params[method])) fields = params[method] as JsonObject;
  else if (LEGACY_WRAPPERS[method] !== undefined && isJsonObject(params[LEGACY_WRAPPERS[method] as string])) {
    fields = params[LEGACY_WRAPPERS[method] as string] as JsonObject;
  } else if (typeof params.origin === 'string' && isJsonObject(params.payload) && Object.keys(params).length === 2) {
    origin = params.origin;
    fields = params.payload as JsonObject;
  } else fields = params;
  return finish(fields, origin);
}

// The payload of a hook request: the params, or the one object they wrap
// ("peer" for peer_connected, "openchannel" for openchannel, ...).
export function unwrapHookRequest(method: string, params: JsonValue | undefined): UnwrappedPayload {
  const wrapper = hookDefinition(method)?.wrapper;
  let fields: JsonObject = isJsonObject(params) ? params : {};
  if (wrapper !== undefined && isJsonObject(fields[wrapper])) fields = fields[wrapper] as JsonObject;
  return finish(fields, undefined);
}

function finish(fields: JsonObject, origin: string | undefined): UnwrappedPayload {
  const normalised = normaliseAmounts(fields) as JsonObject;
  return { fields: normalised, raw: stringifyJson(normalised), origin };
}

const MSAT_STRING = /^(\d+)msat$/;

// "10000msat" in a field named msat or *_msat becomes the number 10000
// (exact, even past 2^53). Only such fields: a label may read "5msat".
export function normaliseAmounts(value: JsonValue, key = ''): JsonValue {
  if (typeof value === 'string') {
    const match = MSAT_STRING.exec(value);
    if (match === null || !(key === 'msat' || key.endsWith('_msat'))) return value;
    const digits = match[1] as string;
    const number = Number(digits);
    return String(number) === digits ? number : new ExactNumber(digits);
  }
  if (Array.isArray(value)) return value.map((item) => normaliseAmounts(item, key));
  if (!isJsonObject(value)) return value;
  const out: JsonObject = {};
  for (const name of Object.keys(value)) {
    // defineProperty: "__proto__" stays a plain key.
    Object.defineProperty(out, name, { value: normaliseAmounts(value[name] as JsonValue, name), enumerable: true, writable: true, configurable: true });
  }
  return out;
}
