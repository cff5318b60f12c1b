// Why a hook did not run: the pure explanation beside match.ts (every reason
// format), and `hookd test --explain` through the built bin (text, --json,
// --dry-run --explain), which runs nothing.
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { describe, test, type TestContext } from 'node:test';
import { parseJson, type JsonValue } from '../src/json.ts';
import { compileCondition, compileTypePatterns, type WhereOperator } from '../src/match.ts';
import { explainMatch } from '../src/match-explain.ts';
import { runHookd, tempDir, writeConfig, writeFile, writeScript } from './helpers.ts';

function hook(on: string[], where: [string, WhereOperator, unknown][] = []) {
  return { on, matchType: compileTypePatterns(on), where: where.map(([field, operator, operand]) => compileCondition(field, operator, operand)) };
}

const fields = (json: string): JsonValue => parseJson(json);

describe('explainMatch', () => {
  test('a matching hook is "matched"', () => {
    assert.deepEqual(explainMatch(hook(['invoice_*'], [['msat', 'gte', 1000]]), 'invoice_payment', fields('{"msat":5000}')), { matched: true });
  });

  test('a type no pattern matches names the type and every pattern tried', () => {
    assert.deepEqual(explainMatch(hook(['channel_*', 'block']), 'invoice_payment', fields('{}')), {
      matched: false,
      key: 'on',
      reason: 'on: type "invoice_payment" matches none of "channel_*", "block"',
    });
  });

  test('a failed condition shows the condition as written and the actual value', () => {
    const result = explainMatch(hook(['*'], [['msat', 'gte', 1000]]), 'invoice_payment', fields('{"msat":500}'));
    assert.deepEqual(result, { matched: false, key: 'where.msat', reason: 'where.msat: {gte: 1000} failed: msat is 500' });
  });

  test('a missing field says "field missing"', () => {
    const result = explainMatch(hook(['*'], [['label', 'matches', '^shop']]), 't', fields('{"msat":1}'));
    assert.deepEqual(result, { matched: false, key: 'where.label', reason: 'where.label: field missing' });
  });

  test('only the first failing condition is given, in the order written', () => {
    const result = explainMatch(hook(['*'], [['a', 'eq', 1], ['b', 'eq', 2]]), 't', fields('{"a":1,"b":3}'));
    assert.equal(result.matched ? '' : result.reason, 'where.b: {eq: 2} failed: b is 3');
  });

  test('big numbers are shown exactly; strings, lists and objects as JSON', () => {
    const reason = (where: [string, WhereOperator, unknown], json: string): string => {
      const result = explainMatch(hook(['*'], [where]), 't', fields(json));
      return result.matched ? 'matched' : result.reason;
    };
    assert.equal(reason(['msat', 'lt', 1], '{"msat":18446744073709551615}'), 'where.msat: {lt: 1} failed: msat is 18446744073709551615');
    assert.equal(reason(['label', 'in', ['a', 'b']], '{"label":"c"}'), 'where.label: {in: ["a", "b"]} failed: label is "c"');
    assert.equal(reason(['peer.id', 'eq', 'x'], '{"peer":{"id":{"k":1}}}'), 'where.peer.id: {eq: "x"} failed: peer.id is {"k":1}');
    assert.equal(reason(['gone', 'exists', false], '{"gone":true}'), 'where.gone: {exists: false} failed: gone is true');
  });
});

// Three hooks: one that matches, one stopped by `where`, one by `on`.
function setup(t: TestContext): { dir: string; file: string; events: string; marker: string } {
  const dir = tempDir(t);
  const marker = path.join(dir, 'ran');
  writeScript(dir, 'hook.sh', `touch "${marker}"`);
  const file = writeConfig(dir, `
event: { id: id }
hooks:
  - name: paid
    on: invoice_payment
    run: ./hook.sh
  - name: big
    on: invoice_payment
    where: { msat: { gte: 1000 }, label: { matches: "^shop" } }
    run: ./hook.sh
  - name: labelled
    on: invoice_payment
    where: { label: { exists: true } }
    run: ./hook.sh
  - name: channels
    on: [channel_*, block]
    run: ./hook.sh
`);
  const events = writeFile(dir, 'events.jsonl', '{"type":"invoice_payment","id":"p1","msat":500}\n');
  return { dir, file, events, marker };
}

describe('hookd test --explain', { concurrency: true }, () => {
  test('prints, for every hook, "matched" or the first reason it did not, and runs nothing', async (t) => {
    const { file, events, marker } = setup(t);
    const result = await runHookd(['test', '--explain', '-c', file, events]);
    assert.equal(result.code, 0, result.stderr);
    assert.equal(existsSync(marker), false, 'a hook ran under --explain');
    assert.deepEqual(result.stdout.split('\n'), [
      'event 1: type=invoice_payment id=p1',
      '  hook paid: matched',
      '  hook big: not matched: where.msat: {gte: 1000} failed: msat is 500',
      '  hook labelled: not matched: where.label: field missing',
      '  hook channels: not matched: on: type "invoice_payment" matches none of "channel_*", "block"',
      '',
    ]);
  });

  test('--json gives the same as data', async (t) => {
    const { file, events, marker } = setup(t);
    const result = await runHookd(['test', '--explain', '--json', '-c', file, events]);
    assert.equal(result.code, 0, result.stderr);
    assert.equal(existsSync(marker), false);
    const report = JSON.parse(result.stdout) as { events: { type: string; hooks: unknown[]; explain: unknown[] }[] };
    assert.equal(report.events.length, 1);
    assert.deepEqual(report.events[0]!.hooks, []);
    assert.deepEqual(report.events[0]!.explain, [
      { hook: 'paid', matched: true },
      { hook: 'big', matched: false, key: 'where.msat', reason: 'where.msat: {gte: 1000} failed: msat is 500' },
      { hook: 'labelled', matched: false, key: 'where.label', reason: 'where.label: field missing' },
      { hook: 'channels', matched: false, key: 'on', reason: 'on: type "invoice_payment" matches none of "channel_*", "block"' },
    ]);
  });

  test('--dry-run --explain shows the matched hooks\' dry run and the reasons of the others', async (t) => {
    const { dir, file, events, marker } = setup(t);
    const result = await runHookd(['test', '--dry-run', '--explain', '-c', file, events]);
    assert.equal(result.code, 0, result.stderr);
    assert.equal(existsSync(marker), false);
    const lines = result.stdout.split('\n');
    assert.equal(lines[1], '  hook paid: matched');
    assert.equal(lines[2], `    argv:    ${dir}/hook.sh`);
    assert.ok(lines.includes('      HOOKD_HOOK=paid'));
    assert.ok(lines.includes('  hook big: not matched: where.msat: {gte: 1000} failed: msat is 500'));
    assert.ok(lines.includes('  hook channels: not matched: on: type "invoice_payment" matches none of "channel_*", "block"'));
  });

  test('--explain works on a built-in sample too (--type)', async (t) => {
    const { file } = setup(t);
    const result = await runHookd(['test', '--explain', '-c', file, '--type', 'invoice_payment']);
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stdout, /^  hook channels: not matched: on: type "invoice_payment" matches none of/m);
  });
});
