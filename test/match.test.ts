// Which hooks an event reaches: `on` (exact types, globs, braces, lists) and
// every `where` operator, written in a real YAML config and matched against
// events parsed as hookd parses them (numbers exact).
import assert from 'node:assert/strict';
import { test, type TestContext } from 'node:test';
import { loadConfig } from '../src/config/load.ts';
import type { HookSpec } from '../src/config/types.ts';
import { parseEvent } from '../src/event.ts';
import { matchHooks, typeReach } from '../src/match.ts';
import { tempDir, writeConfig } from './helpers.ts';

// The hooks of a config whose `hooks:` list is given as YAML.
async function hooksOf(t: TestContext, hooksYaml: string): Promise<readonly HookSpec[]> {
  return (await loadConfig({ path: writeConfig(tempDir(t), `hooks:\n${hooksYaml}`) })).hooks;
}

// The names of the hooks that an event line reaches.
function reached(hooks: readonly HookSpec[], line: string): string[] {
  const event = parseEvent(line, { typePath: 'type' }, 'test');
  return matchHooks(hooks, event.type, event.fields).map((hook) => hook.name);
}

// One hook per `where` condition, named by it, on every type.
async function conditions(t: TestContext, named: Record<string, string>): Promise<readonly HookSpec[]> {
  return hooksOf(t, Object.entries(named).map(([name, where]) => `  - {name: ${name}, on: "*", run: "true", where: ${where}}\n`).join(''));
}

test('an exact type matches only itself', async (t) => {
  const hooks = await hooksOf(t, '  - {name: paid, on: invoice_payment, run: "true"}\n');
  assert.deepEqual(reached(hooks, '{"type":"invoice_payment"}'), ['paid']);
  for (const type of ['invoice_payment2', 'Invoice_payment', 'invoice', 'xinvoice_payment']) {
    assert.deepEqual(reached(hooks, JSON.stringify({ type })), [], type);
  }
});

test('globs, braces and lists select types', async (t) => {
  const hooks = await hooksOf(t, `
  - {name: channels, on: "channel_*", run: "true"}
  - {name: all, on: "*", run: "true"}
  - {name: peers, on: "{connect,disconnect}", run: "true"}
  - {name: list, on: [block, "tx_?"], run: "true"}
  - {name: orders, on: "orders/*", run: "true"}
`);
  const cases: [string, string[]][] = [
    ['channel_opened', ['channels', 'all']],
    ['channel_state_changed', ['channels', 'all']],
    ['channel', ['all']],
    ['connect', ['all', 'peers']],
    ['disconnect', ['all', 'peers']],
    ['reconnect', ['all']],
    ['block', ['all', 'list']],
    ['tx_1', ['all', 'list']],
    ['tx_12', ['all']],
    ['orders/paid', ['all', 'orders']],
    ['orders2/paid', ['all']],
    ['.hidden', ['all']],
    ['a.b', ['all']],
  ];
  for (const [type, expected] of cases) assert.deepEqual(reached(hooks, JSON.stringify({ type })), expected, type);
});

test("typeReach tells whether any hook's on matches a type, whatever its where, and asks each type once", async (t) => {
  const hooks = await hooksOf(t, `
  - {name: channels, on: "channel_*", run: "true", where: {amount: {gt: 1000}}}
  - {name: list, on: [block, "tx_?"], run: "true"}
`);
  const asked: string[] = [];
  const reaches = typeReach(hooks.map((hook) => ({ ...hook, matchType: (type: string) => (asked.push(type), hook.matchType(type)) })));
  const cases: [string, boolean][] = [['channel_opened', true], ['block', true], ['tx_1', true], ['tx_12', false], ['tick', false], ['channel_opened', true], ['tick', false]];
  for (const [type, expected] of cases) assert.equal(reaches(type), expected, type);
  assert.deepEqual(asked, ['channel_opened', 'block', 'block', 'tx_1', 'tx_1', 'tx_12', 'tx_12', 'tick', 'tick'], 'a type seen before is not matched again');
  assert.equal(typeReach([])('block'), false, 'no hooks: nothing is reached');
});

test('the type may sit at a dotted path given by event.type', async (t) => {
  const file = writeConfig(tempDir(t), 'event: {type: meta.kind}\nhooks: [{name: h, on: block, run: "true"}]\n');
  const config = await loadConfig({ path: file });
  const event = parseEvent('{"meta":{"kind":"block"},"type":"other"}', { typePath: config.typePath }, 'test');
  assert.equal(event.type, 'block');
  assert.deepEqual(matchHooks(config.hooks, event.type, event.fields).map((hook) => hook.name), ['h']);
});

test('eq and ne compare values, numbers by value and strings never equal to numbers', async (t) => {
  const hooks = await conditions(t, {
    eqString: '{label: {eq: shop}}',
    eqNumber: '{n: {eq: 1000}}',
    eqQuoted: '{n: {eq: "1000"}}',
    neString: '{label: {ne: shop}}',
    eqObject: '{obj: {eq: {a: [1, 2]}}}',
  });
  assert.deepEqual(reached(hooks, '{"type":"t","label":"shop","n":1000,"obj":{"a":[1,2]}}'), ['eqString', 'eqNumber', 'eqObject']);
  assert.deepEqual(reached(hooks, '{"type":"t","label":"cafe","n":"1000"}'), ['eqQuoted', 'neString']);
  assert.deepEqual(reached(hooks, '{"type":"t","n":1e3}'), ['eqNumber', 'neString']);
  assert.deepEqual(reached(hooks, '{"type":"t","n":1000.0}'), ['eqNumber', 'neString']);
});

test('a bare value means eq, for strings, numbers, booleans and null', async (t) => {
  const hooks = await conditions(t, { str: '{label: shop}', num: '{n: 5}', bool: '{paid: true}', nul: '{x: null}' });
  assert.deepEqual(reached(hooks, '{"type":"t","label":"shop","n":5,"paid":true,"x":null}'), ['str', 'num', 'bool', 'nul']);
  assert.deepEqual(reached(hooks, '{"type":"t","label":"shopx","n":5.5,"paid":"true"}'), []);
});

test('gt, gte, lt and lte order numbers, numeric strings as numbers, and other strings as text', async (t) => {
  const hooks = await conditions(t, { gt: '{v: {gt: 10}}', gte: '{v: {gte: 10}}', lt: '{v: {lt: 10}}', lte: '{v: {lte: 10}}' });
  assert.deepEqual(reached(hooks, '{"type":"t","v":9}'), ['lt', 'lte']);
  assert.deepEqual(reached(hooks, '{"type":"t","v":10}'), ['gte', 'lte']);
  assert.deepEqual(reached(hooks, '{"type":"t","v":10.5}'), ['gt', 'gte']);
  assert.deepEqual(reached(hooks, '{"type":"t","v":"9"}'), ['lt', 'lte']);
  assert.deepEqual(reached(hooks, '{"type":"t","v":"1e2"}'), ['gt', 'gte']);
  assert.deepEqual(reached(hooks, '{"type":"t","v":"ten"}'), []);
  assert.deepEqual(reached(hooks, '{"type":"t"}'), []);
  const text = await conditions(t, { after: '{name: {gt: m}}' });
  assert.deepEqual(reached(text, '{"type":"t","name":"n"}'), ['after']);
  assert.deepEqual(reached(text, '{"type":"t","name":"a"}'), []);
});

test('comparisons of u64 amounts are exact beyond 2^53, written bare or quoted in YAML', async (t) => {
  const hooks = await conditions(t, {
    eqMax: '{msat: {eq: 18446744073709551615}}',
    bareMax: '{msat: 18446744073709551615}',
    eqNext: '{msat: {eq: 18446744073709551616}}',
    gtBelow: '{msat: {gt: 18446744073709551614}}',
    gteQuoted: '{msat: {gte: "18446744073709551615"}}',
    ltMax: '{msat: {lt: 18446744073709551615}}',
    inList: '{msat: {in: [1, 18446744073709551615]}}',
  });
  assert.deepEqual(reached(hooks, '{"type":"t","msat":18446744073709551615}'), ['eqMax', 'bareMax', 'gtBelow', 'gteQuoted', 'inList']);
  assert.deepEqual(reached(hooks, '{"type":"t","msat":18446744073709551614}'), ['ltMax']);
  assert.deepEqual(reached(hooks, '{"type":"t","msat":18446744073709551616}'), ['eqNext', 'gtBelow', 'gteQuoted']);
});

test('in holds when the value equals one of a list', async (t) => {
  const hooks = await conditions(t, { status: '{status: {in: [paid, expired, 3]}}' });
  assert.deepEqual(reached(hooks, '{"type":"t","status":"paid"}'), ['status']);
  assert.deepEqual(reached(hooks, '{"type":"t","status":3.0}'), ['status']);
  assert.deepEqual(reached(hooks, '{"type":"t","status":"unpaid"}'), []);
  assert.deepEqual(reached(hooks, '{"type":"t"}'), []);
});

test('exists tells present from absent, null counting as present', async (t) => {
  const hooks = await conditions(t, { has: '{label: {exists: true}}', lacks: '{label: {exists: false}}' });
  assert.deepEqual(reached(hooks, '{"type":"t","label":"x"}'), ['has']);
  assert.deepEqual(reached(hooks, '{"type":"t","label":null}'), ['has']);
  assert.deepEqual(reached(hooks, '{"type":"t"}'), ['lacks']);
});

test('matches runs a regular expression on strings and numbers as written', async (t) => {
  const hooks = await conditions(t, { shop: '{label: {matches: "^shop-"}}', digits: '{msat: {matches: "^25\\\\d{4}$"}}' });
  assert.deepEqual(reached(hooks, '{"type":"t","label":"shop-17","msat":250000}'), ['shop', 'digits']);
  assert.deepEqual(reached(hooks, '{"type":"t","label":"my-shop-17","msat":2500000}'), []);
  assert.deepEqual(reached(hooks, '{"type":"t","label":{"shop-":1},"msat":[250000]}'), []);
});

test('every condition must hold, on dotted paths and array indexes', async (t) => {
  const hooks = await conditions(t, { both: '{payment.msat: {gte: 1000}, tags.1: vip}' });
  assert.deepEqual(reached(hooks, '{"type":"t","payment":{"msat":5000},"tags":["a","vip"]}'), ['both']);
  assert.deepEqual(reached(hooks, '{"type":"t","payment":{"msat":5000},"tags":["vip"]}'), []);
  assert.deepEqual(reached(hooks, '{"type":"t","payment":{"msat":999},"tags":["a","vip"]}'), []);
});

test('fields named like Object.prototype members are plain keys', async (t) => {
  const hooks = await conditions(t, { noCtor: '{constructor: {exists: false}}', proto: '{__proto__.admin: true}' });
  assert.deepEqual(reached(hooks, '{"type":"t"}'), ['noCtor']);
  assert.deepEqual(reached(hooks, '{"type":"t","__proto__":{"admin":true}}'), ['noCtor', 'proto']);
  assert.equal(({} as Record<string, unknown>).admin, undefined);
});
