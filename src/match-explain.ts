// Why an event does not reach a hook, in one line (`hookd test --explain`):
// the `on` patterns tried against its type, or the first `where` condition
// that failed with the field's actual value. Pure: the same tests as match.ts.
import { ExactNumber, getPath, stringifyJson, type JsonValue } from './json.js';
import type { Condition, MatchableHook } from './match.js';

export interface ExplainableHook extends MatchableHook {
  // The type globs as written, to show which were tried.
  readonly on: readonly string[];
}

export type MatchExplanation =
  | { readonly matched: true }
  // `key` is the config key that stopped it: "on" or "where.<path>".
  | { readonly matched: false; readonly key: string; readonly reason: string };

export function explainMatch(hook: ExplainableHook, type: string, fields: JsonValue): MatchExplanation {
  if (!hook.matchType(type)) {
    const tried = hook.on.map((pattern) => JSON.stringify(pattern)).join(', ');
    return { matched: false, key: 'on', reason: `on: type ${JSON.stringify(type)} matches none of ${tried}` };
  }
  for (const condition of hook.where) {
    const value = getPath(fields, condition.path);
    if (condition.test(value)) continue;
    const key = `where.${condition.path}`;
    // A missing field says so; `exists: true` is the one condition whose failure is only that.
    if (value === undefined) return { matched: false, key, reason: `${key}: field missing` };
    return { matched: false, key, reason: `${key}: ${describeCondition(condition)} failed: ${condition.path} is ${describeField(value)}` };
  }
  return { matched: true };
}

// {gte: 1000}, {in: ["a", "b"]}, {matches: "^shop"} as written in the config.
export function describeCondition(condition: Pick<Condition, 'operator' | 'operand'>): string {
  return `{${condition.operator}: ${describeOperand(condition.operand)}}`;
}

function describeOperand(operand: unknown): string {
  if (operand instanceof ExactNumber) return operand.text;
  if (Array.isArray(operand)) return `[${operand.map(describeOperand).join(', ')}]`;
  if (typeof operand === 'bigint') return String(operand);
  if (operand === undefined) return 'undefined';
  return shorten(JSON.stringify(operand) ?? String(operand));
}

// An event value: numbers exactly as received, strings quoted, objects as JSON.
function describeField(value: JsonValue): string {
  if (value instanceof ExactNumber) return value.text;
  if (value !== null && typeof value === 'object') return shorten(stringifyJson(value));
  return shorten(JSON.stringify(value));
}

// An explanation stays one line: long values are cut.
function shorten(text: string): string {
  return text.length > 80 ? `${text.slice(0, 77)}...` : text;
}
