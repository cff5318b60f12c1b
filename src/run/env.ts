// The environment of a hook: hookd's own, then the hook's `env`, then the
// event's fields as PREFIX_* variables, then HOOKD_* metadata (which nothing
// can override). Event data never names a variable outside the prefix.
import { ExactNumber, type JsonValue } from '../json.js';
import type { HookEvent } from '../event.js';

// A leaf larger than this (or holding a NUL byte) is left out and named in
// HOOKD_OMITTED: Linux refuses single variables over 128 KiB.
export const MAX_VALUE_BYTES = 64 * 1024;
// All field variables together stay under this, keeping exec() clear of E2BIG.
export const MAX_TOTAL_BYTES = 1024 * 1024;

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
  let total = 0;
  const visit = (value: JsonValue, path: (string | number)[]): void => {
    if (value !== null && typeof value === 'object' && !(value instanceof ExactNumber)) {
      if (Array.isArray(value)) value.forEach((item, index) => visit(item, [...path, index]));
      else for (const key of Object.keys(value)) visit(value[key] as JsonValue, [...path, key]);
      return;
    }
    const name = variableName(prefix, path);
    if (vars.has(name) || omitted.includes(name)) return;
    const text = value === null ? '' : String(value);
    const bytes = Buffer.byteLength(text) + name.length + 2;
    if (text.length > MAX_VALUE_BYTES || Buffer.byteLength(text) > MAX_VALUE_BYTES || text.includes('\0') || total + bytes > MAX_TOTAL_BYTES) {
      omitted.push(name);
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
  const env: Record<string, string> = Object.create(null);
  // Inherited PREFIX_* and HOOKD_* variables would pass for event data.
  for (const [name, value] of Object.entries(input.base)) {
    if (value === undefined || name.startsWith(input.prefix) || (METADATA_NAMES as readonly string[]).includes(name)) continue;
    env[name] = value;
  }
  Object.assign(env, input.hookEnv, input.extra);
  const fields = eventVariables(input.event, input.prefix);
  for (const [name, value] of fields.vars) env[name] = value;
  env.HOOKD_TYPE = input.event.type;
  env.HOOKD_ID = input.event.id;
  env.HOOKD_HOOK = input.hookName;
  env.HOOKD_ATTEMPT = String(input.attempt);
  env.HOOKD_SOURCE = input.event.source;
  env.HOOKD_TIME = input.event.receivedAt;
  if (fields.omitted.length > 0) env.HOOKD_OMITTED = fields.omitted.join(',');
  if (input.event.subject !== undefined) env.HOOKD_SUBJECT = input.event.subject;
  return env;
}
