// The pieces of plugin mode that are pure functions: framing, unwrapping,
// reply shapes, manifest needs.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { MessageReader } from '../src/lightningd/framing.ts';
import { hookDefinition } from '../src/lightningd/hook-catalog.ts';
import { needsProblem } from '../src/cln/manifest.ts';
import { normaliseAmounts, unwrapNotification } from '../src/lightningd/notification.ts';
import { replyProblem } from '../src/lightningd/reply.ts';
import { parseJson, stringifyJson } from '../src/json.ts';

const TWO = '{"jsonrpc":"2.0","method":"a","params":{"s":"x}\\"{"}}\n\n{"jsonrpc":"2.0","id":"cln:b#1","method":"b","params":[1,{"c":[]}]}\n\n';

test('the reader finds the same messages wherever the reads are cut', () => {
  const bytes = Buffer.from(TWO);
  for (let cut = 0; cut <= bytes.length; cut++) {
    const reader = new MessageReader();
    const items = [...reader.push(bytes.subarray(0, cut)), ...reader.push(bytes.subarray(cut)), ...reader.end()];
    assert.deepEqual(items.map((item) => item.kind), ['message', 'message'], `cut at ${cut}`);
    assert.equal(items[0]!.kind === 'message' && items[0]!.text, '{"jsonrpc":"2.0","method":"a","params":{"s":"x}\\"{"}}');
  }
});

test('the reader reads byte by byte, and keeps multi-byte characters whole', () => {
  const text = '{"method":"log","params":{"message":"€ ⚡"}}\n\n';
  const reader = new MessageReader();
  const items = [...Buffer.from(text)].flatMap((byte) => reader.push(Buffer.from([byte])));
  assert.deepEqual(items, [{ kind: 'message', text: '{"method":"log","params":{"message":"€ ⚡"}}' }]);
});

test('the reader skips an oversized message without holding it, and reports stray bytes', () => {
  const reader = new MessageReader(64);
  const items = reader.push(Buffer.from(`{"big":"${'x'.repeat(200)}"}\n\nnoise\n{"ok":1}\n\n`));
  assert.deepEqual(items.map((item) => item.kind), ['oversize', 'garbage', 'message']);
});

test('amounts written as "Nmsat" become exact numbers only in msat fields', () => {
  const value = normaliseAmounts(parseJson('{"msat":"18446744073709551615msat","amount_msat":"10msat","label":"5msat","list":[{"fee_msat":"1msat"}]}'));
  assert.equal(stringifyJson(value), '{"msat":18446744073709551615,"amount_msat":10,"label":"5msat","list":[{"fee_msat":1}]}');
});

test('a custom notification is the same event before and after v25.09', () => {
  const legacy = unwrapNotification('mine', parseJson('{"origin":"sender","payload":{"k":"v"}}'));
  const current = unwrapNotification('mine', parseJson('{"k":"v"}'), 'sender');
  assert.equal(legacy.raw, '{"k":"v"}');
  assert.equal(current.raw, legacy.raw);
  assert.equal(legacy.origin, 'sender');
  assert.equal(current.origin, 'sender');
});

test('reply shapes follow the hook schemas', () => {
  const htlc = hookDefinition('htlc_accepted')!;
  assert.equal(replyProblem(htlc, parseJson('{"result":"fail","failure_onion":"00ff"}')), undefined);
  assert.equal(replyProblem(htlc, parseJson(`{"result":"resolve","payment_key":"${'ab'.repeat(32)}"}`)), undefined);
  assert.match(replyProblem(htlc, parseJson('{"result":"resolve","payment_key":"ab"}'))!, /64 hex digits/);
  assert.equal(replyProblem(htlc, parseJson('{"result":"continue","invoice_msat":18446744073709551615}')), undefined);
  const rpc = hookDefinition('rpc_command')!;
  assert.equal(replyProblem(rpc, parseJson('{"return":{"error":{"code":-32600,"message":"no"}}}')), undefined);
  assert.equal(replyProblem(rpc, parseJson('{"replace":{"jsonrpc":"2.0","id":"x","method":"getinfo","params":{}}}')), undefined);
  assert.match(replyProblem(rpc, parseJson('{"result":"continue","replace":{}}'))!, /unexpected field "replace"/);
  assert.equal(replyProblem(hookDefinition('onion_message_recv')!, parseJson('{"result":"handled"}')), undefined);
  assert.match(replyProblem(hookDefinition('db_write')!, parseJson('{"result":"fail"}'))!, /"result" must be "continue"/);
});

test('a config is refused at init only when it needs what the manifest did not register', () => {
  const registered = { subscriptions: ['*'], hooks: ['htlc_accepted'] };
  assert.equal(needsProblem(registered, { subscriptions: ['connect', 'mine'], hooks: ['htlc_accepted'] }), undefined);
  assert.match(needsProblem(registered, { subscriptions: ['log'], hooks: [] })!, /notifications log/);
  assert.match(needsProblem({ subscriptions: ['connect'], hooks: [] }, { subscriptions: ['*'], hooks: ['peer_connected'] })!, /notifications \* and decision hooks peer_connected/);
});

test('a log line becomes a log notification at the matching level, errors without their stack', async () => {
  const { logParams } = await import('../src/cln/log-bridge.ts');
  assert.deepEqual(logParams('{"level":"warn","time":"x","msg":"hook failed","hook":"a b","n":3}'), { level: 'warn', message: 'hook failed hook="a b" n=3' });
  assert.equal(logParams('{"level":"trace","msg":"m"}').level, 'debug');
  assert.equal(logParams('{"level":"fatal","msg":"m"}').level, 'error');
  assert.deepEqual(logParams('{"level":"error","msg":"cannot","err":{"type":"Error","message":"boom","stack":"Error: boom\\n    at x"}}'), { level: 'error', message: 'cannot err=boom' });
});
