// Plugin mode as deployed on a node: the config named in lightningd's own
// config or command line is found at getmanifest, so the documented snippet
// works without HOOKD_CONFIG.
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, test, type TestContext } from 'node:test';
import { ClnDriver } from './cln-driver.ts';
import { runHookd, tempDir, waitFor, writeConfig, writeScript } from './helpers.ts';

// A lightning-dir holding a hookd config with a decision hook (lightningd
// must register it at getmanifest) and a notification hook.
function nodeWithConfig(t: TestContext): { dir: string; config: string } {
  const dir = tempDir(t, 'hookd-cln-deploy-');
  const script = writeScript(dir, 'cap.sh', 'exit 0');
  const config = writeConfig(dir, `state: false\nhooks:\n  - name: cap\n    on: htlc_accepted\n    decide: true\n    run: ${script}\n  - name: paid\n    on: invoice_payment\n    run: ${script}\n`, 'cln.yaml');
  return { dir, config };
}

describe('plugin mode finds the config lightningd was given', { concurrency: 3 }, () => {
  test('hookd-config= in <lightning-dir>/config (the documented snippet) gives the manifest its decision hooks', async (t) => {
    const { dir, config } = nodeWithConfig(t);
    writeFileSync(path.join(dir, 'config'), `network=regtest\nplugin=/usr/bin/hookd\nhookd-config=${config}\n`);
    const driver = new ClnDriver(t, { lightningDir: dir, lightningdArgs: [`--lightning-dir=${dir}`] });
    const manifest = await driver.start({ 'hookd-config': config });
    assert.deepEqual(manifest.hooks, [{ name: 'htlc_accepted' }]);
    assert.deepEqual(manifest.subscriptions, ['invoice_payment', 'shutdown']);
    await driver.waitForLog(/^hookd plugin ready/);
    // `lightning-cli plugin stop hookd` sends shutdown (hookd always subscribes to it): one line says so.
    assert.deepEqual(await driver.shutdown(), { code: 0, signal: null });
    const stopping = driver.logs().filter((line) => /^hookd plugin stopping/.test(line.message));
    assert.equal(stopping.length, 1);
    assert.match(stopping[0]!.message, /lightning-cli plugin stop, or lightningd stopping/);
    driver.assertCleanStdout();
  });

  test('--hookd-config on the command line, and hookd-config in a --conf file, are found too', async (t) => {
    const { dir, config } = nodeWithConfig(t);
    const conf = path.join(dir, 'lightningd.conf');
    writeFileSync(conf, `hookd-config=${config}\n`);
    for (const args of [['--hookd-config', config], [`--conf=${conf}`]]) {
      const driver = new ClnDriver(t, { lightningDir: dir, lightningdArgs: args });
      assert.deepEqual((await driver.getmanifest()).hooks, [{ name: 'htlc_accepted' }], args.join(' '));
      driver.child.stdin!.end();
      await driver.exited;
    }
  });

  test('without a config anywhere the reason says how to name one to a plugin, never "pass -c PATH"', async (t) => {
    const dir = tempDir(t, 'hookd-cln-deploy-');
    const driver = new ClnDriver(t, { lightningDir: dir, lightningdArgs: [] });
    assert.deepEqual((await driver.getmanifest()).hooks, []);
    const result = await driver.init();
    assert.match(String(result.disable), /no config found: .*; name it with hookd-config=PATH in lightningd's config/);
    assert.doesNotMatch(String(result.disable), /pass -c/);
  });
});

describe('lightning-cli hookd-status and hookd-dead, answered through lightningd', () => {
  test('hookd-status counts decision runs, own replies and fallbacks by reason; hookd-dead lists, shows and replays', async (t) => {
    const dir = tempDir(t, 'hookd-cln-deploy-');
    // Fails HTLCs over 1000 msat, answers nothing (continue) below, and breaks on 13.
    const cap = writeScript(dir, 'cap.sh', 'case "$EVENT_HTLC_AMOUNT_MSAT" in 13) exit 3 ;; esac\n[ "$EVENT_HTLC_AMOUNT_MSAT" -gt 1000 ] && echo \'{"result":"fail","failure_message":"2002"}\'\nexit 0');
    const broken = writeScript(dir, 'broken.sh', 'echo "no webhook today" >&2; exit 7');
    const config = writeConfig(dir, `hooks:\n  - name: cap\n    on: htlc_accepted\n    decide: true\n    run: ${cap}\n  - name: paid\n    on: invoice_payment\n    run: ${broken}\n`, 'cln.yaml');
    const driver = new ClnDriver(t, { lightningDir: dir, env: { HOOKD_CONFIG: config } });
    const manifest = await driver.start();
    assert.deepEqual((manifest.rpcmethods as { name: string }[]).map((method) => method.name), ['hookd-status', 'hookd-dead']);

    const htlc = (amount: number) => ({ onion: { payload: '', type: 'tlv' }, htlc: { short_channel_id: '103x1x0', id: 0, amount_msat: amount, cltv_expiry: 200, cltv_expiry_relative: 10, payment_hash: '00'.repeat(32) } });
    assert.deepEqual(await driver.hook('htlc_accepted', htlc(5000)), { result: 'fail', failure_message: '2002' });
    assert.deepEqual(await driver.hook('htlc_accepted', htlc(13)), { result: 'continue' });
    const fallback = await driver.waitForLog(/^decision hook cap: exit 3; answering the fallback/);
    assert.equal(fallback.level, 'warn');
    assert.match(fallback.message, /fail-open: htlc_accepted goes ahead unchecked/);
    assert.ok(!driver.logs().some((line) => line.level === 'info' && /^answered htlc_accepted/.test(line.message)), 'replies are logged at debug');

    const status = (await driver.request('hookd-status', {})).result as { hooks: Record<string, unknown>[] };
    const capStats = status.hooks.find((hook) => hook.name === 'cap')!;
    assert.equal(capStats.runs, 2);
    assert.equal(capStats.replies, 1);
    assert.deepEqual(capStats.fallbacks, { timeout: 0, failed: 1, 'bad-reply': 0, busy: 0, stopping: 0, internal: 0 });
    assert.equal(capStats.lastFallback, 'exit 3');

    driver.notify('invoice_payment', { payment: { label: 'inv-1', preimage: '11'.repeat(32), msat: '1000msat' } });
    const listed = await waitFor(async () => {
      const answer = (await driver.request('hookd-dead', ['list'])).result as { dead: { id: string; hook: string }[] };
      return answer.dead.length === 1 ? answer.dead : undefined;
    }, 'a dead letter');
    assert.equal(listed[0]!.hook, 'paid');
    const shown = (await driver.request('hookd-dead', { command: 'show', id: listed[0]!.id })).result as { dead: { attempts: { stderrTail: string[] }[] }[]; missing: string[] };
    assert.deepEqual(shown.dead[0]!.attempts[0]!.stderrTail, ['no webhook today']);
    assert.deepEqual(shown.missing, []);
    const replayed = (await driver.request('hookd-dead', ['replay', listed[0]!.id])).result as { replayed: string[] };
    assert.deepEqual(replayed.replayed, [listed[0]!.id]);
    const unknown = await driver.request('hookd-dead', ['purge']);
    assert.match(String((unknown.error as { message: string }).message), /unknown command "purge"; expected list, show or replay/);
    driver.assertCleanStdout();
  });
});

describe('Core Lightning names are checked', { concurrency: 2 }, () => {
  test('validate shows a plugin config with its plugin-mode sources, warns about misspelt topics, and refuses a misspelt decision hook with the likely name', async (t) => {
    const dir = tempDir(t, 'hookd-cln-deploy-');
    const ok = writeScript(dir, 'ok.sh', 'exit 0');
    const config = writeConfig(dir, `rpc_env: true\nhooks:\n  - name: paid\n    on: invoice_paid\n    run: ${ok}\n  - name: cap\n    on: htlc_accepted\n    run: ${ok}\n  - name: blocks\n    on: block_added\n    run: ${ok}\n`);
    const checked = await runHookd(['validate', '-c', config]);
    assert.equal(checked.code, 0, checked.stderr);
    assert.equal(checked.stdout, `${config}: OK (3 hooks; sources as a Core Lightning plugin: lightningd (plugin protocol))\n`);
    assert.deepEqual(checked.stderr.trim().split('\n'), [
      `hookd: warning: ${config}: hooks[0] (paid).on: "invoice_paid" is not a Core Lightning notification topic (lightningd sends it only if another plugin does); did you mean "invoice_payment"?`,
      `hookd: warning: ${config}: hooks[1] (cap).on: "htlc_accepted" is not a Core Lightning notification topic (lightningd sends it only if another plugin does); "htlc_accepted" is a Core Lightning hook: add decide: true to answer it`,
    ]);

    const misspelt = writeConfig(dir, `hooks:\n  - name: cap\n    on: htlc_accept\n    decide: true\n    run: ${ok}\n`, 'misspelt.yaml');
    const refused = await runHookd(['validate', '-c', misspelt]);
    assert.equal(refused.code, 78);
    assert.match(refused.stderr, /:3: hooks\[0\]\.on: "htlc_accept" is not a Core Lightning hook; did you mean "htlc_accepted"\? \(decision hooks: /);

    // With a cln source its record events are known names too; without one they are pointed out.
    const records = writeConfig(dir, `sources:\n  - cln: { rpc: ./lightning-rpc }\nhooks:\n  - name: paid\n    on: invoice_updated\n    run: ${ok}\n  - name: sent\n    on: sendpay_updatd\n    run: ${ok}\n`, 'records.yaml');
    const followed = await runHookd(['validate', '-c', records]);
    assert.equal(followed.code, 0, followed.stderr);
    assert.deepEqual(followed.stderr.trim().split('\n'), [
      `hookd: warning: ${records}: hooks[1] (sent).on: "sendpay_updatd" is not a Core Lightning notification topic (lightningd sends it only if another plugin does); did you mean "sendpay_updated"?`,
    ]);
    const noSource = writeConfig(dir, `rpc_env: true\nhooks:\n  - name: paid\n    on: invoice_updated\n    run: ${ok}\n`, 'no-source.yaml');
    const pointed = await runHookd(['validate', '-c', noSource]);
    assert.match(pointed.stderr, /"invoice_updated" is an event of the cln source, which this config does not have \(add - cln: \{\}\)/);

    // A config for other events is left alone.
    const plain = writeConfig(dir, `hooks:\n  - name: blocks\n    on: block\n    run: ${ok}\n`, 'plain.yaml');
    const quiet = await runHookd(['validate', '-c', plain]);
    assert.equal(quiet.stdout, `${plain}: OK (1 hook; sources: stdin)\n`);
    assert.equal(quiet.stderr, '');
  });

  test('the plugin warns in lightningd\'s log about a topic lightningd does not send', async (t) => {
    const dir = tempDir(t, 'hookd-cln-deploy-');
    const config = writeConfig(dir, `hooks:\n  - name: paid\n    on: invoice_paid\n    run: ${writeScript(dir, 'ok.sh', 'exit 0')}\n`);
    const driver = new ClnDriver(t, { lightningDir: dir, env: { HOOKD_CONFIG: config } });
    await driver.start();
    const warning = await driver.waitForLog(/"invoice_paid" is not a Core Lightning notification topic/);
    assert.equal(warning.level, 'warn');
    assert.match(warning.message, /did you mean "invoice_payment"\?/);
  });
});
