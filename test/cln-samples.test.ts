// `hookd test --type` and `--list-samples`: trying a script on a built-in
// Core Lightning payload before any payment happens.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, test } from 'node:test';
import { parseJson, type JsonObject } from '../src/json.ts';
import { FIXTURES, runHookd, tempDir, writeConfig, writeScript } from './helpers.ts';

const NOTIFICATION_TOPICS = [...new Set(Object.keys(parseJson(readFileSync(path.join(FIXTURES, 'cln', 'notifications.json'), 'utf8')) as JsonObject)
  .filter((name) => name !== '_comment' && !name.startsWith('custom.'))
  .map((name) => name.split('.')[0]!))];
const HOOK_NAMES = [...Object.keys(parseJson(readFileSync(path.join(FIXTURES, 'cln', 'hooks.json'), 'utf8')) as JsonObject).filter((name) => name !== '_comment'), 'onion_message_recv_secret'];

// Each test has its own folder and hookd: they run side by side.
describe('Core Lightning samples in hookd test', { concurrency: 4 }, () => {
  test('--list-samples lists every Core Lightning notification topic and hook', async () => {
    const result = await runHookd(['test', '--list-samples', '--json']);
    assert.equal(result.code, 0, result.stderr);
    const samples = (JSON.parse(result.stdout) as { samples: { name: string; kinds: string[] }[] }).samples;
    const kindsOf = new Map(samples.map((sample) => [sample.name, sample.kinds]));
    for (const topic of NOTIFICATION_TOPICS) assert.ok(kindsOf.get(topic)?.includes('notification'), topic);
    for (const hook of HOOK_NAMES) assert.ok(kindsOf.get(hook)?.includes('hook'), hook);
    const text = await runHookd(['test', '--list-samples']);
    assert.match(text.stdout, /^ {2}invoice_payment +notification, hook$/m);
  });

  test('--type runs a script on the built-in sample, unwrapped as the plugin would give it', async (t) => {
    const dir = tempDir(t);
    writeScript(dir, 'paid.sh', 'echo "paid $EVENT_MSAT msat for $EVENT_LABEL"');
    const config = writeConfig(dir, 'hooks:\n  - {name: paid, on: invoice_payment, run: ./paid.sh}\n', 'hookd.yaml');
    const result = await runHookd(['test', '-c', config, '--type', 'invoice_payment']);
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stdout, /\| paid 10000 msat for unique-label-for-invoice/);
    const dry = await runHookd(['test', '-c', config, '--dry-run', '--type', 'invoice_payment']);
    assert.match(dry.stdout, /EVENT_PREIMAGE=0{64}/);
    assert.doesNotMatch(dry.stdout, /result:/);
  });

  test('--type of a hook shows the reply lightningd would get: the script\'s own, or the fallback and why (exit 1)', async (t) => {
    const dir = tempDir(t);
    writeScript(dir, 'fail.sh', `echo '{"result":"fail","failure_message":"2002"}'`);
    writeScript(dir, 'bad.sh', `echo '{"result":"fail"}'`);
    const good = writeConfig(dir, 'hooks:\n  - {name: cap, on: htlc_accepted, decide: true, run: ./fail.sh}\n', 'good.yaml');
    const result = await runHookd(['test', '-c', good, '--type', 'htlc_accepted']);
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stdout, /^ {4}reply: {3}\{"result":"fail","failure_message":"2002"\}$/m);
    const bad = writeConfig(dir, 'hooks:\n  - {name: cap, on: htlc_accepted, decide: true, run: ./bad.sh, fallback: {result: continue}}\n', 'bad.yaml');
    const fallback = await runHookd(['test', '-c', bad, '--type', 'htlc_accepted', '--json']);
    assert.equal(fallback.code, 1);
    const report = JSON.parse(fallback.stdout) as { events: { hooks: { reply: { reply: JsonObject; fallbackReason: string } }[] }[] };
    const { reply } = report.events[0]!.hooks[0]!;
    assert.deepEqual(reply.reply, { result: 'continue' });
    assert.match(reply.fallbackReason, /is not one htlc_accepted allows/);
  });

  test('--type of a hook shows only decision hooks, with the u64 values whole', async (t) => {
    const dir = tempDir(t);
    writeScript(dir, 'ok.sh', 'exit 0');
    const config = writeConfig(dir, 'hooks:\n  - {name: opens, on: openchannel, decide: true, run: ./ok.sh}\n  - {name: all, on: "*", run: ./ok.sh}\n', 'hookd.yaml');
    const result = await runHookd(['test', '-c', config, '--dry-run', '--type', 'openchannel']);
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stdout, /hook opens \(decision hook\)/);
    assert.doesNotMatch(result.stdout, /hook all/);
    assert.match(result.stdout, /EVENT_MAX_HTLC_VALUE_IN_FLIGHT_MSAT=18446744073709551615/);
  });

  test('--type of an unknown topic is a usage error naming --list-samples', async (t) => {
    const dir = tempDir(t);
    writeScript(dir, 'ok.sh', 'exit 0');
    const config = writeConfig(dir, 'hooks:\n  - {name: ok, on: connect, run: ./ok.sh}\n', 'hookd.yaml');
    const result = await runHookd(['test', '-c', config, '--type', 'invoice_paid']);
    assert.equal(result.code, 2);
    assert.match(result.stderr, /no built-in sample "invoice_paid"; hookd test --list-samples lists them/);
    const both = await runHookd(['test', '-c', config, '--type', 'connect', 'events.jsonl']);
    assert.equal(both.code, 2);
  });
});
