// Plugin mode as a real lightningd starts it: with its own arguments
// (--developer in developer mode, --dev-debug-self when debugging the plugin),
// and with a `cln` source that finds the node's socket from init.
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { test, type TestContext } from 'node:test';
import { ExactNumber } from '../src/json.ts';
import { ClnDriver } from './cln-driver.ts';
import { readRecords, RECORD_SCRIPT, recordCount } from './cln-records.ts';
import { LightningRpcStandin } from './cln-rpc-standin.ts';
import { tempDir, waitFor, writeConfig } from './helpers.ts';

function startPlugin(t: TestContext, args: string[], sources = ''): { driver: ClnDriver; records: string; dir: string } {
  const dir = tempDir(t, 'hookd-cln-');
  const records = path.join(dir, 'records');
  mkdirSync(records);
  const config = writeConfig(dir, `${sources}hooks:\n  - name: paid\n    on: [invoice_payment, invoice_updated]\n    run: ${RECORD_SCRIPT}\n`, 'hookd.config.yaml');
  const driver = new ClnDriver(t, { lightningDir: dir, args, env: { HOOKD_CONFIG: config, RECORD_DIR: records } });
  return { driver, records, dir };
}

for (const args of [['--developer'], ['--dev-debug-self'], ['--developer', '--dev-debug-self']]) {
  test(`plugin mode started with ${args.join(' ')} answers the manifest and init, and runs hooks`, async (t) => {
    const { driver, records } = startPlugin(t, args);
    await driver.start();
    driver.notify('invoice_payment', { invoice_payment: { label: 'a', preimage: '00'.repeat(32), msat: 1000 } });
    await waitFor(() => recordCount(records) === 1, 'the hook run');
    assert.deepEqual(await driver.shutdown(), { code: 0, signal: null });
    assert.doesNotMatch(driver.stderr, /Unknown option|unknown/i);
    assert.equal(driver.logs().filter((line) => /ignoring command-line arguments/.test(line.message)).length, 0);
    driver.assertCleanStdout();
  });
}

test('plugin mode ignores arguments it does not know, with one log line, and never exits on them', async (t) => {
  const { driver } = startPlugin(t, ['--developer', '--some-future-flag', 'hookd-config=/nowhere']);
  await driver.start();
  const line = await driver.waitForLog(/ignoring command-line arguments/);
  assert.match(line.message, /--some-future-flag hookd-config=\/nowhere$/);
  assert.equal(line.level, 'warn');
  assert.equal(driver.logs().filter((entry) => /ignoring command-line arguments/.test(entry.message)).length, 1);
  assert.deepEqual(await driver.shutdown(), { code: 0, signal: null });
  driver.assertCleanStdout();
});

test('in plugin mode `- cln: {}` follows the node\'s own socket from init (lightning-dir + rpc-file)', async (t) => {
  const { driver, records, dir } = startPlugin(t, ['--developer'], 'sources:\n  - cln: { from: start }\nstate: ./state\n');
  const node = new LightningRpcStandin({ socketPath: path.join(dir, 'regtest', 'lightning-rpc') });
  await node.start();
  t.after(() => node.stop());
  node.create('invoices', { label: 'before-start', status: 'unpaid', amount_msat: 5000 });
  node.update('invoices', 1, { status: 'paid' });
  const manifest = await driver.start();
  // invoice_updated comes from the cln source: no such notification is asked
  // for (shutdown is always: hookd finishes its work when lightningd stops it).
  assert.deepEqual(manifest.subscriptions, ['invoice_payment', 'shutdown']);
  await waitFor(() => recordCount(records) === 1, 'the payment made before the plugin started');
  node.create('invoices', { label: 'live', status: 'unpaid' });
  node.update('invoices', 2, { status: 'paid', amount_received_msat: new ExactNumber('18446744073709551615') });
  await waitFor(() => recordCount(records) === 2, 'the live payment');
  const [first, second] = readRecords(records);
  assert.equal(first!.env.HOOKD_SOURCE, 'cln');
  assert.equal(first!.env.HOOKD_TYPE, 'invoice_updated');
  assert.equal(first!.env.HOOKD_ID, 'invoices:updated:1');
  assert.equal(second!.env.HOOKD_ID, 'invoices:updated:2');
  assert.match(second!.stdin, /"amount_received_msat":18446744073709551615[,}]/);
  assert.deepEqual(await driver.shutdown(), { code: 0, signal: null });
  driver.assertCleanStdout();
});
