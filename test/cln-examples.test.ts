// hooks.example/cln works as shipped: the config validates, and its scripts
// answer and record as documented when lightningd drives the plugin.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, test } from 'node:test';
import { parseJson, type JsonObject } from '../src/json.ts';
import { ClnDriver } from './cln-driver.ts';
import { FIXTURES, ROOT, runHookd, tempDir, waitFor } from './helpers.ts';

const EXAMPLE = path.join(ROOT, 'hooks.example', 'cln');
const HOOKS = parseJson(readFileSync(path.join(FIXTURES, 'cln', 'hooks.json'), 'utf8')) as Record<string, JsonObject>;
const NOTIFICATIONS = parseJson(readFileSync(path.join(FIXTURES, 'cln', 'notifications.json'), 'utf8')) as Record<string, JsonObject>;

// A real channel_state_changed (lightningd v26.06.6, the funder's side).
const USABLE_CHANNEL: JsonObject = {
  peer_id: '032883f21897d9394fa6fb507232ac6821c8f960444d48b422f09f2d046640aee1',
  channel_id: '5370525314a7700952c2e294117ddfc29f7c520a3cea334bdf5b93b0ae6651c4',
  short_channel_id: '109x1x0',
  timestamp: '2026-11-24T05:25:44.502Z',
  old_state: 'CHANNELD_AWAITING_LOCKIN',
  new_state: 'CHANNELD_NORMAL',
  cause: 'user',
  message: 'Lockin complete',
};
// The id in test/fixtures/cln/getinfo.json.
const NODE_ID = '03b73cbaf6f62bb35a14c0286c9762e7c08a12e383116d20a42af185c6259a8ff0';

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
    const cliLog = path.join(dir, 'lightning-cli.log');
    // lightning-cli is a stand-in (test/fixtures/cln/lightning-cli) answering with real replies.
    const env = { HOOKD_CONFIG: path.join(dir, 'cln', 'hookd.yaml'), PATH: `${path.join(FIXTURES, 'cln')}:/usr/bin:/bin`, LIGHTNING_CLI_LOG: cliLog };
    const driver = new ClnDriver(t, { lightningDir: dir, env });
    const manifest = await driver.start();
    assert.deepEqual(manifest.hooks, [{ name: 'htlc_accepted' }, { name: 'peer_connected' }]);
    assert.deepEqual(manifest.subscriptions, ['channel_state_changed', 'forward_event', 'invoice_payment', 'shutdown']);

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
    // Closing is no reason for a backup; a channel becoming usable is, on either side.
    driver.send(NOTIFICATIONS.channel_state_changed!);
    writeFileSync(path.join(driver.networkDir, 'emergency.recover'), 'recover-bytes');
    driver.notify('channel_state_changed', { channel_state_changed: USABLE_CHANNEL });
    await driver.waitForLog(/^Invoice unique-label-for-invoice paid: 10 sat/);
    const backedUp = await driver.waitForLog(/^backed up after channel 109x1x0 became usable, into /);
    const csv = path.join(driver.networkDir, 'hookd-forwards.csv');
    await waitFor(() => existsSync(csv) && readFileSync(csv, 'utf8').split('\n').length >= 3, 'the CSV line');
    const lines = readFileSync(csv, 'utf8').trim().split('\n');
    assert.equal(lines.length, 2, 'the offered update is filtered out');
    assert.match(lines[1]!, /^1560696342\.368,settled,103x2x1,103x1x1,100001001,100000000,1001,f5a6/);
    // Into a folder of this node's own (its id from getinfo), private, whole files only.
    const backups = path.join(driver.networkDir, 'hookd-backups', NODE_ID);
    assert.match(backedUp.message, new RegExp(`into ${backups} hook=backup `));
    const saved = readdirSync(backups).sort();
    assert.equal(saved.length, 2, saved.join(', '));
    assert.match(saved[0]!, /^emergency\.recover-\d{8}T\d{6}Z-[0-9A-Z]{26}$/);
    assert.match(saved[1]!, /^scb-\d{8}T\d{6}Z-[0-9A-Z]{26}\.json$/);
    assert.equal(readFileSync(path.join(backups, saved[0]!), 'utf8'), 'recover-bytes');
    assert.match(readFileSync(path.join(backups, saved[1]!), 'utf8'), /"scb": \[/);
    for (const file of saved) assert.equal(statSync(path.join(backups, file)).mode & 0o777, 0o600, file);
    assert.equal(statSync(backups).mode & 0o777, 0o700);
    assert.equal(readFileSync(cliLog, 'utf8').match(/ staticbackup$/gm)?.length, 1, 'one backup: the closing channel made none');
    driver.assertCleanStdout();
  });

  test('channel-backup.sh fails loudly when lightning-cli fails or rpc_env is off, and leaves no file', async (t) => {
    const dir = tempDir(t, 'hookd-example-');
    const script = path.join(EXAMPLE, 'hooks', 'channel-backup.sh');
    const base = { PATH: `${path.join(FIXTURES, 'cln')}:/usr/bin:/bin`, HOOKD_ID: '01JD8Z6ZV1T1R9W3A7M0Q2K4XE', LIGHTNING_RPC: path.join(dir, 'lightning-rpc'), LIGHTNING_DIR: dir };
    const failing = spawnSync(script, [], { env: { ...base, LIGHTNING_CLI_FAIL: '1' }, encoding: 'utf8' });
    assert.equal(failing.status, 1);
    assert.match(failing.stderr, /Connecting to 'lightning-rpc'/);
    const noRpc = spawnSync(script, [], { env: { ...base, LIGHTNING_RPC: undefined }, encoding: 'utf8' });
    assert.equal(noRpc.status, 2);
    assert.match(noRpc.stderr, /LIGHTNING_RPC: is not set: add rpc_env: true to the hookd config/);
    assert.deepEqual(readdirSync(dir), []);
  });
});
