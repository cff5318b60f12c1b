// The lightning-rpc client and the index follower, against the stand-in;
// the stand-in itself is held to the replies of a real lightningd v26.06.6
// (test/fixtures/cln-rpc/), so the other tests can trust it.
import assert from 'node:assert/strict';
import path from 'node:path';
import { test, type TestContext } from 'node:test';
import type { HookEvent } from '../src/event.ts';
import { ExactNumber, type JsonObject } from '../src/json.ts';
import { currentValue, IndexFollower } from '../src/sources/cln/index-follower.ts';
import { INDEX_TOPICS, nodeHas, SUBSYSTEMS, topicOfType, topicsMatched, type IndexTopic } from '../src/lightningd/index-topics.ts';
import { INVALID_PARAMS, LightningRpc, METHOD_NOT_FOUND, RpcConnectionLost, RpcError } from '../src/sources/cln/rpc-client.ts';
import { fixtureResponse, LightningRpcStandin, type StandinOptions } from './cln-rpc-standin.ts';
import { tempDir, waitFor } from './helpers.ts';

async function startNode(t: TestContext, options: Partial<StandinOptions> = {}): Promise<{ node: LightningRpcStandin; rpc: LightningRpc }> {
  const node = new LightningRpcStandin({ socketPath: path.join(tempDir(t), 'lightning-rpc'), ...options });
  await node.start();
  t.after(() => node.stop());
  const rpc = await LightningRpc.connect(node.socketPath);
  t.after(() => rpc.close());
  return { node, rpc };
}

function topic(type: string): IndexTopic {
  const found = topicOfType(type);
  assert.ok(found, type);
  return found;
}

// Runs a follower, recording what it hands on, until stopped.
function follow(rpc: LightningRpc, type: string, start: number, pageRows?: number) {
  const events: HookEvent[] = [];
  const saved: number[] = [];
  const controller = new AbortController();
  const follower = new IndexFollower(topic(type), start);
  const running = follower.run({
    rpc,
    signal: controller.signal,
    pageRows,
    deliver: async (event) => void events.push(event),
    advanced: (_topic, value) => void saved.push(value),
  });
  // Closing the connection at the test's end ends the run with RpcConnectionLost.
  running.catch(() => {});
  return { events, saved, follower, running, stop: () => controller.abort() };
}

test('the topic table has the 16 event types, each with the release that added it', () => {
  assert.deepEqual(INDEX_TOPICS.map((t) => t.type), [
    'invoice_created', 'invoice_updated', 'invoice_deleted', 'forward_created', 'forward_updated', 'forward_deleted',
    'sendpay_created', 'sendpay_updated', 'sendpay_deleted', 'htlc_created', 'htlc_updated', 'htlc_deleted',
    'chainmove_created', 'channelmove_created', 'networkevent_created', 'networkevent_deleted',
  ]);
  assert.equal(topic('htlc_updated').subsystem.since, 'v25.05');
  const htlcs = SUBSYSTEMS.find((s) => s.name === 'htlcs')!;
  assert.equal(nodeHas('v24.11.1', htlcs), false);
  assert.equal(nodeHas('v25.05', htlcs), true);
  assert.equal(nodeHas('v26.06.6-modded', htlcs), true);
  assert.equal(nodeHas('a custom build', htlcs), true);
  assert.deepEqual(topicsMatched([(type) => type === 'invoice_updated']).map((t) => t.type), ['invoice_updated']);
  assert.deepEqual(topicsMatched([(type) => type.startsWith('forward_')]).map((t) => t.type), ['forward_created', 'forward_updated', 'forward_deleted']);
});

test('the stand-in lists, pages and refuses as a real lightningd did', async (t) => {
  const { node, rpc } = await startNode(t);
  node.seed('invoices', 'listinvoices-B-created-0.json');
  node.seed('forwards', 'listforwards-B-created-0.json');
  const same = async (method: string, params: JsonObject, fixture: string) => assert.deepEqual(await rpc.call(method, params), fixtureResponse(fixture), fixture);
  await same('listinvoices', { index: 'created', start: 0, limit: 2 }, 'listinvoices-B-created-0-limit-2.json');
  await same('listinvoices', { index: 'created', start: 3, limit: 2 }, 'listinvoices-B-created-3-limit-2.json');
  await same('listinvoices', { index: 'updated', start: 1 }, 'listinvoices-B-updated-1.json');
  await same('listinvoices', { index: 'created', start: 1000 }, 'listinvoices-B-created-beyond-end.json');
  await same('listforwards', { index: 'updated', start: 1 }, 'listforwards-B-updated-1.json');
  await assert.rejects(rpc.call('listinvoices', { limit: 2 }), (error: RpcError) => error.code === fixtureResponse('listinvoices-B-limit-only.json').code);
  await assert.rejects(rpc.call('listchainmoves', { index: 'updated', start: 1 }), (error: RpcError) => error.message.includes(String(fixtureResponse('listchainmoves-B-updated-1.json').message)));
  await assert.rejects(rpc.call('wait', { subsystem: 'payments', indexname: 'created', nextvalue: 0 }), (error: RpcError) => error.code === INVALID_PARAMS && error.message.includes(String(fixtureResponse('wait-bad-subsystem.json').message)));
  // Already passed: the current value at once, and no object.
  assert.deepEqual(await rpc.call('wait', { subsystem: 'invoices', indexname: 'created', nextvalue: 2 }), { subsystem: 'invoices', created: 5 });
});

test('the client keeps big numbers exact and answers concurrent requests by id', async (t) => {
  const { node, rpc } = await startNode(t);
  const pending = rpc.call('wait', { subsystem: 'sendpays', indexname: 'created', nextvalue: 1 });
  const info = (await rpc.call('getinfo')) as JsonObject;
  assert.equal(info.version, 'v26.06.6');
  node.create('sendpays', { status: 'pending', groupid: new ExactNumber('18446744073709551615'), payment_hash: 'ab'.repeat(32) });
  const woke = (await pending) as JsonObject;
  assert.equal(String((woke.sendpays as JsonObject).groupid), '18446744073709551615');
  assert.equal(woke.created, 1);
});

test('a request in flight fails with RpcConnectionLost when lightningd goes away', async (t) => {
  const { node, rpc } = await startNode(t);
  const pending = rpc.call('wait', { subsystem: 'invoices', indexname: 'created', nextvalue: 1 });
  await waitFor(() => node.requests.some((r) => r.method === 'wait'), 'the wait to arrive');
  await node.stop();
  await assert.rejects(pending, RpcConnectionLost);
  await assert.rejects(rpc.call('getinfo'), RpcConnectionLost);
});

test('an old node refuses subsystems it does not have', async (t) => {
  const { rpc } = await startNode(t, { version: 'v24.11', omit: ['htlcs', 'chainmoves', 'channelmoves', 'networkevents'] });
  await assert.rejects(currentValue(rpc, topic('htlc_created')), (error: RpcError) => error.code === INVALID_PARAMS);
  await assert.rejects(rpc.call('listhtlcs', { index: 'created', start: 1, limit: 1 }), (error: RpcError) => error.code === METHOD_NOT_FOUND);
});

test('the follower lists from last+1 in pages, across gaps, then waits for the next change', async (t) => {
  const { node, rpc } = await startNode(t);
  for (let i = 1; i <= 7; i++) node.create('invoices', { label: `inv-${i}`, status: 'unpaid', amount_msat: 1000 * i });
  node.remove('invoices', 3);
  node.remove('invoices', 4);
  const run = follow(rpc, 'invoice_created', 0, 2);
  await waitFor(() => run.events.length === 5, '5 invoices');
  assert.deepEqual(run.events.map((e) => e.id), ['invoices:created:1', 'invoices:created:2', 'invoices:created:5', 'invoices:created:6', 'invoices:created:7']);
  assert.equal(run.events[0]!.raw, '{"label":"inv-1","status":"unpaid","amount_msat":1000,"created_index":1}');
  assert.equal(run.events[0]!.source, 'cln');
  // Pages of 2, each from the last value + 1.
  const starts = node.requests.filter((r) => r.method === 'listinvoices').map((r) => (r.params as JsonObject).start);
  assert.deepEqual(starts, [1, 3, 7]);
  node.create('invoices', { label: 'inv-8', status: 'unpaid' });
  await waitFor(() => run.events.length === 6, 'the new invoice');
  assert.equal(run.events[5]!.id, 'invoices:created:8');
  assert.deepEqual(run.saved, [1, 2, 5, 6, 7, 8]);
  run.stop();
});

test('the follower of updated sees each row at its latest value and moves past vanished values', async (t) => {
  const { node, rpc } = await startNode(t);
  for (let i = 1; i <= 3; i++) node.create('invoices', { label: `inv-${i}`, status: 'unpaid' });
  const run = follow(rpc, 'invoice_updated', 0);
  await waitFor(() => node.requests.some((r) => r.method === 'wait'), 'the follower to wait');
  node.update('invoices', 1, { status: 'paid' });
  await waitFor(() => run.events.length === 1, 'the paid invoice');
  assert.equal(run.events[0]!.fields.status, 'paid');
  // Updated twice before the follower lists: seen once, at value 3; then a
  // row deleted after its update leaves value 4 with no row.
  node.update('invoices', 2, { status: 'paid' });
  node.update('invoices', 2, { description: 'changed' });
  await waitFor(() => run.events.length === 2, 'the twice-updated invoice');
  assert.equal(run.events[1]!.id, 'invoices:updated:3');
  node.update('invoices', 3, { status: 'expired' });
  node.remove('invoices', 3);
  await waitFor(() => run.follower.last === 4, 'the follower to move past the vanished value');
  assert.equal(run.events.length, 2);
  run.stop();
});

test('the follower of deleted hands on every value, the described one with its object', async (t) => {
  const { node, rpc } = await startNode(t);
  for (let i = 1; i <= 4; i++) node.create('forwards', { status: 'failed', in_channel: '103x1x0', in_htlc_id: i, in_msat: 1000, out_channel: '103x2x0' });
  node.remove('forwards', 1);
  node.remove('forwards', 2);
  const run = follow(rpc, 'forward_deleted', 0);
  await waitFor(() => run.events.length === 2, 'two deletions made before');
  assert.deepEqual(run.events.map((e) => e.fields), [{ deleted_index: 1 }, { deleted_index: 2 }]);
  // Deleted while the follower waits: the wait's reply describes it.
  await waitFor(() => node.requests.some((r) => r.method === 'wait' && (r.params as JsonObject).nextvalue === 3), 'the wait for deletion 3');
  node.remove('forwards', 4);
  await waitFor(() => run.events.length === 3, 'the deletion seen by wait');
  assert.deepEqual(run.events[2]!.fields, { status: 'failed', in_channel: '103x1x0', in_htlc_id: 4, deleted_index: 3 });
  assert.equal(run.events[2]!.type, 'forward_deleted');
  assert.equal(run.events[2]!.id, 'forwards:deleted:3');
  run.stop();
});

test('currentValue gives the index as the node has it now', async (t) => {
  const { node, rpc } = await startNode(t);
  node.createMany('chainmoves', 25, (i) => ({ account_id: 'wallet', credit_msat: i, debit_msat: 0 }));
  assert.equal(await currentValue(rpc, topic('chainmove_created')), 25);
  assert.equal(await currentValue(rpc, topic('networkevent_deleted')), 0);
});
