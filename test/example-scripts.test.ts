// The scripts of hooks.example/ as shipped: shellcheck-clean, stopping at the
// first failing command, and doing their job (or failing loudly) on sample
// events. bitcoin-cli is a stand-in that answers with real replies.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { startDaemon, talk } from './daemon-helpers.ts';
import { FIXTURES, ROOT, runHookd, tempDir, waitFor } from './helpers.ts';
import { hasCommand, skipUnlessCi } from './system-tools.ts';

const EXAMPLES = path.join(ROOT, 'hooks.example');
const STAND_INS = path.join(FIXTURES, 'bitcoind');
const BLOCK_HASH = '667d9d0143b07a68d99abce4a491042ac5d99c67339461a61c600b915b7c322c';
const TXID = '1f9f7a2d39e1e2a2b0c7c6d8e5b4a39281706f5e4d3c2b1a09f8e7d6c5b4a392';

// Every executable file under hooks.example/ (the example scripts).
function exampleScripts(dir = EXAMPLES): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const file = path.join(dir, entry.name);
    if (entry.isDirectory()) return exampleScripts(file);
    return entry.isFile() && (statSync(file).mode & 0o111) !== 0 ? [file] : [];
  });
}

// hooks.example/bitcoind copied into `dir`, its transaction folder moved there too.
function bitcoindExample(dir: string): { config: string; txDir: string } {
  cpSync(path.join(EXAMPLES, 'bitcoind'), dir, { recursive: true });
  const config = path.join(dir, 'hookd.yaml');
  const txDir = path.join(dir, 'tx');
  writeFileSync(config, readFileSync(config, 'utf8').replace('/var/lib/shop/tx', txDir).replace('/run/hookd/hookd.sock', './hookd.sock'));
  return { config, txDir };
}

// PATH with the bitcoin-cli stand-in first.
const STAND_IN_PATH = `${STAND_INS}${path.delimiter}${process.env.PATH ?? ''}`;

test('every example script is shellcheck-clean', (t) => {
  if (!hasCommand('shellcheck')) return skipUnlessCi(t, 'shellcheck is not installed (Debian package shellcheck)');
  const scripts = exampleScripts();
  assert.ok(scripts.length >= 9, `found only ${scripts.join(', ')}`);
  const checked = spawnSync('shellcheck', ['--shell=sh', '--severity=style', ...scripts], { encoding: 'utf8' });
  assert.equal(checked.status, 0, checked.stdout + checked.stderr);
});

test('every example script stops at the first failing command and at an unset variable (set -eu)', () => {
  for (const script of exampleScripts()) {
    assert.match(readFileSync(script, 'utf8'), /^set -eu$/m, `${path.relative(ROOT, script)} lacks "set -eu"`);
  }
});

test("new-block.sh prints the block's height, and fails (not an empty height) when bitcoin-cli fails", async (t) => {
  const dir = tempDir(t);
  const { config } = bitcoindExample(dir);
  const event = JSON.stringify({ type: 'block', hash: BLOCK_HASH });

  const ok = await runHookd(['test', '--json', '-c', config, '-'], { input: event, env: { PATH: STAND_IN_PATH } });
  assert.equal(ok.code, 0, ok.stderr);
  const run = JSON.parse(ok.stdout).events[0].hooks[0].result;
  assert.equal(run.stdout, `block 5 ${BLOCK_HASH}\n`);

  const failing = await runHookd(['test', '--json', '-c', config, '-'], { input: event, env: { PATH: STAND_IN_PATH, BITCOIN_CLI_FAIL: '1' } });
  assert.equal(failing.code, 1, 'the hook fails');
  const failed = JSON.parse(failing.stdout).events[0].hooks[0].result;
  assert.equal(failed.outcome, 'exit 1');
  assert.equal(failed.stdout, '');
  assert.match(failed.stderr, /Could not locate RPC credentials/);

  const odd = await runHookd(['test', '--json', '-c', config, '-'], { input: JSON.stringify({ type: 'block', hash: '$(reboot)' }), env: { PATH: STAND_IN_PATH } });
  assert.equal(odd.code, 1);
  assert.match(JSON.parse(odd.stdout).events[0].hooks[0].result.stderr, /not a block hash/);
});

test('wallet-tx.sh writes one whole file per notification, even for runs that overlap, and none when bitcoin-cli fails', async (t) => {
  const dir = tempDir(t);
  const { config, txDir } = bitcoindExample(dir);
  const expected = readFileSync(path.join(STAND_INS, 'gettransaction.json'), 'utf8');
  const log = path.join(dir, 'bitcoin-cli.log');
  // The daemon runs with the stand-in in PATH (hooks inherit its environment).
  const inherited = process.env.PATH;
  process.env.PATH = STAND_IN_PATH;
  process.env.BITCOIN_CLI_LOG = log;
  t.after(() => {
    process.env.PATH = inherited;
    delete process.env.BITCOIN_CLI_LOG;
  });
  await startDaemon(t, dir, readFileSync(config, 'utf8'));
  const notifications = Array.from({ length: 8 }, () => JSON.stringify({ type: 'tx', txid: TXID, wallet: 'shop wallet' }));
  await talk(path.join(dir, 'hookd.sock'), notifications);

  const files = await waitFor(() => {
    // The first run makes the folder.
    if (!existsSync(txDir)) return undefined;
    const names = readdirSync(txDir).filter((name) => name.endsWith('.json'));
    return names.length === 8 ? names : undefined;
  }, '8 transaction files');
  for (const name of files) {
    assert.match(name, new RegExp(`^${TXID}\\.[0-9A-Z]{26}\\.json$`));
    assert.equal(readFileSync(path.join(txDir, name), 'utf8'), expected, name);
  }
  assert.deepEqual(readdirSync(txDir).filter((name) => name.startsWith('.')), [], 'no temporary file is left');
  assert.match(readFileSync(log, 'utf8'), /-rpcwallet=shop wallet gettransaction 1f9f/);

  const failing = await runHookd(['test', '-c', config, '-'], {
    input: JSON.stringify({ type: 'tx', txid: TXID, wallet: 'w' }),
    env: { PATH: STAND_IN_PATH, BITCOIN_CLI_FAIL: '1' },
  });
  assert.equal(failing.code, 1, failing.stdout);
  assert.equal(readdirSync(txDir).length, 8, 'neither a file nor a temporary one from the failed run');
});

test('htlc-cap.sh compares amounts up to 2^64 exactly, and fails on an amount that is no number', () => {
  const script = path.join(EXAMPLES, 'cln', 'hooks', 'htlc-cap.sh');
  const reply = (amount: string, max = '1000000000'): { status: number | null; stdout: string } =>
    spawnSync(script, [], { env: { PATH: '/usr/bin:/bin', EVENT_HTLC_AMOUNT_MSAT: amount, MAX_MSAT: max }, encoding: 'utf8' });
  const FAIL = '{"result":"fail","failure_message":"2002"}\n';
  assert.deepEqual([reply('999999999'), reply('1000000000'), reply('1000000001'), reply('18446744073709551615')].map((run) => run.stdout), ['', '', FAIL, FAIL]);
  assert.equal(reply('18446744073709551615', '18446744073709551614').stdout, FAIL);
  assert.equal(reply('18446744073709551614', '18446744073709551615').stdout, '');
  const notANumber = reply('1e12');
  assert.equal(notANumber.status, 1);
  assert.equal(notANumber.stdout, '', 'no reply: hookd answers the fallback');
});

test('peer-allowlist.sh fails (so the fallback answers) when its list cannot be read, instead of refusing everyone', (t) => {
  const dir = tempDir(t);
  const script = path.join(EXAMPLES, 'cln', 'hooks', 'peer-allowlist.sh');
  const run = spawnSync(script, [], { env: { PATH: '/usr/bin:/bin', ALLOWLIST: path.join(dir, 'missing.allow'), EVENT_DIRECTION: 'in', EVENT_ID: '02aa' }, encoding: 'utf8' });
  assert.equal(run.status, 1);
  assert.equal(run.stdout, '');
  assert.match(run.stderr, /cannot read the allow-list .*missing\.allow/);
});
