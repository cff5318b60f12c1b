// The event `hookd emit` sends: --data's object (or {}), then TYPE at the
// config's type path, then each key=value (a string) or key:=json (any JSON
// value) at its dotted path. Numbers keep every digit; keys such as
// __proto__ are plain keys.
import { isJsonObject, parseJson, stringifyJson, type JsonObject, type JsonValue } from '../json.js';
import { usageError } from './args.js';

export interface EmitInput {
  readonly type: string | undefined;
  // The text of --data (a JSON object).
  readonly data: string | undefined;
  // key=value or key:=json, in order.
  readonly pairs: readonly string[];
  readonly typePath: string;
}

// One line of JSON.
export function buildEmitEvent(input: EmitInput): string {
  const event = input.data === undefined ? {} : parseData(input.data);
  if (input.type !== undefined) setPath(event, input.typePath, input.type, 'TYPE');
  for (const pair of input.pairs) {
    const equals = pair.indexOf('=');
    if (equals <= 0) throw usageError('emit', `expected key=value or key:=json, got "${pair}"`);
    const isJson = pair[equals - 1] === ':';
    const key = pair.slice(0, isJson ? equals - 1 : equals);
    const text = pair.slice(equals + 1);
    if (key === '') throw usageError('emit', `expected key=value or key:=json, got "${pair}"`);
    setPath(event, key, isJson ? parseValue(text, pair) : text, pair);
  }
  return stringifyJson(event);
}

function parseData(text: string): JsonObject {
  const value = parseValue(text, '--data');
  if (!isJsonObject(value)) throw usageError('emit', '--data must be a JSON object');
  return value;
}

function parseValue(text: string, what: string): JsonValue {
  try {
    return parseJson(text);
  } catch (error) {
    throw usageError('emit', `${what}: invalid JSON: ${(error as Error).message}`);
  }
}

// Set a dotted path ("payment.msat"), making the objects on the way.
function setPath(root: JsonObject, dotted: string, value: JsonValue, what: string): void {
  const parts = dotted.split('.');
  let node = root;
  for (const part of parts.slice(0, -1)) {
    const next = Object.prototype.hasOwnProperty.call(node, part) ? node[part] : undefined;
    if (next === undefined) {
      const created: JsonObject = {};
      define(node, part, created);
      node = created;
    } else if (isJsonObject(next)) node = next;
    else throw usageError('emit', `${what}: "${part}" already holds a value, not an object`);
  }
  define(node, parts[parts.length - 1] as string, value);
}

function define(node: JsonObject, key: string, value: JsonValue): void {
  Object.defineProperty(node, key, { value, enumerable: true, writable: true, configurable: true });
}
