// The README's first command, as written there, on hooks.example/: every
// example hook fires and the logs show it.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { ROOT, runHookd, tempDir } from './helpers.ts';

// "npm ci && npx hookd ARGS < FILE" from the README's first sh block.
function firstCommand(): { args: string[]; input: string } {
  const readme = readFileSync(path.join(ROOT, 'README.md'), 'utf8');
  const block = /```sh\n([^`]*)```/.exec(readme)?.[1] ?? '';
  const match = /npx hookd ([^<\n]*)< (\S+)/.exec(block);
  assert.ok(match, `no "npx hookd ... < FILE" in the README's first command: ${block}`);
  return { args: match[1]!.trim().split(/\s+/), input: match[2]! };
}

test('the README\'s first command runs the example hooks on the example events', async (t) => {
  const { args, input } = firstCommand();
  assert.deepEqual(args.slice(0, 2), ['-c', 'hooks.example/hookd.yaml']);
  const tmp = tempDir(t);
  const events = readFileSync(path.join(ROOT, input));
  const pretty = await runHookd(args, { input: events, env: { TMPDIR: tmp } });
  assert.equal(pretty.code, 0, pretty.stderr);
  assert.equal(pretty.stderr, '');
  assert.match(pretty.stdout, /INFO {2}invoice shop-order-17 paid: 250000 msat \(preimage 0f1e2d3c\w+\) hook=paid id=pay-1 stream=stdout/);
  assert.match(pretty.stdout, /INFO {2}new block 812345 00000000000000000002a7c4\w+ hook=block id=block-812345 stream=stdout/);
  assert.equal(pretty.stdout.match(/ INFO {2}hook ok hook=log-all /g)?.length, 4);

  // The same run with JSON logs, to check every run exactly.
  const json = await runHookd(args.filter((arg) => arg !== '--log-format' && arg !== 'pretty'), { input: events, env: { TMPDIR: tmp } });
  assert.equal(json.code, 0, json.stderr);
  const logs = json.stdout.trim().split('\n').map((line) => JSON.parse(line) as Record<string, unknown>);
  const runs = logs.filter((entry) => entry.msg === 'hook ok').map((entry) => `${entry.hook} ${entry.id}`).sort();
  assert.deepEqual(runs, ['block block-812345', 'log-all block-812345', 'log-all chan-1', 'log-all pay-1', 'log-all pay-2', 'paid pay-1']);
  assert.equal(logs.filter((entry) => entry.level !== 'info').length, 0);
  // log-all appended one line per event, each run; both runs wrote there.
  const logged = readFileSync(path.join(tmp, 'hookd-example-events.log'), 'utf8').trim().split('\n');
  assert.equal(logged.length, 8);
  assert.match(logged.find((line) => line.includes(' channel_opened chan-1 '))!, /"funding_msat":18446744073709551615}$/);
});
