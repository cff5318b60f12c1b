// Plugin mode end to end: the built bin driven as lightningd drives it.
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, test, type TestContext } from 'node:test';
import { isJsonObject, parseJson, stringifyJson, type JsonObject, type JsonValue } from '../src/json.ts';
import { ClnDriver } from './cln-driver.ts';
import { readRecords, RECORD_SCRIPT, recordCount } from './cln-records.ts';
import { FIXTURES, tempDir, waitFor, writeConfig, writeScript } from './helpers.ts';

const NOTIFICATIONS = parseJson(readFileSync(path.join(FIXTURES, 'cln', 'notifications.json'), 'utf8')) as JsonObject;

interface Setup {
  readonly dir: string;
  readonly records: string;
  readonly config: string;
  readonly driver: ClnDriver;
}

// A lightning-dir with a config (hooks given as YAML lines) and a plugin child.
function setup(t: TestContext, hooksYaml: string, top = '', env: Record<string, string> = {}): Setup {
  const dir = tempDir(t, 'hookd-cln-');
  const records = path.join(dir, 'records');
  mkdirSync(records);
  const config = writeConfig(dir, `${top}\nhooks:\n${hooksYaml}`, 'hookd.config.yaml');
  const driver = new ClnDriver(t, { lightningDir: dir, env: { HOOKD_CONFIG: config, RECORD_DIR: records, ...env } });
  return { dir, records, config, driver };
}

function recordHook(name: string, on: string, extra = ''): string {
  return `  - name: ${name}\n    on: ${JSON.stringify(on)}\n    run: ${RECORD_SCRIPT}\n${extra}`;
}

// Each test has its own folder and hookd: they run side by side.
describe('Core Lightning plugin mode', { concurrency: 3 }, () => {
  test('getmanifest lists exactly the topics the hooks can match, the decision hooks, and the options', async (t) => {
    const script = writeScript(tempDir(t), 'ok.sh', 'exit 0');
    const { driver } = setup(t, [
      recordHook('paid', 'invoice_payment'),
      recordHook('fwd', 'forward_event'),
      `  - name: cap\n    on: htlc_accepted\n    decide: true\n    run: ${script}\n`,
      `  - name: peers\n    on: peer_connected\n    decide: true\n    run: ${script}\n`,
    ].join(''));
    const manifest = await driver.getmanifest();
    assert.deepEqual((manifest.rpcmethods as JsonObject[]).map((method) => method.name), ['hookd-status', 'hookd-dead']);
    assert.deepEqual(manifest.subscriptions, ['forward_event', 'invoice_payment', 'shutdown']);
    assert.deepEqual(manifest.hooks, [{ name: 'htlc_accepted' }, { name: 'peer_connected' }]);
    assert.equal(manifest.dynamic, true);
    assert.equal(manifest.nonnumericids, true);
    const options = manifest.options as JsonObject[];
    assert.deepEqual(options.map((option) => option.name), ['hookd-config', 'hookd-log-level']);
    assert.ok(options.every((option) => option.type === 'string'));
    driver.assertCleanStdout();
  });

  test('without state: in the config, each node keeps its queue in its own network folder, so two nodes share one config', async (t) => {
    const shared = tempDir(t, 'hookd-cln-shared-');
    const config = writeConfig(shared, `hooks:\n${recordHook('paid', 'invoice_payment')}`, 'hookd.config.yaml');
    // One XDG_STATE_HOME for both: the default of `hookd run` would be one folder.
    const env = { HOOKD_CONFIG: config, XDG_STATE_HOME: path.join(shared, 'xdg'), RECORD_DIR: shared };
    const nodes = [tempDir(t, 'hookd-cln-a-'), tempDir(t, 'hookd-cln-b-')].map((dir) => new ClnDriver(t, { lightningDir: dir, env }));
    for (const driver of nodes) {
      await driver.getmanifest();
      assert.deepEqual(await driver.init(), {});
    }
    for (const driver of nodes) {
      assert.ok(existsSync(path.join(driver.networkDir, 'hookd', 'lock')), `${driver.networkDir}/hookd holds the lock`);
      assert.equal((await driver.shutdown()).code, 0);
    }
    assert.equal(existsSync(path.join(shared, 'xdg', 'hookd')), false);
  });

  test('a glob subscribes to "*", and log only when a hook names it', async (t) => {
    const glob = setup(t, recordHook('channels', 'channel_*'));
    assert.deepEqual((await glob.driver.getmanifest()).subscriptions, ['*']);
    const withLog = setup(t, recordHook('all', '*') + recordHook('logs', 'log'));
    assert.deepEqual((await withLog.driver.getmanifest()).subscriptions, ['*', 'log']);
  });

  test('the config is found by the search from the network folder when HOOKD_CONFIG is not set', async (t) => {
    const dir = tempDir(t, 'hookd-cln-');
    writeConfig(dir, `hooks:\n${recordHook('blocks', 'block_added')}`, 'hookd.config.yaml');
    const driver = new ClnDriver(t, { lightningDir: dir, env: { RECORD_DIR: dir } });
    const manifest = await driver.start();
    assert.deepEqual(manifest.subscriptions, ['block_added', 'shutdown']);
  });

  test('a broken config answers init with disable and every validation error', async (t) => {
    const { driver } = setup(t, `  - name: bad\n    on: invoice_payment\n    run: ./missing.sh\n    timeout: soon\n`);
    await driver.getmanifest();
    const result = await driver.init();
    assert.equal(typeof result.disable, 'string');
    assert.match(result.disable as string, /hooks\[0\]\.run: script not found/);
    assert.match(result.disable as string, /hooks\[0\]\.timeout: expected a duration/);
    assert.deepEqual(Object.keys(result), ['disable']);
    driver.assertCleanStdout();
  });

  test('the hookd-config option is used when the manifest could serve it, and refused with the reason when not', async (t) => {
    const dir = tempDir(t, 'hookd-cln-');
    const script = writeScript(dir, 'ok.sh', 'exit 0');
    const notifyOnly = writeConfig(dir, `hooks:\n${recordHook('conn', 'connect')}`, 'notify.yaml');
    const decides = writeConfig(dir, `hooks:\n  - name: cap\n    on: htlc_accepted\n    decide: true\n    run: ${script}\n`, 'decide.yaml');
    // No config at getmanifest time: every topic, no hook.
    const served = new ClnDriver(t, { lightningDir: path.join(dir, 'a'), env: { RECORD_DIR: dir } });
    assert.deepEqual((await served.getmanifest()).subscriptions, ['*']);
    assert.deepEqual(await served.init({ 'hookd-config': notifyOnly }), {});
    const refused = new ClnDriver(t, { lightningDir: path.join(dir, 'b') });
    assert.deepEqual((await refused.getmanifest()).hooks, []);
    const result = await refused.init({ 'hookd-config': decides });
    assert.match(String(result.disable), /needs decision hooks htlc_accepted, which hookd did not register/);
    assert.match(String(result.disable), /HOOKD_CONFIG/);
  });

  // The fields a hook must see for each fixture message, worked out by hand
  // from Core Lightning's wrapping rules.
  function expectedFields(name: string, message: JsonObject): JsonObject {
    const method = message.method as string;
    const params = message.params as JsonObject;
    if (name.startsWith('custom.legacy')) return params.payload as JsonObject;
    if (name.startsWith('custom.')) return params;
    if (name === 'block_added.legacy_v22.11-v23.05') return params.block as JsonObject;
    if (name.endsWith('legacy_pre_v23.08')) return params;
    if (name === 'invoice_payment.legacy_pre_v23.11') return { ...(params[method] as JsonObject), msat: 10000 };
    return params[method] as JsonObject;
  }

  test('every notification topic and older shape reaches its hooks unwrapped, on stdin and as EVENT_*', async (t) => {
    const { driver, records } = setup(t, recordHook('all', '*') + recordHook('logs', 'log'));
    await driver.start();
    const sent = Object.entries(NOTIFICATIONS).filter(([name]) => name !== '_comment' && !name.startsWith('shutdown'));
    for (const [, message] of sent) driver.send(message as JsonObject);
    await waitFor(() => recordCount(records) >= sent.length, `${sent.length} runs`);
    const runs = readRecords(records);
    assert.equal(runs.length, sent.length);
    // "*" never includes log: the log hook alone gets it. Each hook runs with
    // concurrency 1, so its runs are in arrival order.
    const byHook = (hook: string, log: boolean) => ({
      runs: runs.filter((run) => run.key.startsWith(`${hook}-`)),
      sent: sent.filter(([, message]) => ((message as JsonObject).method === 'log') === log),
    });
    for (const { runs: hookRuns, sent: hookSent } of [byHook('all', false), byHook('logs', true)]) {
      assert.equal(hookRuns.length, hookSent.length);
      hookSent.forEach(([name, value], index) => {
        const message = value as JsonObject;
        const run = hookRuns[index]!;
        assert.equal(run.env.HOOKD_TYPE, message.method, name);
        assert.equal(run.env.HOOKD_SOURCE, 'cln', name);
        assert.equal(run.stdin, `${stringifyJson(expectedFields(name, message))}\n`, name);
      });
    }
    const runOf = (fixture: string): (typeof runs)[number] => {
      const { runs: hookRuns, sent: hookSent } = byHook('all', false);
      return hookRuns[hookSent.findIndex(([name]) => name === fixture)]!;
    };
    const paid = runOf('invoice_payment');
    assert.equal(paid.env.EVENT_LABEL, 'unique-label-for-invoice');
    assert.equal(paid.env.EVENT_MSAT, '10000');
    assert.equal(paid.env.EVENT_PREIMAGE, '0'.repeat(64));
    const legacyPaid = runOf('invoice_payment.legacy_pre_v23.11');
    assert.equal(legacyPaid.env.EVENT_MSAT, '10000');
    const custom = runOf('custom.legacy_pre_v25.09');
    assert.equal(custom.env.EVENT_MESSAGE, 'Hello fellow plugin!');
    assert.equal(custom.env.HOOKD_TYPE, 'mycustomnotification');
    driver.assertCleanStdout();
  });

  test('a u64 value reaches the environment and stdin with every digit', async (t) => {
    const { driver, records } = setup(t, recordHook('parts', 'pay_part_start') + recordHook('opened', 'channel_opened'));
    await driver.start();
    driver.send(NOTIFICATIONS.pay_part_start as JsonObject);
    driver.writeRaw('{"jsonrpc":"2.0","method":"channel_opened","params":{"channel_opened":{"id":"03864ef025fde8fb587d989186ce6a4a186895ee44a926bfc370e2c366597a3f8f","funding_msat":18446744073709551615,"funding_txid":"4a5e","channel_ready":false}}}\n\n');
    await waitFor(() => recordCount(records) >= 2, 'two runs');
    const part = readRecords(records).find((run) => run.key.startsWith('parts-'));
    const opened = readRecords(records).find((run) => run.key.startsWith('opened-'));
    assert.equal(part!.env.EVENT_GROUPID, '5793910575598463611');
    assert.match(part!.stdin, /"groupid":5793910575598463611,/);
    assert.equal(opened!.env.EVENT_FUNDING_MSAT, '18446744073709551615');
    assert.match(opened!.stdin, /"funding_msat":18446744073709551615,/);
  });

  test('messages split across reads, several in one read, and separators split in two are all understood', async (t) => {
    const { driver, records } = setup(t, recordHook('blocks', 'block_added'));
    await driver.getmanifest();
    const init = '{"jsonrpc":"2.0","id":"cln:init#7","method":"init","params":{"options":{},"configuration":{"lightning-dir":"/x","rpc-file":"lightning-rpc","network":"regtest"}}}';
    for (const piece of [init.slice(0, 10), init.slice(10, 50), init.slice(50), '\n', '\n']) {
      driver.writeRaw(piece);
      await new Promise((resolve) => setImmediate(resolve));
    }
    assert.deepEqual((await driver.response('cln:init#7')).result, {});
    const block = (height: number): string => `{"jsonrpc":"2.0","method":"block_added","params":{"block_added":{"hash":"00ab\\n}{","height":${height}}}}\n\n`;
    driver.writeRaw(block(1) + block(2) + block(3).slice(0, 30));
    // Blocks 1 and 2 have run: hookd has read the half of block 3 on its own.
    await waitFor(() => recordCount(records) >= 2, 'the first two runs');
    driver.writeRaw(block(3).slice(30) + block(4));
    await waitFor(() => recordCount(records) >= 4, 'four runs');
    assert.deepEqual(readRecords(records).map((run) => run.env.EVENT_HEIGHT), ['1', '2', '3', '4']);
    assert.equal(readRecords(records)[0]!.env.EVENT_HASH, '00ab\n}{');
    driver.assertCleanStdout();
  });

  test('rpc_env gives hooks LIGHTNING_RPC as a full path, LIGHTNING_DIR and LIGHTNING_NETWORK', async (t) => {
    const { driver, records } = setup(t, recordHook('conn', 'connect'), 'rpc_env: true');
    await driver.start();
    driver.send(NOTIFICATIONS.connect as JsonObject);
    await waitFor(() => recordCount(records) >= 1, 'one run');
    const [run] = readRecords(records);
    assert.equal(run!.env.LIGHTNING_RPC, path.join(driver.networkDir, 'lightning-rpc'));
    assert.equal(run!.env.LIGHTNING_DIR, driver.networkDir);
    assert.equal(run!.env.LIGHTNING_NETWORK, 'regtest');
    assert.equal(run!.env.LIGHTNINGD_PLUGIN, undefined, 'hooks must not think they are plugins');
    assert.equal(run!.env.EVENT_ADDRESS_PORT, '38012');
  });

  test('without rpc_env hooks get no LIGHTNING_* variables', async (t) => {
    const { driver, records } = setup(t, recordHook('conn', 'connect'));
    await driver.start();
    driver.send(NOTIFICATIONS.connect as JsonObject);
    await waitFor(() => recordCount(records) >= 1, 'one run');
    assert.equal(readRecords(records)[0]!.env.LIGHTNING_RPC, undefined);
  });

  test("hookd's logs and the hooks' output lines reach lightningd as log notifications at their level", async (t) => {
    const dir = tempDir(t);
    const chatty = writeScript(dir, 'chatty.sh', 'echo "to stdout"\necho "to stderr" >&2\nexit 3');
    const { driver } = setup(t, `  - name: chatty\n    on: connect\n    run: ${chatty}\n`);
    await driver.start();
    driver.send(NOTIFICATIONS.connect as JsonObject);
    const failed = await driver.waitForLog(/^hook failed: exit 3/);
    assert.equal(failed.level, 'error');
    assert.match(failed.message, /hook=chatty/);
    assert.equal((await driver.waitForLog(/^to stdout/)).level, 'info');
    assert.equal((await driver.waitForLog(/^to stderr/)).level, 'info');
    assert.ok(driver.logs().every((line) => ['debug', 'info', 'warn', 'error'].includes(line.level)));
    driver.assertCleanStdout();
  });

  test("hookd's own log lines coming back as warning notifications do not run hooks", async (t) => {
    const { driver, records } = setup(t, recordHook('warnings', 'warning'));
    await driver.start();
    const warning = (source: string): JsonObject => ({ warning: { level: 'warn', time: '1.0', timestamp: '2026-01-01T00:00:00.000Z', source, log: 'x' } });
    driver.notify('warning', warning('plugin-hookd.js'));
    driver.notify('warning', warning('lightningd'));
    await waitFor(() => recordCount(records) >= 1, 'one run');
    await driver.shutdown();
    assert.deepEqual(readRecords(records).map((run) => run.env.EVENT_SOURCE), ['lightningd']);
  });

  test('shutdown lets the running hook finish, runs the shutdown hooks, and exits 0', async (t) => {
    const dir = tempDir(t);
    const slow = writeScript(dir, 'slow.sh', `sleep 1\ntouch "${path.join(dir, 'slow-done')}"`);
    const { driver, records } = setup(t, `  - name: slow\n    on: connect\n    run: ${slow}\n${recordHook('bye', 'shutdown')}`);
    await driver.start();
    driver.send(NOTIFICATIONS.connect as JsonObject);
    await driver.waitForLog(/^hookd started|hookd plugin ready/);
    const exit = await driver.shutdown({});
    assert.deepEqual(exit, { code: 0, signal: null });
    assert.ok(existsSync(path.join(dir, 'slow-done')), 'the running hook finished');
    assert.equal(readRecords(records).length, 1, 'the shutdown hook ran');
    driver.assertCleanStdout();
  });

  test('shutdown ends a hook that outlives shutdown_timeout and exits well within the grace period', async (t) => {
    const dir = tempDir(t);
    const stuck = writeScript(dir, 'stuck.sh', `echo started >&2\nexec sleep 60`);
    const { driver } = setup(t, `  - name: stuck\n    on: connect\n    run: ${stuck}\n    kill_after: 1s\n`, 'shutdown_timeout: 1s');
    await driver.start();
    driver.send(NOTIFICATIONS.connect as JsonObject);
    await driver.waitForLog(/^started/);
    const began = Date.now();
    const exit = await driver.shutdown();
    assert.equal(exit.code, 0);
    assert.ok(Date.now() - began < 25_000, 'hookd left before lightningd would kill it');
    assert.ok(driver.logs().some((line) => /shutdown timeout reached/.test(line.message)));
  });

  test('stdin closing (lightningd gone) ends hookd too', async (t) => {
    const { driver } = setup(t, recordHook('conn', 'connect'));
    await driver.start();
    driver.child.stdin!.end();
    assert.equal((await driver.exited).code, 0);
  });

  test('a burst of notifications never delays the answer to a hook request', async (t) => {
    const dir = tempDir(t);
    const slow = writeScript(dir, 'slow.sh', 'exec sleep 5');
    const ok = writeScript(dir, 'ok.sh', 'exit 0');
    const { driver } = setup(t, `  - name: moves\n    on: coin_movement\n    run: ${slow}\n    kill_after: 500ms\n  - name: cap\n    on: htlc_accepted\n    decide: true\n    run: ${ok}\n`, 'shutdown_timeout: 500ms');
    await driver.start();
    const movement = stringifyJson(NOTIFICATIONS['coin_movement.chain_mvt.default_v25.09-v26.06'] as JsonValue);
    driver.writeRaw(`${movement}\n\n`.repeat(3000));
    const hooks = parseJson(readFileSync(path.join(FIXTURES, 'cln', 'hooks.json'), 'utf8')) as JsonObject;
    const request = (hooks.htlc_accepted as JsonObject).request as JsonObject;
    const reply = await driver.hook('htlc_accepted', request, 'cln:htlc_accepted#burst', 20_000);
    assert.deepEqual(reply, { result: 'continue' });
    // The slow hook has run at most a couple of the 3000 notifications by now.
    assert.ok(driver.logs().filter((line) => /^hook ok/.test(line.message)).length < 10);
    // Shutdown ends the slow hook's run; the notifications still waiting are dropped (no state directory).
    assert.equal((await driver.shutdown()).code, 0);
    driver.assertCleanStdout();
  });

  test('an unknown request gets a JSON-RPC error, not silence', async (t) => {
    const { driver } = setup(t, recordHook('conn', 'connect'));
    await driver.start();
    const response = await driver.request('hookd-nothing', {}, 'cln:x#1');
    assert.ok(isJsonObject(response.error));
    assert.equal(response.id, 'cln:x#1');
  });

  test('a stray write to stdout (a library, a preload) goes to stderr, never into the protocol', async (t) => {
    const dir = tempDir(t);
    // Loaded into hookd's own process: writes to stdout once plugin mode has begun.
    const stray = path.join(dir, 'stray.mjs');
    writeFileSync(stray, [
      'const original = process.stdout.write;',
      'const timer = setInterval(() => {',
      '  if (process.stdout.write === original) return;',
      '  clearInterval(timer);',
      "  console.log('stray console.log');",
      "  process.stdout.write('stray write\\n');",
      '}, 10);',
      'timer.unref();',
      '',
    ].join('\n'));
    const { driver } = setup(t, recordHook('conn', 'connect'), '', { NODE_OPTIONS: `--import=${stray}` });
    await driver.start();
    await waitFor(() => driver.stderr.includes('stray write'), 'the stray write on stderr');
    assert.match(driver.stderr, /stray console\.log/);
    assert.deepEqual(await driver.hook('custommsg', { peer_id: '02', payload: '00' }), { result: 'continue' });
    driver.assertCleanStdout();
  });
});
