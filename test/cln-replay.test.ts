// Replays what three real lightningd v26.06.6 nodes sent a "*" plugin while
// opening, using and closing channels, paying, routing and restarting. Each
// restart (a shutdown notification) ends the plugin, so each stretch between
// restarts goes to a fresh hookd, as under lightningd.
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { test, type TestContext } from 'node:test';
import { isJsonObject, parseJson, stringifyJson, type JsonObject } from '../src/json.ts';
import { ClnDriver } from './cln-driver.ts';
import { FIXTURES, tempDir, waitFor, writeConfig } from './helpers.ts';

const CAPTURES = ['node-A.jsonl', 'node-B.jsonl', 'node-C.jsonl'];
const APPEND_SCRIPT = path.join(FIXTURES, 'cln', 'append.sh');

// "TYPE STDIN" per run, as append.sh wrote them.
function recorded(records: string): string[] {
  const file = path.join(records, 'events');
  return existsSync(file) ? readFileSync(file, 'utf8').split('\n').filter((line) => line !== '') : [];
}

// The capture's lines, split after each shutdown.
function runsOfLightningd(file: string): string[][] {
  const lines = readFileSync(path.join(FIXTURES, 'cln', file), 'utf8').split('\n').filter((line) => line !== '');
  const stretches: string[][] = [[]];
  for (const line of lines) {
    stretches[stretches.length - 1]!.push(line);
    if ((parseJson(line) as JsonObject).method === 'shutdown') stretches.push([]);
  }
  return stretches.filter((stretch) => stretch.length > 0);
}

// One node's life: a fresh hookd per stretch between restarts, as lightningd
// starts it. The shutdown goes once the stretch's runs are done (hookd drops
// what it could not run in lightningd's grace period when it has no state
// directory, and this machine may be slow).
async function replayNode(t: TestContext, capture: string, lightningDir: string, config: string): Promise<string[]> {
  const records = path.join(lightningDir, 'records');
  mkdirSync(records, { recursive: true });
  for (const [index, stretch] of runsOfLightningd(capture).entries()) {
    const driver = new ClnDriver(t, { lightningDir: path.join(lightningDir, String(index)), env: { HOOKD_CONFIG: config, RECORD_DIR: records } });
    const manifest = await driver.start();
    assert.deepEqual(manifest.subscriptions, ['*']);
    const last = stretch.at(-1) ?? '';
    // Every stretch of these captures ends with lightningd's shutdown.
    assert.match(last, /"method":"shutdown"/);
    const before = recorded(records).length;
    // As lightningd writes them: each message, then a blank line, many per read.
    driver.writeRaw(stretch.slice(0, -1).map((line) => `${line}\n\n`).join(''));
    await waitFor(() => recorded(records).length >= before + stretch.length - 1, `${capture}: the runs of stretch ${index}`, 120_000);
    driver.writeRaw(`${last}\n\n`);
    assert.equal((await driver.exited).code, 0, driver.stderr);
    driver.assertCleanStdout();
  }
  return recorded(records);
}

test('every message of three real nodes reaches a "*" hook with its type and unwrapped fields', async (t) => {
  const dir = tempDir(t, 'hookd-replay-');
  const config = writeConfig(dir, `concurrency: 8\nhooks:\n  - name: all\n    on: "*"\n    run: ${APPEND_SCRIPT}\n    concurrency: 8\n`, 'hookd.config.yaml');
  const expected: string[] = [];
  for (const capture of CAPTURES) {
    for (const line of runsOfLightningd(capture).flat()) {
      const message = parseJson(line) as JsonObject;
      const params = message.params as JsonObject;
      // v26.06 wraps every topic's fields in an object named after it (pay's
      // custom notifications add origin/payload beside it).
      assert.ok(isJsonObject(params[message.method as string]), `${capture}: ${line.slice(0, 80)}`);
      expected.push(`${message.method as string} ${stringifyJson(params[message.method as string] as JsonObject)}`);
    }
  }
  assert.equal(expected.length, 684);
  // The three nodes side by side, each restarting in turn.
  const seen = (await Promise.all(CAPTURES.map((capture) => replayNode(t, capture, path.join(dir, capture), config)))).flat();
  assert.equal(seen.length, expected.length);
  assert.deepEqual([...seen].sort(), [...expected].sort());
  // u64 group ids (beyond 2^53) keep every digit.
  assert.ok(seen.some((line) => line.includes('"groupid":4431781697715052342')));
  const types = new Set(seen.map((line) => line.split(' ', 1)[0]));
  for (const type of ['invoice_payment', 'forward_event', 'sendpay_failure', 'coin_movement', 'pay_part_end', 'channel_hint_update', 'shutdown']) {
    assert.ok(types.has(type), type);
  }
});
