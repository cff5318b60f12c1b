// The `cln` source in process, against the lightning-rpc stand-in: which
// pairs it follows, where each starts, lightningd going away and back, and
// the positions it saves.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { test, type TestContext } from 'node:test';
import { HookdError } from '../src/errors.ts';
import type { HookEvent } from '../src/event.ts';
import { ClnIndexSource, type ClnIndexOptions } from '../src/sources/cln/index-source.ts';
import { topicOfType, type IndexTopic } from '../src/lightningd/index-topics.ts';
import { LightningRpcStandin, type StandinOptions } from './cln-rpc-standin.ts';
import { recordingSink, type RecordingSink } from './daemon-helpers.ts';
import { tempDir, waitFor } from './helpers.ts';

function topics(...types: string[]): IndexTopic[] {
  return types.map((type) => topicOfType(type)!);
}

async function setUp(t: TestContext, node: Partial<StandinOptions> = {}) {
  const dir = tempDir(t);
  const standin = new LightningRpcStandin({ socketPath: path.join(dir, 'lightning-rpc'), ...node });
  await standin.start();
  t.after(() => standin.stop());
  return { dir, node: standin, state: path.join(dir, 'state') };
}

async function startSource(t: TestContext, options: ClnIndexOptions): Promise<{ source: ClnIndexSource; recording: RecordingSink }> {
  const recording = recordingSink();
  const source = new ClnIndexSource(options);
  await source.start(recording.sink);
  t.after(() => source.stop());
  return { source, recording };
}

function logged(recording: RecordingSink, text: string): Record<string, unknown>[] {
  return recording.logs.filter((line) => String(line.msg).includes(text));
}

test('from now starts at the node\'s current value; from start walks its history', async (t) => {
  const { node } = await setUp(t);
  for (let i = 1; i <= 3; i++) node.create('invoices', { label: `old-${i}`, status: 'unpaid' });
  const now = await startSource(t, { rpcPath: node.socketPath, from: 'now', state: false, topics: topics('invoice_created') });
  const start = await startSource(t, { rpcPath: node.socketPath, from: 'start', state: false, topics: topics('invoice_created') });
  await waitFor(() => start.recording.events.length === 3, 'the history');
  await waitFor(() => (now.source.status().indexes as Record<string, number>)['invoices/created'] === 3, 'now at 3');
  node.create('invoices', { label: 'new', status: 'unpaid' });
  await waitFor(() => now.recording.events.length === 1 && start.recording.events.length === 4, 'the new invoice on both');
  assert.equal(now.recording.events[0]!.fields.label, 'new');
  assert.deepEqual(now.source.status().indexes, { 'invoices/created': 4 });
});

test('lightningd going away and back: one line each, then the changes made meanwhile', async (t) => {
  const { node } = await setUp(t);
  const { recording } = await startSource(t, { rpcPath: node.socketPath, from: 'start', state: false, topics: topics('invoice_updated') });
  node.create('invoices', { label: 'a', status: 'unpaid' });
  node.update('invoices', 1, { status: 'paid' });
  await waitFor(() => recording.events.length === 1, 'the first payment');
  await node.stop();
  await waitFor(() => logged(recording, 'lost the connection').length === 1, 'the lost line');
  // Changes while hookd cannot see them (the rows stay in the node).
  node.create('invoices', { label: 'b', status: 'unpaid' });
  node.update('invoices', 2, { status: 'paid' });
  await node.start();
  await waitFor(() => recording.events.length === 2, 'the payment made while away');
  assert.equal(recording.events[1]!.id, 'invoices:updated:2');
  assert.equal(logged(recording, 'lightningd is back').length, 1);
  assert.equal(logged(recording, 'lost the connection').length, 1);
});

test('hookd started before lightningd says so once and follows it when it comes up', async (t) => {
  const { node } = await setUp(t);
  await node.stop();
  const { recording, source } = await startSource(t, { rpcPath: node.socketPath, from: 'start', state: false, topics: topics('forward_created') });
  await waitFor(() => logged(recording, 'cannot reach lightningd').length === 1, 'the unreachable line');
  assert.equal(source.status().connected, false);
  node.create('forwards', { status: 'offered', in_channel: '1x1x1', in_htlc_id: 1, in_msat: 1000 });
  await node.start();
  await waitFor(() => recording.events.length === 1, 'the forward');
  assert.equal(logged(recording, 'cannot reach lightningd').length, 1);
  assert.equal(logged(recording, 'lightningd is up').length, 1);
});

test('an old node without htlcs: those pairs are skipped with one line naming the release', async (t) => {
  const { node } = await setUp(t, { version: 'v24.11.1', omit: ['htlcs', 'chainmoves', 'channelmoves', 'networkevents'] });
  const { recording, source } = await startSource(t, { rpcPath: node.socketPath, from: 'start', state: false, topics: topics('htlc_created', 'htlc_updated', 'invoice_created') });
  node.create('invoices', { label: 'a', status: 'unpaid' });
  await waitFor(() => recording.events.length === 1, 'the invoice');
  const lines = logged(recording, 'skipping htlcs/');
  assert.equal(lines.length, 2);
  assert.match(String(lines[0]!.msg), /v25\.05/);
  assert.deepEqual(source.status().indexes, { 'invoices/created': 1 });
});

test('a node that does not say its release is judged by its replies', async (t) => {
  const { node } = await setUp(t, { version: 'custom-build', omit: ['htlcs'] });
  const { recording } = await startSource(t, { rpcPath: node.socketPath, from: 'now', state: false, topics: topics('htlc_created') });
  await waitFor(() => logged(recording, 'skipping htlcs/created').length === 1, 'the skip line');
});

test('follow() after a reload starts new pairs as from says and stops dropped ones', async (t) => {
  const { node } = await setUp(t);
  node.create('sendpays', { status: 'complete', payment_hash: '00' });
  const { recording, source } = await startSource(t, { rpcPath: node.socketPath, from: 'now', state: false, topics: topics('invoice_created') });
  await waitFor(() => source.status().connected === true, 'connected');
  source.follow(topics('sendpay_created'));
  await waitFor(() => (source.status().indexes as Record<string, number>)['sendpays/created'] === 1, 'sendpays followed from now');
  node.create('invoices', { label: 'unheard' });
  node.create('sendpays', { status: 'pending', payment_hash: '01' });
  await waitFor(() => recording.events.length === 1, 'the new sendpay');
  assert.equal(recording.events[0]!.type, 'sendpay_created');
  assert.deepEqual(Object.keys(source.status().indexes as object), ['sendpays/created']);
});

test('positions are saved only for what was accepted, and a restart goes on from them', async (t) => {
  const { node, state } = await setUp(t);
  for (let i = 1; i <= 5; i++) node.create('invoices', { label: `inv-${i}` });
  const options: ClnIndexOptions = { rpcPath: node.socketPath, from: 'start', state, topics: topics('invoice_created'), pageRows: 2 };
  const recording = recordingSink();
  let release!: () => void;
  recording.gate = new Promise((resolve) => (release = resolve));
  const source = new ClnIndexSource(options);
  await source.start(recording.sink);
  t.after(() => source.stop());
  const first = { source, recording };
  // A page (two rows) is handed on at once, so that the queue syncs it once.
  await waitFor(() => recording.pending === 2, 'the first page waiting to be accepted');
  assert.deepEqual(source.status().indexes, { 'invoices/created': 0 });
  release();
  await waitFor(() => first.recording.events.length === 5, 'all five');
  await first.source.stop();
  const saved = JSON.parse(readFileSync(path.join(state, 'sources', readdirName(state)), 'utf8')) as { positions: Record<string, number> };
  assert.deepEqual(saved.positions, { 'invoices/created': 5 });
  node.create('invoices', { label: 'inv-6' });
  const second = await startSource(t, options);
  await waitFor(() => second.recording.events.length === 1, 'only the new one');
  assert.equal(second.recording.events[0]!.id, 'invoices:created:6');
});

test('a row the store refuses in the middle of a page holds the position before it; the rows from it on come again, none is lost', async (t) => {
  const { node, state } = await setUp(t);
  for (let i = 1; i <= 3; i++) node.create('invoices', { label: `inv-${i}` });
  const recording = recordingSink();
  const accept = recording.sink.accept;
  let refusals = 0;
  const sink = {
    ...recording.sink,
    accept: async (event: HookEvent) => {
      if (event.id === 'invoices:created:2' && refusals++ === 0) throw new HookdError('E_STATE', 'cannot write queue: ENOSPC');
      return accept(event);
    },
  };
  const source = new ClnIndexSource({ rpcPath: node.socketPath, from: 'start', state, topics: topics('invoice_created') });
  await source.start(sink);
  t.after(() => source.stop());
  await waitFor(() => logged(recording, 'following invoices/created failed').length === 1, 'the refusal to be logged');
  assert.deepEqual(source.status().indexes, { 'invoices/created': 1 }, 'not past the refused row');
  await waitFor(() => (source.status().indexes as Record<string, number>)['invoices/created'] === 3, 'the retry to reach the last row');
  const ids = recording.events.map((event) => event.id);
  for (const value of [1, 2, 3]) assert.ok(ids.includes(`invoices:created:${value}`), `row ${value} accepted: ${ids.join(' ')}`);
  assert.equal(ids.filter((id) => id === 'invoices:created:1').length, 1, 'what was before the refusal is not handed on again');
});

function readdirName(state: string): string {
  const names = readdirSync(path.join(state, 'sources')).filter((name: string) => name.startsWith('cln-') && name.endsWith('.json'));
  assert.equal(names.length, 1);
  return names[0]!;
}

test('a node whose index is behind the saved position (another node, a restored database) is followed from its own value, with a warning', async (t) => {
  const { node, state } = await setUp(t);
  for (let i = 1; i <= 5; i++) node.create('invoices', { label: `inv-${i}` });
  const options: ClnIndexOptions = { rpcPath: node.socketPath, from: 'start', state, topics: topics('invoice_created') };
  const first = await startSource(t, options);
  await waitFor(() => first.recording.events.length === 5, 'all five');
  await first.source.stop();
  await node.stop();
  const fresh = new LightningRpcStandin({ socketPath: node.socketPath });
  await fresh.start();
  t.after(() => fresh.stop());
  fresh.create('invoices', { label: 'fresh-1' });
  const second = await startSource(t, options);
  await waitFor(() => logged(second.recording, 'is behind the saved position').length === 1, 'the warning');
  fresh.create('invoices', { label: 'fresh-2' });
  await waitFor(() => second.recording.events.length === 1, 'the new invoice');
  assert.equal(second.recording.events[0]!.id, 'invoices:created:2');
});

test('a pair dropped by a reload and followed again starts at once, not at the node\'s next change', async (t) => {
  const { node } = await setUp(t);
  const { recording, source } = await startSource(t, { rpcPath: node.socketPath, from: 'now', state: false, topics: topics('invoice_created') });
  await waitFor(() => logged(recording, 'following invoices/created after').length === 1, 'followed');
  await waitFor(() => node.requests.filter((r) => r.method === 'wait').length >= 2, 'the follower waiting');
  source.follow([]);
  source.follow(topics('invoice_created'));
  await waitFor(() => logged(recording, 'following invoices/created after').length === 2, 'followed again without a change on the node');
  node.create('invoices', { label: 'after' });
  await waitFor(() => recording.events.length === 1, 'the new invoice, once');
  assert.equal(recording.events[0]!.id, 'invoices:created:1');
});
