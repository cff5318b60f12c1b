// Plugin mode as deployed on a node: the config named in lightningd's own
// config or command line is found at getmanifest, so the documented snippet
// works without HOOKD_CONFIG.
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, test, type TestContext } from 'node:test';
import { ClnDriver } from './cln-driver.ts';
import { tempDir, writeConfig, writeScript } from './helpers.ts';

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
    assert.deepEqual(manifest.subscriptions, ['invoice_payment']);
    await driver.waitForLog(/^hookd plugin ready/);
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
