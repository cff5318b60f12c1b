// The bitcoind source end to end: the built hookd follows the bitcoind
// stand-in and runs a hook per event; restarts of either side, reorgs, a
// crash between accept and save, mistakes in the config, status and samples.
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readdirSync, rmdirSync } from 'node:fs';
import path from 'node:path';
import { test, type TestContext } from 'node:test';
import { BitcoindStandin } from './bitcoind-standin.ts';
import { linesOf, startDaemon, stopHookd, waitForLines, waitForLog } from './daemon-helpers.ts';
import { runHookd, tempDir, waitFor, writeConfig, writeFile, writeScript } from './helpers.ts';

interface Setup {
  readonly dir: string;
  readonly node: BitcoindStandin;
  readonly out: string;
  // The config text for this node (`extra` goes under the bitcoind source).
  config(extra?: string): string;
}

async function setUp(t: TestContext): Promise<Setup> {
  const dir = tempDir(t);
  writeFile(dir, 'rpc.password', 'hunter2-rpc\n', 0o600);
  const node = new BitcoindStandin({ user: 'hookd', password: 'hunter2-rpc' });
  node.mine(5);
  node.addWallet('shop');
  await node.start();
  t.after(() => node.stop());
  const out = path.join(dir, 'out.txt');
  writeScript(dir, 'record.sh', `printf '%s %s %s %s\\n' "$HOOKD_SOURCE" "$HOOKD_TYPE" "$EVENT_HEIGHT" "$HOOKD_ID" >> '${out}'`);
  return {
    dir,
    node,
    out,
    config: (extra = '') => `state: ./state
sources:
  - bitcoind:
      url: ${node.url}
      user: hookd
      password_file: ./rpc.password
      poll: 100ms
${extra.replace(/^/gm, '      ')}
  - socket: ./hookd.sock
hooks:
  - name: record
    on: ["block_*", wallet_tx]
    run: ./record.sh
`,
  };
}

// "type height" of each recorded line (ids aside).
const blocksOf = (lines: string[]): string[] => lines.map((line) => line.split(' ').slice(1, 3).join(' '));

test('hookd hands on each new block after the tip, with HOOKD_SOURCE=bitcoind and block:<hash> ids', async (t) => {
  const { dir, node, out, config } = await setUp(t);
  const { hookd } = await startDaemon(t, dir, config());
  await waitForLog(hookd, 'following bitcoind');
  node.mine(2);
  const lines = await waitForLines(out, 2);
  assert.deepEqual(lines, [6, 7].map((height) => `bitcoind block_connected ${height} block:${node.blockAt(height).hash}`));
});

test('after hookd was stopped for 10 blocks and a 3-block reorg, it disconnects from the top down and catches up', async (t) => {
  const { dir, node, out, config } = await setUp(t);
  const first = await startDaemon(t, dir, config('from: 3'));
  await waitForLines(out, 3);
  assert.equal(await stopHookd(first.hookd), 0);
  node.reorg(3, 3);
  node.mine(10);
  await startDaemon(t, dir, config('from: 3'));
  // 19 hook runs one after another: a loaded machine needs longer than waitFor's default.
  const lines = await waitFor(() => (linesOf(out).length >= 19 ? linesOf(out) : undefined), '19 runs', 60_000);
  assert.deepEqual(blocksOf(lines), [
    'block_connected 3', 'block_connected 4', 'block_connected 5',
    'block_disconnected 5', 'block_disconnected 4', 'block_disconnected 3',
    ...Array.from({ length: 13 }, (_, index) => `block_connected ${index + 3}`),
  ]);
});

test('a 3-block reorg while running', async (t) => {
  const { dir, node, out, config } = await setUp(t);
  const { hookd } = await startDaemon(t, dir, config());
  await waitForLog(hookd, 'following bitcoind');
  node.mine(3);
  await waitForLines(out, 3);
  node.reorg(3, 4);
  const lines = await waitForLines(out, 10);
  assert.deepEqual(blocksOf(lines.slice(3)), ['block_disconnected 8', 'block_disconnected 7', 'block_disconnected 6', 'block_connected 6', 'block_connected 7', 'block_connected 8', 'block_connected 9']);
});

test('a wallet transaction: in the mempool, mined, reorged out, each once', async (t) => {
  const { dir, node, out, config } = await setUp(t);
  writeScript(dir, 'record.sh', `printf '%s %s %s\\n' "$HOOKD_ID" "$EVENT_AMOUNT" "$EVENT_CONFIRMATIONS" >> '${out}'`);
  const { hookd } = await startDaemon(t, dir, config('wallets: [shop]').replace('"block_*", ', ''));
  await waitForLog(hookd, 'following bitcoind');
  const txid = node.sendToWallet('shop', [{ address: 'bcrt1qshop', category: 'receive', amount: '0.10000000', vout: 0 }]);
  await waitForLines(out, 1);
  const [B] = node.mine(1);
  await waitForLines(out, 2);
  node.reorg(1, 2, { includeMempool: false });
  const lines = await waitForLines(out, 3);
  const key = `shop:${txid}:0:receive`;
  assert.deepEqual(lines, [`${key}:mempool 0.10000000 0`, `${key}:${B!.hash} 0.10000000 1`, `${key}:${B!.hash}:removed 0.10000000 0`]);
});

test('bitcoind down and back, also at start: one line when lost, one when back, no block missed, no secret logged', async (t) => {
  const { dir, node, out, config } = await setUp(t);
  await node.stop();
  const { hookd } = await startDaemon(t, dir, config('from: 5'));
  await waitForLog(hookd, 'bitcoind is not reachable');
  await node.start();
  await waitForLog(hookd, 'bitcoind is back');
  await waitForLines(out, 1);
  await node.stop();
  await waitFor(() => hookd.logs().filter((entry) => String(entry.msg).includes('not reachable')).length === 2, 'the second lost line');
  node.mine(2);
  await node.start();
  await waitForLines(out, 3);
  await waitFor(() => hookd.logs().filter((entry) => String(entry.msg).includes('bitcoind is back')).length === 2, 'the second back line');
  assert.equal(hookd.logs().filter((entry) => String(entry.msg).includes('not reachable')).length, 2);
  assert.ok(!hookd.stderr().includes('hunter2') && !hookd.lines.join('\n').includes('hunter2'));
});

test('a crash between accept and save hands the events on again, never skips one', async (t) => {
  const { dir, node, out, config } = await setUp(t);
  const first = await startDaemon(t, dir, config());
  await waitForLog(first.hookd, 'following bitcoind');
  const sources = path.join(dir, 'state', 'sources');
  const file = await waitFor(() => existsSync(sources) && readdirSync(sources).find((name) => name.startsWith('bitcoind-') && name.endsWith('.json')), 'the saved position');
  // A folder where the temporary file goes: every save fails from now on.
  mkdirSync(path.join(sources, `${file}.tmp`));
  node.mine(2);
  await waitForLines(out, 2);
  await waitForLog(first.hookd, 'cannot follow bitcoind');
  first.hookd.child.kill('SIGKILL');
  await first.hookd.exited;
  rmdirSync(path.join(sources, `${file}.tmp`));
  await startDaemon(t, dir, config());
  // Blocks 6 and 7 again (the queue may also replay a run the kill cut short).
  const [six, seven] = await waitForLines(out, 2);
  await waitFor(() => linesOf(out).slice(2).includes(six!) && linesOf(out).slice(2).includes(seven!), 'blocks 6 and 7 handed on again');
  node.mine(1);
  const eight = `bitcoind block_connected 8 block:${node.blockAt(8).hash}`;
  await waitFor(() => linesOf(out).includes(eight), 'block 8');
  assert.deepEqual(new Set(linesOf(out)), new Set([six, seven, eight]));
});

test('mistakes are one line and exit 78 at start: refused password, unknown wallet, bad URL, unreadable cookie', async (t) => {
  const { dir, node, config } = await setUp(t);
  const cases: [string, RegExp][] = [
    [config().replace('password_file: ./rpc.password', 'password_file: ./wrong.password'), /refused the credentials/],
    [config('wallets: [nosuch]'), /no wallet "nosuch"/],
    [config().replace(node.url, 'http://127.0.0.1:notaport'), /hookd\.yaml:\d+.*url/],
    [config().replace(/user: hookd\n\s+password_file: \.\/rpc\.password/, `cookie: ${dir}`), /cookie file/],
  ];
  writeFile(dir, 'wrong.password', 'nope\n', 0o600);
  for (const [yaml, expected] of cases) {
    const file = writeConfig(dir, yaml);
    const result = await runHookd(['-c', file], { cwd: dir });
    assert.equal(result.code, 78, `${expected}: ${result.stderr}`);
    assert.match(result.stderr, expected);
    assert.equal(result.stderr.trim().split('\n').length, 1, result.stderr);
    assert.ok(!result.stderr.includes('hunter2') && !result.stderr.includes('nope'));
  }
});

test('hookd status shows the tip and each wallet\'s last block; nothing secret', async (t) => {
  const { dir, node, config } = await setUp(t);
  const { hookd, config: file } = await startDaemon(t, dir, config('wallets: [shop]'));
  await waitForLog(hookd, 'following bitcoind');
  const status = await runHookd(['status', '-c', file], { cwd: dir });
  assert.equal(status.code, 0, status.stderr);
  assert.match(status.stdout, new RegExp(`bitcoind.*tip=5 ${node.tip.hash}`));
  assert.match(status.stdout, new RegExp(`shop=${node.tip.hash}`));
  assert.ok(!status.stdout.includes('hunter2'));
});

test('hookd test --type block_connected, block_disconnected and wallet_tx use built-in samples', async (t) => {
  const { dir, config } = await setUp(t);
  const file = writeConfig(dir, config());
  const results = await Promise.all(['block_connected', 'block_disconnected', 'wallet_tx'].map(async (type) => ({ type, result: await runHookd(['test', '-c', file, '--dry-run', '--type', type], { cwd: dir }) })));
  for (const { type, result } of results) {
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stdout, /record/);
    assert.match(result.stdout, new RegExp(`HOOKD_TYPE=${type}`));
  }
  const wallet = results[2]!.result;
  assert.match(wallet.stdout, /EVENT_AMOUNT=0\.12345678/);
});

test('emit queues into the inbox while hookd is down; the next start delivers it once', async (t) => {
  const dir = tempDir(t);
  const out = path.join(dir, 'out.txt');
  writeScript(dir, 'record.sh', `printf '%s %s\\n' "$HOOKD_SOURCE" "$EVENT_HASH" >> '${out}'`);
  mkdirSync(path.join(dir, 'inbox'), { mode: 0o770 });
  const yaml = 'state: ./state\nsources:\n  - socket: ./hookd.sock\n  - inbox: ./inbox\nhooks:\n  - name: record\n    on: block\n    run: ./record.sh\n';
  const file = writeConfig(dir, yaml);
  const emitted = await runHookd(['emit', '-c', file, 'block', 'hash=00ab'], { cwd: dir });
  assert.equal(emitted.code, 0, emitted.stderr);
  assert.match(emitted.stderr, /queued/);
  assert.equal(emitted.stderr.trim().split('\n').length, 1);
  assert.equal(readdirSync(path.join(dir, 'inbox')).filter((name) => name.endsWith('.json')).length, 1);
  const refused = await runHookd(['emit', '-c', file, '--no-spool', 'block', 'hash=00cd'], { cwd: dir });
  assert.equal(refused.code, 69);
  const missing = await runHookd(['emit', '--socket', path.join(dir, 'hookd.sock'), '--spool', path.join(dir, 'nowhere'), 'block', 'hash=00ef'], { cwd: dir });
  assert.equal(missing.code, 69);
  assert.match(missing.stderr, /nowhere/);
  const bySpool = await runHookd(['emit', '--socket', path.join(dir, 'hookd.sock'), '--spool', path.join(dir, 'inbox'), 'block', 'hash=00ff'], { cwd: dir });
  assert.equal(bySpool.code, 0, bySpool.stderr);
  await startDaemon(t, dir, yaml);
  await waitForLines(out, 2);
  await waitFor(() => readdirSync(path.join(dir, 'inbox')).filter((name) => name.endsWith('.json')).length === 0, 'the inbox to be emptied');
  assert.deepEqual(linesOf(out).sort(), ['inbox 00ab', 'inbox 00ff']);
});

test('a reload whose bitcoind source is refused keeps it out; the running source goes on', async (t) => {
  const { dir, node, out, config } = await setUp(t);
  const { hookd } = await startDaemon(t, dir, config());
  await waitForLog(hookd, 'following bitcoind');
  writeConfig(dir, config('wallets: [nosuch]'));
  // The reload waits for the file to settle, loads and checks: slow on a loaded machine.
  const keptOut = await waitFor(() => hookd.logs().find((entry) => String(entry.msg).includes('source kept out of the reload')), 'the kept-out line', 45_000);
  assert.match(String(keptOut.msg), /hookd\.yaml:\d+: sources\[0\]\.bitcoind: .*no wallet "nosuch"/);
  node.mine(1);
  assert.deepEqual(await waitForLines(out, 1), [`bitcoind block_connected 6 block:${node.blockAt(6).hash}`]);
});
