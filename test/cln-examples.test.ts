// hooks.example/cln works as shipped: the config validates, and its scripts
// answer and record as documented when lightningd drives the plugin.
import assert from 'node:assert/strict';
import { cpSync, existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, test } from 'node:test';
import { parseJson, type JsonObject } from '../src/json.ts';
import { ClnDriver } from './cln-driver.ts';
import { FIXTURES, ROOT, runHookd, tempDir, waitFor } from './helpers.ts';

const EXAMPLE = path.join(ROOT, 'hooks.example', 'cln');
const HOOKS = parseJson(readFileSync(path.join(FIXTURES, 'cln', 'hooks.json'), 'utf8')) as Record<string, JsonObject>;
const NOTIFICATIONS = parseJson(readFileSync(path.join(FIXTURES, 'cln', 'notifications.json'), 'utf8')) as Record<string, JsonObject>;

// Each test has its own folder and hookd: they run side by side.
describe('hooks.example/cln', { concurrency: 2 }, () => {
  test('the example plugin config validates', async () => {
    const result = await runHookd(['validate', '-c', path.join(EXAMPLE, 'hookd.yaml')]);
    assert.equal(result.code, 0, result.stderr);
  });

  test('the example scripts cap HTLCs, keep strangers out, log forwards and announce payments', async (t) => {
    const dir = tempDir(t, 'hookd-example-');
    cpSync(EXAMPLE, path.join(dir, 'cln'), { recursive: true });
    // This machine may be slow: give the decision scripts time enough.
    const config = path.join(dir, 'cln', 'hookd.yaml');
    writeFileSync(config, readFileSync(config, 'utf8').replace(/^( {4}decide: true\n)/gm, '$1    timeout: 30s\n').replace(/^ {4}timeout: 2s\n/gm, ''));
    const driver = new ClnDriver(t, { lightningDir: dir, env: { HOOKD_CONFIG: path.join(dir, 'cln', 'hookd.yaml'), PATH: '/usr/bin:/bin' } });
    const manifest = await driver.start();
    assert.deepEqual(manifest.hooks, [{ name: 'htlc_accepted' }, { name: 'peer_connected' }]);
    assert.deepEqual(manifest.subscriptions, ['channel_opened', 'forward_event', 'invoice_payment']);

    const htlc = (amount: number): JsonObject => ({ ...HOOKS.htlc_accepted!.request as JsonObject, htlc: { ...((HOOKS.htlc_accepted!.request as JsonObject).htlc as JsonObject), amount_msat: amount } });
    assert.deepEqual(await driver.hook('htlc_accepted', htlc(1000)), { result: 'continue' });
    assert.deepEqual(await driver.hook('htlc_accepted', htlc(2_000_000_000)), { result: 'fail', failure_message: '2002' });

    const peer = (id: string, direction: string): JsonObject => ({ peer: { id, direction, addr: '127.0.0.1:9735', features: '' } });
    const stranger = '03864ef025fde8fb587d989186ce6a4a186895ee44a926bfc370e2c366597a3f8f';
    const friend = '022d223620a359a47ff7f7ac447c85c46c923da53389221a0054c11c1e3ca31d59';
    assert.deepEqual(await driver.hook('peer_connected', peer(stranger, 'in')), { result: 'disconnect', error_message: 'not on the allow-list' });
    assert.deepEqual(await driver.hook('peer_connected', peer(friend, 'in')), { result: 'continue' });
    assert.deepEqual(await driver.hook('peer_connected', peer(stranger, 'out')), { result: 'continue' });

    driver.send(NOTIFICATIONS['forward_event.settled']!);
    driver.send(NOTIFICATIONS['forward_event.offered']!);
    driver.send(NOTIFICATIONS.invoice_payment!);
    driver.send(NOTIFICATIONS.channel_opened!);
    await driver.waitForLog(/^Invoice unique-label-for-invoice paid: 10 sat/);
    await driver.waitForLog(/^backed up after channel 4a5e1e4b/);
    const csv = path.join(dir, 'cln', 'hooks', 'forwards.csv');
    await waitFor(() => existsSync(csv) && readFileSync(csv, 'utf8').split('\n').length >= 3, 'the CSV line');
    const lines = readFileSync(csv, 'utf8').trim().split('\n');
    assert.equal(lines.length, 2, 'the offered update is filtered out');
    assert.match(lines[1]!, /^1560696342\.368,settled,103x2x1,103x1x1,100001001,100000000,1001,f5a6/);
    // No lightning-cli here: the backup keeps what it can (emergency.recover when present).
    assert.ok(existsSync(path.join(dir, 'cln', 'hooks', 'backups')));
    assert.deepEqual(readdirSync(path.join(dir, 'cln', 'hooks', 'backups')), []);
    driver.assertCleanStdout();
  });
});
