// The environment of a hook: hookd's own, then the hook's `env`, then the
// event's fields as PREFIX_* variables, then HOOKD_* metadata (which nothing
// can override). Event data never names a variable outside the prefix, and
// no inherited HOOKD_* variable passes for hookd's own.
import { ExactNumber, type JsonValue } from '../json.js';
import type { HookEvent } from '../event.js';
import { cappedNameList, MAX_FIELDS_BYTES, MAX_VALUE_BYTES, variableCost } from './env-budget.js';

// A leaf larger than MAX_VALUE_BYTES (or holding a NUL byte), or past the
// MAX_FIELDS_BYTES budget, is left out and named in HOOKD_OMITTED.
export { MAX_VALUE_BYTES } from './env-budget.js';

// What hookd's own variables start with: inherited ones are dropped.
export const METADATA_PREFIX = 'HOOKD_';

export const METADATA_NAMES = [
  'HOOKD_TYPE', 'HOOKD_ID', 'HOOKD_HOOK', 'HOOKD_ATTEMPT', 'HOOKD_SOURCE', 'HOOKD_TIME', 'HOOKD_OMITTED',
  'HOOKD_COALESCED', 'HOOKD_SUBJECT',
] as const;

export interface FieldVariables {
  readonly vars: ReadonlyMap<string, string>;
  readonly omitted: readonly string[];
}

// PREFIX + path joined with "_", upper-cased, anything outside [A-Z0-9_] as "_".
export function variableName(prefix: string, path: readonly (string | number)[]): string {
  return prefix + path.map((part) => String(part).toUpperCase().replace(/[^A-Z0-9_]/g, '_')).join('_');
}

// One variable per scalar leaf, in document order; the first path to give a
// name keeps it.
export function flattenEvent(fields: JsonValue, prefix: string): FieldVariables {
  const vars = new Map<string, string>();
  const omitted: string[] = [];
  // A Set beside the list: a wide event has 10^5 names to look up.
  const omittedNames = new Set<string>();
  let total = 0;
  const visit = (value: JsonValue, path: (string | number)[]): void => {
    if (value !== null && typeof value === 'object' && !(value instanceof ExactNumber)) {
      if (Array.isArray(value)) value.forEach((item, index) => visit(item, [...path, index]));
      else for (const key of Object.keys(value)) visit(value[key] as JsonValue, [...path, key]);
      return;
    }
    const name = variableName(prefix, path);
    if (vars.has(name) || omittedNames.has(name)) return;
    const text = value === null ? '' : String(value);
    const valueBytes = text.length > MAX_VALUE_BYTES ? Number.POSITIVE_INFINITY : Buffer.byteLength(text);
    const bytes = variableCost(name, valueBytes);
    if (valueBytes > MAX_VALUE_BYTES || text.includes('\0') || total + bytes > MAX_FIELDS_BYTES) {
      omitted.push(name);
      omittedNames.add(name);
      return;
    }
    total += bytes;
    vars.set(name, text);
  };
  if (fields !== null && typeof fields === 'object' && !(fields instanceof ExactNumber)) visit(fields, []);
  return { vars, omitted };
}

// Flattening is the same for every hook an event reaches: do it once.
const flattened = new WeakMap<HookEvent, Map<string, FieldVariables>>();

export function eventVariables(event: HookEvent, prefix: string): FieldVariables {
  let byPrefix = flattened.get(event);
  if (byPrefix === undefined) {
    byPrefix = new Map();
    flattened.set(event, byPrefix);
  }
  let result = byPrefix.get(prefix);
  if (result === undefined) {
    result = flattenEvent(event.fields, prefix);
    byPrefix.set(prefix, result);
  }
  return result;
}

export interface HookEnvInput {
  readonly base: NodeJS.ProcessEnv;
  readonly hookEnv: Readonly<Record<string, string>>;
  readonly hookName: string;
  readonly event: HookEvent;
  readonly attempt: number;
  readonly prefix: string;
  // Further variables of a mode (Core Lightning's LIGHTNING_RPC, ...).
  readonly extra?: Readonly<Record<string, string>> | undefined;
}

export function buildHookEnv(input: HookEnvInput): Record<string, string> {
  const env: Record<string, string> = Object.assign(Object.create(null), fixedPart(input));
  const fields = eventVariables(input.event, input.prefix);
  for (const [name, value] of fields.vars) env[name] = value;
  env.HOOKD_TYPE = input.event.type;
  env.HOOKD_ID = input.event.id;
  env.HOOKD_HOOK = input.hookName;
  env.HOOKD_ATTEMPT = String(input.attempt);
  env.HOOKD_SOURCE = input.event.source;
  env.HOOKD_TIME = input.event.receivedAt;
  if (fields.omitted.length > 0) env.HOOKD_OMITTED = cappedNameList(fields.omitted);
  if (input.event.subject !== undefined) env.HOOKD_SUBJECT = input.event.subject;
  return env;
}

// process.env is a slow accessor object: read once, and again after forgetEnvCache().
let processEnv: Readonly<Record<string, string | undefined>> | undefined;
// Per hook `env` object: the part of its environment that no event changes.
let fixedParts = new WeakMap<object, { base: object; extra: object | undefined; prefix: string; env: Record<string, string> }>();

// At reload: read process.env again, rebuild each hook's fixed part.
export function forgetEnvCache(): void {
  processEnv = undefined;
  fixedParts = new WeakMap();
}

// hookd's environment (without inherited PREFIX_* and HOOKD_* variables, which
// would pass for event data), then the hook's `env`, then the mode's extras.
function fixedPart(input: HookEnvInput): Record<string, string> {
  const base = input.base === process.env ? (processEnv ??= { ...process.env }) : input.base;
  const cached = fixedParts.get(input.hookEnv);
  if (cached?.base === base && cached.extra === input.extra && cached.prefix === input.prefix) return cached.env;
  const env: Record<string, string> = Object.create(null);
  for (const [name, value] of Object.entries(base)) {
    if (value === undefined || name.startsWith(input.prefix) || name.startsWith(METADATA_PREFIX)) continue;
    env[name] = value;
  }
  Object.assign(env, input.hookEnv, input.extra);
  fixedParts.set(input.hookEnv, { base, extra: input.extra, prefix: input.prefix, env });
  return env;
}
