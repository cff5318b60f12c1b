// The built hookd with a `cln` source, end to end, against the lightning-rpc
// stand-in: catch-up after hookd was stopped, a crash between accept and
// save, from now vs from start on a node with 10^4 rows, lightningd going
// away and back, a reload that adds a subsystem, an old node without htlcs.
import assert from 'node:assert/strict';
import { copyFileSync, existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { test, type TestContext } from 'node:test';
import type { JsonObject } from '../src/json.ts';
import { LightningRpcStandin, type StandinOptions } from './cln-rpc-standin.ts';
import { linesOf, startDaemon, stopHookd, waitForLines, waitForLog } from './daemon-helpers.ts';
import { exitWithin, runHookd, tempDir, waitFor, writeConfig, writeScript } from './helpers.ts';
import { peakRssKiB } from './processes.ts';

interface Setup {
  readonly dir: string;
  readonly node: LightningRpcStandin;
  readonly out: string;
  readonly yaml: (hooks: string, from?: string) => string;
}

// A node, a hook script that records "$HOOKD_TYPE $HOOKD_ID $EVENT_STATUS",
// and a config maker: a cln source on the node plus a socket for status.
async function setUp(t: TestContext, node: Partial<StandinOptions> = {}): Promise<Setup> {
  const dir = tempDir(t);
  const standin = new LightningRpcStandin({ socketPath: path.join(dir, 'lightning-rpc'), ...node });
  await standin.start();
  t.after(() => standin.stop());
  const out = path.join(dir, 'out.txt');
  writeScript(dir, 'record.sh', `printf '%s %s %s %s\\n' "$HOOKD_SOURCE" "$HOOKD_TYPE" "$HOOKD_ID" "$EVENT_STATUS" >> '${out}'`);
  const yaml = (hooks: string, from = 'start'): string =>
    `sources:\n  - cln:\n      rpc: ./lightning-rpc\n      from: ${from}\n  - socket: ./hookd.sock\nstate: ./state\nhooks:\n${hooks}`;
  return { dir, node: standin, out, yaml };
}

const hook = (name: string, on: string, where = ''): string => `  - name: ${name}\n    on: ${on}\n    run: ./record.sh\n${where}`;
const PAID = hook('paid', 'invoice_updated', '    where: { status: paid }\n');

function invoice(node: LightningRpcStandin, label: string): number {
  return node.create('invoices', { label, status: 'unpaid', amount_msat: 1000, description: `for ${label}` });
}

test('catch-up: every invoice paid and forward settled while hookd was stopped runs once, in index order', async (t) => {
  const { dir, node, out, yaml } = await setUp(t);
  const config = yaml(PAID + hook('settled', 'forward_updated', '    where: { status: settled }\n'));
  for (let i = 1; i <= 3; i++) invoice(node, `inv-${i}`);
  const first = await startDaemon(t, dir, config);
  node.update('invoices', 1, { status: 'paid', paid_at: 1 });
  await waitForLines(out, 1);
  assert.equal(await stopHookd(first.hookd), 0, first.hookd.stderr());
  // While hookd is stopped: two more paid (one of them updated twice), a
  // forward offered then settled, one expired (not matched).
  node.update('invoices', 2, { status: 'paid' });
  node.update('invoices', 3, { status: 'expired' });
  invoice(node, 'inv-4');
  node.update('invoices', 4, { status: 'paid' });
  node.update('invoices', 4, { description: 'edited after payment' });
  const forward = node.create('forwards', { status: 'offered', in_channel: '103x1x0', in_htlc_id: 1, in_msat: 1001, out_channel: '103x2x0' });
  node.update('forwards', forward, { status: 'settled', out_msat: 1000, fee_msat: 1 });
  await startDaemon(t, dir, config);
  await waitForLines(out, 4);
  // Each pair in its own index order (the two pairs may interleave).
  const lines = linesOf(out);
  assert.deepEqual(lines.filter((line) => line.includes('invoice')), [
    'cln invoice_updated invoices:updated:1 paid',
    'cln invoice_updated invoices:updated:2 paid',
    'cln invoice_updated invoices:updated:5 paid',
  ]);
  assert.deepEqual(lines.filter((line) => line.includes('forward')), ['cln forward_updated forwards:updated:1 settled']);
});

test('a crash between accept and save repeats what was not saved and skips nothing', async (t) => {
  const { dir, node, out, yaml } = await setUp(t);
  const config = yaml(hook('created', 'invoice_created'));
  for (let i = 1; i <= 5; i++) invoice(node, `inv-${i}`);
  const { hookd } = await startDaemon(t, dir, config);
  await waitForLines(out, 5);
  // The positions file appears with the first save (they are saved a moment after acceptance).
  const positions = await waitFor(() => {
    const name = existsSync(path.join(dir, 'state', 'sources')) ? readdirSync(path.join(dir, 'state', 'sources')).find((entry) => entry.startsWith('cln-') && entry.endsWith('.json')) : undefined;
    return name === undefined ? undefined : path.join(dir, 'state', 'sources', name);
  }, 'the saved positions');
  await waitFor(() => JSON.stringify(readJson(positions).positions) === '{"invoices/created":5}', 'position 5 saved');
  const saved = `${positions}.at-5`;
  copyFileSync(positions, saved);
  for (let i = 6; i <= 8; i++) invoice(node, `inv-${i}`);
  await waitForLines(out, 8);
  hookd.child.kill('SIGKILL');
  await exitWithin(hookd);
  // The crash came after 6..8 were accepted and run, before their position was written.
  copyFileSync(saved, positions);
  invoice(node, 'inv-9');
  await startDaemon(t, dir, config);
  await waitFor(() => linesOf(out).some((line) => line.includes('invoices:created:9 ')), 'the new invoice', 30_000);
  const ids = linesOf(out).map((line) => line.split(' ')[2]!);
  assert.deepEqual(ids.slice(0, 8), [1, 2, 3, 4, 5, 6, 7, 8].map((n) => `invoices:created:${n}`));
  // Nothing skipped; repeated from the saved position, in order, then the
  // new one. (The queue may also run again a run it had not marked done.)
  assert.deepEqual(new Set(ids), new Set([1, 2, 3, 4, 5, 6, 7, 8, 9].map((n) => `invoices:created:${n}`)));
  assert.deepEqual(ids.slice(-4), ['invoices:created:6', 'invoices:created:7', 'invoices:created:8', 'invoices:created:9']);
});

function readJson(file: string): JsonObject {
  return JSON.parse(readFileSync(file, 'utf8')) as JsonObject;
}

const ROWS = 10_000;

test('from now skips a node\'s 10^4 old rows; from start walks them all in pages, memory bounded', async (t) => {
  const { dir, node, out, yaml } = await setUp(t);
  const description = 'x'.repeat(1000);
  node.createMany('invoices', ROWS, (i) => ({ label: `inv-${i}`, status: 'unpaid', amount_msat: i, description }));
  // Only the last row and new ones run the hook; every row is still an event.
  const lastOrNew = hook('last', 'invoice_created', `    where: { amount_msat: { gte: ${ROWS} } }\n`);
  const now = await startDaemon(t, path.join(dir), yaml(lastOrNew, 'now'));
  await waitForLog(now.hookd, 'following invoices/created after 10000');
  node.create('invoices', { label: 'new', status: 'unpaid', amount_msat: ROWS + 1 });
  await waitForLines(out, 1);
  assert.equal(linesOf(out)[0], `cln invoice_created invoices:created:${ROWS + 1} unpaid`);
  assert.equal(await stopHookd(now.hookd), 0);

  const other = tempDir(t);
  copyFileSync(path.join(dir, 'record.sh'), path.join(other, 'record.sh'));
  const listsBefore = node.requests.length;
  // With the durable queue: a page of rows is stored with one fsync.
  const start = await startDaemon(t, other, yaml(lastOrNew, 'start').replace('./lightning-rpc', node.socketPath));
  await waitFor(() => linesOf(out).length >= 3, 'the last old row and the new one', 60_000);
  const peak = peakRssKiB(start.hookd.child.pid!);
  const lists = node.requests.slice(listsBefore).filter((request) => request.method === 'listinvoices').map((request) => request.params as JsonObject);
  // Never the whole table: every call asks for a page, each from where the last ended.
  assert.ok(lists.length >= ROWS / 200, `${lists.length} pages`);
  for (const params of lists) assert.ok(typeof params.limit === 'number' && params.limit <= 200, `limit ${String(params.limit)}`);
  const starts = lists.map((params) => params.start as number);
  assert.deepEqual(starts, [...starts].sort((a, b) => a - b));
  assert.ok(peak < 250 * 1024, `peak RSS ${peak} KiB`);
  assert.equal(await stopHookd(start.hookd), 0);
});

test('lightningd going away and back: one log line each, then the payments made meanwhile', async (t) => {
  const { dir, node, out, yaml } = await setUp(t);
  invoice(node, 'a');
  const { hookd } = await startDaemon(t, dir, yaml(PAID));
  await waitForLog(hookd, 'following invoices/updated');
  await node.stop();
  await waitForLog(hookd, 'lost the connection to lightningd');
  node.update('invoices', 1, { status: 'paid' });
  await node.start();
  await waitForLines(out, 1);
  await waitForLog(hookd, 'lightningd is back');
  const count = (text: string) => hookd.logs().filter((entry) => String(entry.msg).includes(text)).length;
  assert.equal(count('lost the connection'), 1);
  assert.equal(count('lightningd is back'), 1);
});

test('a reload that adds a hook on a new subsystem follows it as from says, and status shows it', async (t) => {
  const { dir, node, out, yaml } = await setUp(t);
  node.create('sendpays', { status: 'complete', payment_hash: '00' });
  const { hookd } = await startDaemon(t, dir, yaml(PAID));
  await waitForLog(hookd, 'following invoices/updated');
  writeConfig(dir, yaml(PAID + hook('sent', 'sendpay_*')));
  hookd.child.kill('SIGHUP');
  await waitForLog(hookd, 'config reloaded');
  await waitForLog(hookd, 'following sendpays/created');
  await waitForLog(hookd, 'following sendpays/updated');
  await waitForLog(hookd, 'following sendpays/deleted');
  // Follows as `from` says for a new pair: start, so the old sendpay comes too.
  const sent = node.create('sendpays', { status: 'pending', payment_hash: '01' });
  node.update('sendpays', sent, { status: 'complete' });
  await waitForLines(out, 3);
  assert.deepEqual(linesOf(out).sort(), ['cln sendpay_created sendpays:created:1 complete', 'cln sendpay_created sendpays:created:2 complete', 'cln sendpay_updated sendpays:updated:1 complete']);
  const status = JSON.parse((await runHookd(['status', '--socket', path.join(dir, 'hookd.sock'), '--json'])).stdout) as { sources: JsonObject[] };
  const cln = status.sources.find((source) => source.kind === 'cln')!;
  assert.deepEqual(Object.keys(cln.indexes as JsonObject), ['invoices/updated', 'sendpays/created', 'sendpays/updated', 'sendpays/deleted']);
  assert.equal((cln.indexes as JsonObject)['sendpays/created'], 2);
});

test('an old node without htlcs: htlc pairs are skipped with one line naming the release, the rest works', async (t) => {
  const { dir, node, out, yaml } = await setUp(t, { version: 'v24.11', omit: ['htlcs', 'chainmoves', 'channelmoves', 'networkevents'] });
  const { hookd } = await startDaemon(t, dir, yaml(PAID + hook('htlcs', 'htlc_*')));
  const skipped = await waitForLog(hookd, 'skipping htlcs/created');
  assert.match(String(skipped.msg), /v25\.05/);
  invoice(node, 'a');
  node.update('invoices', 1, { status: 'paid' });
  await waitForLines(out, 1);
  const human = await runHookd(['status', '--socket', path.join(dir, 'hookd.sock')]);
  assert.match(human.stdout, /invoices\/updated/);
  assert.equal(hookd.logs().filter((entry) => String(entry.msg).startsWith('skipping htlcs/')).length, 3);
});
