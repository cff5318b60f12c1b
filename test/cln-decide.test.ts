// Decision hooks end to end: lightningd's hook requests answered by scripts,
// every reply checked against the shapes the hook allows.
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, test, type TestContext } from 'node:test';
import { parseJson, stringifyJson, type JsonObject, type JsonValue } from '../src/json.ts';
import { ClnDriver } from './cln-driver.ts';
import { FIXTURES, runHookd, tempDir, writeConfig, writeScript } from './helpers.ts';

const HOOKS = parseJson(readFileSync(path.join(FIXTURES, 'cln', 'hooks.json'), 'utf8')) as Record<string, JsonObject>;
// Every hook of Core Lightning v26.06 (onion_message_recv_secret takes the same request as onion_message_recv).
const HOOK_NAMES = [...Object.keys(HOOKS).filter((name) => name !== '_comment'), 'onion_message_recv_secret'].sort();
// Where each hook's payload sits in its params, worked out from the schemas.
const WRAPPERS: Record<string, string> = {
  peer_connected: 'peer', invoice_payment: 'payment', openchannel: 'openchannel', openchannel2: 'openchannel2',
  openchannel2_changed: 'openchannel2_changed', openchannel2_sign: 'openchannel2_sign', rbf_channel: 'rbf_channel',
  rpc_command: 'rpc_command', onion_message_recv: 'onion_message', onion_message_recv_secret: 'onion_message',
};

function requestOf(hook: string): JsonObject {
  return HOOKS[hook === 'onion_message_recv_secret' ? 'onion_message_recv' : hook]!.request as JsonObject;
}

function payloadOf(hook: string): JsonObject {
  const request = requestOf(hook);
  const wrapper = WRAPPERS[hook];
  return wrapper === undefined ? request : (request[wrapper] as JsonObject);
}

// A reply script driven by files: it saves its stdin and environment, prints
// $CONTROL/reply when present and exits with $CONTROL/exit (default 0).
const REPLY_SCRIPT = `cat > "$CONTROL/stdin"
env > "$CONTROL/env"
if [ -f "$CONTROL/reply" ]; then cat "$CONTROL/reply"; fi
exit "$(cat "$CONTROL/exit" 2>/dev/null || echo 0)"`;

interface Plugin {
  readonly dir: string;
  readonly control: string;
  readonly driver: ClnDriver;
  // Sets what the reply script prints and how it exits.
  script(reply: string | undefined, exit?: number): void;
}

// Decision scripts get time enough on a slow machine, unless a test says otherwise.
async function startPlugin(t: TestContext, hooksYaml: (script: string, dir: string) => string, top = 'defaults: {timeout: 30s}'): Promise<Plugin> {
  const dir = tempDir(t, 'hookd-decide-');
  const control = path.join(dir, 'control');
  mkdirSync(control);
  const script = writeScript(dir, 'reply.sh', REPLY_SCRIPT);
  const config = writeConfig(dir, `${top}\nhooks:\n${hooksYaml(script, dir)}`, 'hookd.config.yaml');
  const driver = new ClnDriver(t, { lightningDir: dir, env: { HOOKD_CONFIG: config, CONTROL: control } });
  await driver.start();
  return {
    dir,
    control,
    driver,
    script(reply, exit = 0) {
      rmSync(path.join(control, 'reply'), { force: true });
      if (reply !== undefined) writeFileSync(path.join(control, 'reply'), reply);
      writeFileSync(path.join(control, 'exit'), String(exit));
    },
  };
}

// Placeholders of the documentation examples, made into values of the right type.
const EXAMPLE_FIXUPS: Record<string, string> = { '[serialized error packet]': '0102ab' };

function fixExample(reply: JsonObject): JsonObject {
  return parseJson(stringifyJson(reply).replace(/"\[serialized error packet\]"/g, JSON.stringify(EXAMPLE_FIXUPS['[serialized error packet]']))) as JsonObject;
}

// Each test has its own folder and hookd: they run side by side.
describe('Core Lightning decision hooks', { concurrency: 3 }, () => {
  test('every Core Lightning hook is registered and relays each documented reply, the payload on stdin unwrapped', async (t) => {
    const plugin = await startPlugin(t, (script) => `  - name: all-hooks\n    on: ${JSON.stringify(HOOK_NAMES)}\n    decide: true\n    run: ${script}\n`);
    let id = 0;
    for (const hook of HOOK_NAMES) {
      const examples = (HOOKS[hook === 'onion_message_recv_secret' ? 'onion_message_recv' : hook]!.replies as JsonObject[]).map(fixExample);
      for (const example of examples) {
        plugin.script(stringifyJson(example));
        const reply = await plugin.driver.hook(hook, requestOf(hook), `cln:${hook}#${id++}`);
        // Two of rpc_command's documentation examples are sketches its schema refuses:
        // "replace" without "jsonrpc", and an "error" without code and message.
        const refused = hook === 'rpc_command' && ('replace' in example || stringifyJson(example) === '{"return":{"error":{}}}');
        const expected = refused ? { result: 'continue' } : example;
        assert.equal(stringifyJson(reply), stringifyJson(expected), `${hook} ${stringifyJson(example)}`);
        assert.equal(readFileSync(path.join(plugin.control, 'stdin'), 'utf8'), `${stringifyJson(payloadOf(hook))}\n`, hook);
      }
    }
    plugin.driver.assertCleanStdout();
  });

  test('a decision script gets the payload as EVENT_* variables and the request id as HOOKD_ID', async (t) => {
    const plugin = await startPlugin(t, (script) => `  - name: peers\n    on: peer_connected\n    decide: true\n    run: ${script}\n`);
    plugin.script(undefined);
    await plugin.driver.hook('peer_connected', requestOf('peer_connected'), 'cln:peer_connected#42');
    const env = readFileSync(path.join(plugin.control, 'env'), 'utf8');
    assert.match(env, /^EVENT_ID=03864ef025fde8fb587d989186ce6a4a186895ee44a926bfc370e2c366597a3f8f$/m);
    assert.match(env, /^EVENT_ADDR=34\.239\.230\.56:9735$/m);
    assert.match(env, /^HOOKD_ID=cln:peer_connected#42$/m);
    assert.match(env, /^HOOKD_TYPE=peer_connected$/m);
    assert.match(env, /^HOOKD_SOURCE=cln$/m);
  });

  test('a u64 in a hook payload reaches the decision script with every digit', async (t) => {
    const plugin = await startPlugin(t, (script) => `  - name: opens\n    on: openchannel\n    decide: true\n    run: ${script}\n`);
    plugin.script(undefined);
    await plugin.driver.hook('openchannel', requestOf('openchannel'));
    assert.match(readFileSync(path.join(plugin.control, 'env'), 'utf8'), /^EVENT_MAX_HTLC_VALUE_IN_FLIGHT_MSAT=18446744073709551615$/m);
    assert.match(readFileSync(path.join(plugin.control, 'stdin'), 'utf8'), /"max_htlc_value_in_flight_msat":18446744073709551615,/);
  });

  test('exit 0 without output continues, handing back the PSBT where the hook requires it', async (t) => {
    const plugin = await startPlugin(t, (script) => `  - name: dual\n    on: [htlc_accepted, openchannel2_sign]\n    decide: true\n    run: ${script}\n`);
    plugin.script(undefined);
    assert.deepEqual(await plugin.driver.hook('htlc_accepted', requestOf('htlc_accepted')), { result: 'continue' });
    const psbt = (payloadOf('openchannel2_sign').psbt as string);
    assert.deepEqual(await plugin.driver.hook('openchannel2_sign', requestOf('openchannel2_sign')), { result: 'continue', psbt });
  });

  const MALFORMED: readonly { hook: string; stdout: string; exit?: number; reason: RegExp }[] = [
    { hook: 'htlc_accepted', stdout: 'fail it please', reason: /stdout is not a JSON object/ },
    { hook: 'htlc_accepted', stdout: '[{"result":"fail"}]', reason: /stdout is not a JSON object/ },
    { hook: 'htlc_accepted', stdout: '{"result":"maybe"}', reason: /"result" must be "continue" or "fail" or "resolve"/ },
    { hook: 'htlc_accepted', stdout: '{"result":"fail"}', reason: /one of "failure_message", "failure_onion" is required/ },
    { hook: 'htlc_accepted', stdout: '{"result":"fail","failure_message":"zz"}', reason: /"failure_message" must be hex/ },
    { hook: 'htlc_accepted', stdout: '{"result":"resolve"}', reason: /"payment_key" is required/ },
    { hook: 'htlc_accepted', stdout: '{"result":"continue","bogus":1}', reason: /unexpected field "bogus"/ },
    { hook: 'htlc_accepted', stdout: '{"result":"fail","failure_message":"2002"}', exit: 1, reason: /exit 1/ },
    { hook: 'peer_connected', stdout: '{}', reason: /"result" is missing/ },
    { hook: 'openchannel', stdout: '{"result":"continue","mindepth":-1}', reason: /"mindepth" must be a whole number/ },
    { hook: 'rpc_command', stdout: '{"return":{"error":{"message":"no"}}}', reason: /"return" must be/ },
    { hook: 'rpc_command', stdout: '{"replace":{"method":"stop"}}', reason: /"replace" must be a request with "jsonrpc"/ },
    { hook: 'invoice_payment', stdout: '{"result":"reject","failure_message":7}', reason: /"failure_message" must be hex/ },
  ];

  test('a malformed reply or a failed script gets the fallback and a log line saying why, never a JSON-RPC error', async (t) => {
    const hooks = [...new Set(MALFORMED.map((item) => item.hook))];
    const plugin = await startPlugin(t, (script) => `  - name: judge\n    on: ${JSON.stringify(hooks)}\n    decide: true\n    run: ${script}\n`);
    let id = 0;
    for (const item of MALFORMED) {
      plugin.script(item.stdout, item.exit ?? 0);
      const requestId = `cln:${item.hook}#${id++}`;
      const reply = await plugin.driver.hook(item.hook, requestOf(item.hook), requestId);
      assert.deepEqual(reply, { result: 'continue' }, item.stdout);
      const line = await plugin.driver.waitForLog(new RegExp(`decision hook judge: .*id=${requestId.replace(/[#]/g, '\\$&')}`));
      assert.equal(line.level, 'warn');
      assert.match(line.message, item.reason, item.stdout);
      assert.match(line.message, /answering the fallback \{"result":"continue"\}/);
    }
    plugin.driver.assertCleanStdout();
  });

  test('a configured fallback answers for a failed script', async (t) => {
    const plugin = await startPlugin(t, (script) => `  - name: strict\n    on: htlc_accepted\n    decide: true\n    run: ${script}\n    fallback: {result: fail, failure_message: "2002"}\n`);
    plugin.script('garbage', 0);
    assert.deepEqual(await plugin.driver.hook('htlc_accepted', requestOf('htlc_accepted')), { result: 'fail', failure_message: '2002' });
  });

  test('a hung decision script gets the fallback at its timeout, long before it could be killed', async (t) => {
    const dir = tempDir(t);
    const pidFile = path.join(dir, 'pid');
    const hung = writeScript(dir, 'hung.sh', `echo $$ > "${pidFile}"\ntrap '' TERM\necho "thinking" >&2\nsleep 30`);

    const config = writeConfig(dir, `hooks:\n  - name: hung\n    on: htlc_accepted\n    decide: true\n    run: ${hung}\n    timeout: 300ms\n    kill_after: 20s\n    fallback: {result: fail, failure_message: "2002"}\n`, 'hookd.config.yaml');
    const driver = new ClnDriver(t, { lightningDir: dir, env: { HOOKD_CONFIG: config } });
    await driver.start();
    const began = Date.now();
    const reply = await driver.hook('htlc_accepted', requestOf('htlc_accepted'), 'cln:htlc_accepted#hung');
    // hookd would SIGKILL it only 20 s on: end its process group with the test.
    const pid = Number(readFileSync(pidFile, 'utf8'));
    t.after(() => {
      try {
        process.kill(-pid, 'SIGKILL');
      } catch {
        // already gone
      }
    });
    assert.deepEqual(reply, { result: 'fail', failure_message: '2002' });
    // The script ignores SIGTERM and would only die at SIGKILL, 20 s later.
    assert.ok(Date.now() - began < 10_000, `answered after ${Date.now() - began} ms`);
    assert.match((await driver.waitForLog(/decision hook hung: timed out/)).message, /timed out after 300 ms/);
  });

  test('the default timeout of a decision hook is 5s', async (t) => {
    const dir = tempDir(t);
    writeScript(dir, 'ok.sh', 'exit 0');
    writeConfig(dir, 'hooks:\n  - name: cap\n    on: htlc_accepted\n    decide: true\n    run: ./ok.sh\n', 'hookd.yaml');
    const shown = await runHookd(['test', '-c', path.join(dir, 'hookd.yaml'), '--dry-run', '--type', 'htlc_accepted']);
    assert.match(shown.stdout, /timeout: 5s/);
  });

  test('decision hooks run in config order and the first reply that is not continue is final', async (t) => {
    const plugin = await startPlugin(t, (_script, dir) => {
      const step = (name: string, reply: string): string => writeScript(dir, `${name}.sh`, `touch "${path.join(dir, `${name}-ran`)}"\necho '${reply}'`);
      return [
        `  - name: first\n    on: htlc_accepted\n    decide: true\n    run: ${step('first', '{"result":"continue","payload":"abcd"}')}\n`,
        `  - name: second\n    on: htlc_accepted\n    decide: true\n    run: ${step('second', '{"result":"fail","failure_message":"400f"}')}\n`,
        `  - name: third\n    on: htlc_accepted\n    decide: true\n    run: ${step('third', '{"result":"continue"}')}\n`,
      ].join('');
    });
    assert.deepEqual(await plugin.driver.hook('htlc_accepted', requestOf('htlc_accepted')), { result: 'fail', failure_message: '400f' });
    assert.ok(existsSync(path.join(plugin.dir, 'first-ran')));
    assert.ok(existsSync(path.join(plugin.dir, 'second-ran')));
    assert.ok(!existsSync(path.join(plugin.dir, 'third-ran')), 'no hook runs after a final reply');
  });

  test('when every decision hook continues, a continue that carries data is the answer', async (t) => {
    const plugin = await startPlugin(t, (_script, dir) => [
      `  - name: plain\n    on: htlc_accepted\n    decide: true\n    run: ${writeScript(dir, 'plain.sh', 'exit 0')}\n`,
      `  - name: rewrite\n    on: htlc_accepted\n    decide: true\n    run: ${writeScript(dir, 'rewrite.sh', `echo '{"result":"continue","payload":"abcd"}'`)}\n`,
    ].join(''));
    assert.deepEqual(await plugin.driver.hook('htlc_accepted', requestOf('htlc_accepted')), { result: 'continue', payload: 'abcd' });
  });

  test('a where filter chooses which requests a decision script sees', async (t) => {
    const plugin = await startPlugin(t, (_script, dir) => `  - name: cap\n    on: htlc_accepted\n    decide: true\n    where:\n      htlc.amount_msat: { gt: 100000 }\n    run: ${writeScript(dir, 'cap.sh', `echo '{"result":"fail","failure_message":"2002"}'`)}\n`);
    const request = (amount: number | string): JsonObject => {
      const htlc = { ...(requestOf('htlc_accepted').htlc as JsonObject), amount_msat: amount };
      return { ...requestOf('htlc_accepted'), htlc } as JsonObject;
    };
    assert.deepEqual(await plugin.driver.hook('htlc_accepted', request(43)), { result: 'continue' });
    assert.deepEqual(await plugin.driver.hook('htlc_accepted', request(500000)), { result: 'fail', failure_message: '2002' });
    // An old release's "500000msat" is an amount too.
    assert.deepEqual(await plugin.driver.hook('htlc_accepted', request('500000msat')), { result: 'fail', failure_message: '2002' });
  });

  test('string and numeric ids are echoed unchanged', async (t) => {
    const plugin = await startPlugin(t, (script) => `  - name: any\n    on: custommsg\n    decide: true\n    run: ${script}\n`);
    plugin.script(undefined);
    for (const id of ['cln:custommsg#12/"odd" \\ id', 7, 18446744073709551615n] as const) {
      const sent: JsonValue = typeof id === 'bigint' ? (parseJson(id.toString()) as JsonValue) : id;
      const response = await plugin.driver.request('custommsg', requestOf('custommsg'), sent);
      assert.equal(stringifyJson(response.id as JsonValue), stringifyJson(sent));
      assert.deepEqual(response.result, { result: 'continue' });
    }
  });

  test('decision requests run side by side: a slow one does not hold a fast one', async (t) => {
    const plugin = await startPlugin(t, (_script, dir) => `  - name: varied\n    on: htlc_accepted\n    decide: true\n    run: ${writeScript(dir, 'varied.sh', 'if [ "$EVENT_HTLC_ID" = 1 ]; then sleep 5; fi\nexit 0')}\n`);
    const request = (id: number): JsonObject => ({ ...requestOf('htlc_accepted'), htlc: { ...(requestOf('htlc_accepted').htlc as JsonObject), id } });
    plugin.driver.send({ jsonrpc: '2.0', id: 'cln:htlc_accepted#slow', method: 'htlc_accepted', params: request(1) });
    plugin.driver.send({ jsonrpc: '2.0', id: 'cln:htlc_accepted#fast', method: 'htlc_accepted', params: request(2) });
    await plugin.driver.response('cln:htlc_accepted#fast');
    const order = plugin.driver.messages.filter((message) => 'id' in message).map((message) => message.id);
    assert.ok(!order.includes('cln:htlc_accepted#slow'), 'the fast request was answered first');
    await plugin.driver.response('cln:htlc_accepted#slow');
  });

  test('the config check refuses decision hooks that cannot work', async (t) => {
    const dir = tempDir(t);
    writeScript(dir, 'ok.sh', 'exit 0');
    const config = writeConfig(dir, [
      'hooks:',
      '  - {name: glob, on: "htlc_*", decide: true, run: ./ok.sh}',
      '  - {name: unknown, on: htlc_offered, decide: true, run: ./ok.sh}',
      '  - {name: badfallback, on: htlc_accepted, decide: true, run: ./ok.sh, fallback: {result: fail}}',
      '  - {name: notdecide, on: connect, run: ./ok.sh, fallback: {result: continue}}',
      '  - {name: goodsign, on: openchannel2_sign, decide: true, run: ./ok.sh, fallback: {result: continue}}',
      '',
    ].join('\n'), 'hookd.yaml');
    const result = await runHookd(['validate', '-c', config]);
    assert.equal(result.code, 78);
    assert.match(result.stderr, /:2: hooks\[0\]\.on: a decision hook names Core Lightning hooks, not globs: got "htlc_\*"/);
    assert.match(result.stderr, /:3: hooks\[1\]\.on: "htlc_offered" is not a Core Lightning hook(; did you mean "[a-z_]+"\?)? \(decision hooks: /);
    assert.match(result.stderr, /:4: hooks\[2\]\.fallback: not a reply htlc_accepted allows: one of "failure_message", "failure_onion" is required/);
    assert.match(result.stderr, /:5: hooks\[3\]\.fallback: only decision hooks \(decide: true\) have a fallback/);
    assert.doesNotMatch(result.stderr, /hooks\[4\]/);
  });
});
