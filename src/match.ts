// Which hooks an event reaches: type globs (`on`) and field filters (`where`).
import picomatch from 'picomatch';
import { ExactNumber, getPath, stringifyJson, type JsonValue } from './json.js';

export const WHERE_OPERATORS = ['eq', 'ne', 'gt', 'gte', 'lt', 'lte', 'in', 'exists', 'matches'] as const;
export type WhereOperator = (typeof WHERE_OPERATORS)[number];

// One compiled condition: the field at `path` must pass `test`.
export interface Condition {
  readonly path: string;
  readonly operator: WhereOperator;
  readonly operand: unknown;
  readonly test: (value: JsonValue | undefined) => boolean;
}

// Event types are not paths: "/" is an ordinary character (so that "*" matches
// "orders/paid"), hidden from picomatch behind a private-use character.
const SLASH_STAND_IN = '\uE000';
const hideSlashes = (text: string): string => text.replaceAll('/', SLASH_STAND_IN);

// A predicate over event types from one glob or a list of them.
export function compileTypePatterns(patterns: readonly string[]): (type: string) => boolean {
  const matchers = patterns.map((pattern) => picomatch(hideSlashes(pattern), { dot: true, nonegate: true }));
  return (type) => {
    const plain = hideSlashes(type);
    return matchers.some((matches) => matches(plain));
  };
}

// Throws an Error with a plain message when the operand does not fit the operator.
export function compileCondition(path: string, operator: WhereOperator, operand: unknown): Condition {
  const make = (test: Condition['test']): Condition => ({ path, operator, operand, test });
  switch (operator) {
    case 'eq':
      return make((value) => value !== undefined && jsonEquals(value, operand));
    case 'ne':
      return make((value) => value === undefined || !jsonEquals(value, operand));
    case 'gt':
    case 'gte':
    case 'lt':
    case 'lte': {
      if (numericText(operand) === undefined && typeof operand !== 'string') {
        throw new Error(`expected a number or a string to compare with, got ${Array.isArray(operand) ? 'a list' : typeof operand}`);
      }
      const accept = ORDER_TESTS[operator];
      return make((value) => {
        const order = compareOrdered(value, operand);
        return order !== undefined && accept(order);
      });
    }
    case 'in': {
      if (!Array.isArray(operand)) throw new Error('expected a list of values');
      return make((value) => value !== undefined && operand.some((candidate) => jsonEquals(value, candidate)));
    }
    case 'exists': {
      if (typeof operand !== 'boolean') throw new Error('expected true or false');
      return make((value) => (value !== undefined) === operand);
    }
    case 'matches': {
      if (typeof operand !== 'string') throw new Error('expected a regular expression as a string');
      let regex: RegExp;
      try {
        regex = new RegExp(operand, 'u');
      } catch (error) {
        throw new Error(`invalid regular expression ${JSON.stringify(operand)}: ${(error as Error).message.replace(/^Invalid regular expression: /, '')}`);
      }
      return make((value) => {
        if (value === undefined || value === null || typeof value === 'object' && !(value instanceof ExactNumber)) return false;
        return regex.test(String(value));
      });
    }
  }
}

const ORDER_TESTS: Record<'gt' | 'gte' | 'lt' | 'lte', (order: number) => boolean> = {
  gt: (order) => order > 0,
  gte: (order) => order >= 0,
  lt: (order) => order < 0,
  lte: (order) => order <= 0,
};

const INTEGER = /^-?\d+$/;
const NUMERIC = /^-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?$/;

// Sign of value - operand; undefined when they cannot be compared. Numbers
// (and numeric strings such as "1000") compare as numbers, exactly for big
// integers; other strings compare as text.
function compareOrdered(value: JsonValue | undefined, operand: unknown): number | undefined {
  const valueText = numericText(value);
  const operandText = numericText(operand);
  if (valueText !== undefined && operandText !== undefined) {
    if (INTEGER.test(valueText) && INTEGER.test(operandText)) {
      const a = BigInt(valueText);
      const b = BigInt(operandText);
      return a === b ? 0 : a > b ? 1 : -1;
    }
    return Math.sign(Number(valueText) - Number(operandText));
  }
  if (typeof value === 'string' && typeof operand === 'string') return value < operand ? -1 : value > operand ? 1 : 0;
  return undefined;
}

// Numbers as text: exact for ExactNumber (events, YAML) and bigint (JS configs).
function numericText(value: unknown): string | undefined {
  if (typeof value === 'number') return Number.isFinite(value) ? String(value) : undefined;
  if (typeof value === 'bigint') return String(value);
  if (value instanceof ExactNumber) return value.text;
  if (typeof value === 'string' && NUMERIC.test(value)) return value;
  return undefined;
}

// Deep equality where 1, 1.0 and an ExactNumber of the same value are equal.
function jsonEquals(value: JsonValue, operand: unknown): boolean {
  const a = numericText(typeof value === 'string' ? undefined : value);
  const b = numericText(typeof operand === 'string' ? undefined : operand);
  if (a !== undefined || b !== undefined) return a !== undefined && b !== undefined && compareOrdered(a, b) === 0;
  if (value === null || typeof value !== 'object') return value === operand;
  if (typeof operand !== 'object' || operand === null) return false;
  return stringifyJson(value) === stringifyJson(operand as JsonValue);
}

// What a hook needs to be matched.
export interface MatchableHook {
  readonly matchType: (type: string) => boolean;
  readonly where: readonly Condition[];
}

export function hookMatches(hook: MatchableHook, type: string, fields: JsonValue): boolean {
  if (!hook.matchType(type)) return false;
  return hook.where.every((condition) => condition.test(getPath(fields, condition.path)));
}

// The hooks that an event reaches, in config order.
export function matchHooks<H extends MatchableHook>(hooks: readonly H[], type: string, fields: JsonValue): H[] {
  return hooks.filter((hook) => hookMatches(hook, type, fields));
}

// Most event types a typeReach remembers: types come from outside, so the
// memory of them is bounded (and started afresh when full).
const REMEMBERED_TYPES = 4096;

// Whether the `on` of any of these hooks matches a type (their `where` is
// not looked at), remembered per type: an event that no hook can match is
// then dropped at a map lookup. Built again for each config.
export function typeReach(hooks: readonly MatchableHook[]): (type: string) => boolean {
  const known = new Map<string, boolean>();
  return (type) => {
    let reached = known.get(type);
    if (reached === undefined) {
      reached = hooks.some((hook) => hook.matchType(type));
      if (known.size >= REMEMBERED_TYPES) known.clear();
      known.set(type, reached);
    }
    return reached;
  };
}
