// The JSON.parse fast path (json-fast.ts) gives exactly what the exact parser
// (json.ts) gives, on every kind of number and on texts it must hand over;
// so does its two-step form (the loose reading, then exactJson).
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { exactJson, parseJsonFast, parseJsonLoose } from '../src/json-fast.ts';
import { ExactNumber, JsonSyntaxError, parseJson } from '../src/json.ts';

function same(text: string): void {
  let expected: unknown;
  try {
    expected = parseJson(text);
  } catch (error) {
    const sameError = (thrown: unknown): boolean => thrown instanceof JsonSyntaxError && thrown.message === (error as Error).message;
    assert.throws(() => parseJsonFast(text), sameError, text);
    assert.throws(() => parseJsonLoose(text), sameError, text);
    return;
  }
  assert.deepStrictEqual(parseJsonFast(text), expected, text);
  assert.deepStrictEqual(exactJson(text, parseJsonLoose(text)), expected, text);
}

// A small deterministic generator (no seed from the clock: failures repeat).
function* randomTexts(count: number): Generator<string> {
  let state = 0x2545f491;
  const next = (n: number): number => {
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    return (state >>> 0) % n;
  };
  const numbers = ['0', '-0', '7', '-12', '1.0', '1.5', '0.1', '1e3', '1E-7', '2.50', '123456789012345', '1234567890123456', '9007199254740993', '18446744073709551615', '0.30000000000000004', '1e400', '-0.0', '5e-324'];
  const strings = ['"a"', '"1.0"', '"3e4f"', '"2026-12-01T05:00:00.000Z"', '"x\\"1.5\\""', '"\\\\"', '"-0"', '"é\\u0000"'];
  const value = (depth: number): string => {
    const kind = depth > 4 ? next(3) : next(6);
    if (kind === 0) return numbers[next(numbers.length)] as string;
    if (kind === 1) return strings[next(strings.length)] as string;
    if (kind === 2) return ['true', 'false', 'null'][next(3)] as string;
    if (kind === 3) return `[${Array.from({ length: next(4) }, () => value(depth + 1)).join(',')}]`;
    return `{${Array.from({ length: next(4) }, (_, i) => `${strings[next(strings.length)]?.slice(0, -1)}${i}": ${value(depth + 1)}`).join(', ')}}`;
  };
  for (let i = 0; i < count; i++) yield value(0);
}

describe('JSON fast path', () => {
  test('numbers that do not read back as written stay ExactNumbers', () => {
    for (const number of ['18446744073709551615', '1.0', '1e3', '-0', '2.50', '0.1000000000000000055511151231257827', '1E2', '-0.0']) {
      const parsed = parseJsonFast(`{"n":${number},"s":"plain"}`) as { n: unknown };
      assert.ok(parsed.n instanceof ExactNumber, number);
      assert.equal(String(parsed.n), number);
    }
  });

  test('numbers that read back stay plain numbers, also beside look-alikes in strings', () => {
    assert.deepStrictEqual(parseJsonFast('{"type":"t","n":42,"x":-7,"f":1.5,"at":"2026-12-01T05:00:00.000Z","h":"3e4f"}'), { type: 't', n: 42, x: -7, f: 1.5, at: '2026-12-01T05:00:00.000Z', h: '3e4f' });
  });

  test('numbers are told from look-alikes in keys and in strings with escaped quotes and backslashes', () => {
    for (const text of [
      '{"1.0":1,"s":"a\\"1.0\\"","t":"\\\\","n":1.0}',
      '{"s":"\\\\\\"-0","n":[-0,0,-1,10]}',
      '{"s":"x\\\\","n":-123456789012345,"m":-1234567890123456,"k":123456789012345,"j":9007199254740993}',
      '{"s":"","e":1E+2,"f":5e-1,"g":-0.5,"h":true,"i":false,"j":null}',
      '[1.0]',
      '-0',
      '{"unterminated":"1.0}',
    ]) same(text);
  });

  test('invalid JSON fails with the exact parser\'s message', () => {
    for (const text of ['{"a":', '{"a":1}x', '[1,]', '{"a":01}', '"\\x"', '\ufeff{}']) same(text);
  });

  test('nesting deeper than the exact parser allows is refused the same way', () => {
    same(`${'['.repeat(512)}${']'.repeat(512)}`);
    same(`${'['.repeat(513)}${']'.repeat(513)}`);
    same(`${'['.repeat(513)}1${']'.repeat(513)}`);
    same(`${'['.repeat(600)}${']'.repeat(600)}`);
  });

  test('__proto__ is a plain key either way', () => {
    same('{"__proto__":{"polluted":1},"constructor":2}');
    assert.equal(({} as { polluted?: number }).polluted, undefined);
  });

  test('on 5,000 generated texts the fast path and the exact parser agree', () => {
    for (const text of randomTexts(5000)) same(text);
  });
});
