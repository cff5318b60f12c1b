// The `cln` source from the command line: its config checks (file:line:key),
// its built-in samples in `hookd test`, and `hookd run` refusing a cln
// source that names no socket outside plugin mode.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { INDEX_TOPICS } from '../src/lightningd/index-topics.ts';
import { runHookd, tempDir, writeConfig, writeScript } from './helpers.ts';

test('a cln source is checked like the others: every problem with its file, line and key', async (t) => {
  const dir = tempDir(t);
  const config = writeConfig(dir, [
    'sources:',
    '  - cln:',
    '      rpc: ""',
    '      from: later',
    '      timeout: 5',
    '  - cln: /run/lightning-rpc',
    'hooks:',
    '  - {name: paid, on: invoice_updated, run: /bin/true}',
    '',
  ].join('\n'));
  const result = await runHookd(['validate', '-c', config]);
  assert.equal(result.code, 78, result.stderr);
  assert.match(result.stderr, new RegExp(`${config}:3: sources\\[0\\]\\.cln\\.rpc: expected a non-empty string`));
  assert.match(result.stderr, new RegExp(`${config}:4: sources\\[0\\]\\.cln\\.from: expected now or start, got "later"`));
  assert.match(result.stderr, new RegExp(`${config}:5: sources\\[0\\]\\.cln\\.timeout: unknown key`));
  assert.match(result.stderr, new RegExp(`${config}:6: sources\\[1\\]\\.cln: expected a mapping such as \\{rpc: /path/to/lightning-rpc, from: now\\}`));
});

test('a valid cln source passes validate; two on one socket are refused', async (t) => {
  const dir = tempDir(t);
  const ok = writeConfig(dir, 'sources:\n  - cln: { rpc: ./lightning-rpc, from: start }\n  - cln: {}\nhooks:\n  - {name: paid, on: invoice_updated, run: /bin/true}\n');
  const result = await runHookd(['validate', '-c', ok]);
  assert.equal(result.code, 0, result.stderr);
  const twice = writeConfig(dir, 'sources:\n  - cln: { rpc: ./lightning-rpc }\n  - cln: { rpc: ./lightning-rpc, from: start }\nhooks:\n  - {name: paid, on: invoice_updated, run: /bin/true}\n', 'twice.yaml');
  const refused = await runHookd(['validate', '-c', twice]);
  assert.equal(refused.code, 78);
  assert.match(refused.stderr, /sources\[1\]: the same source as sources\[0\]/);
});

test('hookd run refuses a cln source without rpc outside plugin mode, in one line', async (t) => {
  const dir = tempDir(t);
  const config = writeConfig(dir, 'sources:\n  - cln: {}\nstate: false\nhooks:\n  - {name: paid, on: invoice_updated, run: /bin/true}\n');
  const result = await runHookd(['run', '-c', config]);
  assert.equal(result.code, 78, result.stderr);
  assert.match(result.stderr, /a cln source without rpc finds the node's socket only in plugin mode; give rpc: \/path\/to\/lightning-rpc/);
  assert.doesNotMatch(result.stderr, /\n\s+at /);
});

test('hookd test --type has a built-in sample of each of the 16 record types, numbers exact', async (t) => {
  const dir = tempDir(t);
  writeScript(dir, 'show.sh', 'echo "$HOOKD_TYPE status=$EVENT_STATUS groupid=$EVENT_GROUPID"; cat');
  const config = writeConfig(dir, 'hooks:\n  - {name: show, on: "*_*", run: ./show.sh}\n');
  const list = JSON.parse((await runHookd(['test', '--list-samples', '--json'])).stdout) as { samples: { name: string; kinds: string[] }[] };
  for (const topic of INDEX_TOPICS) assert.deepEqual(list.samples.find((sample) => sample.name === topic.type)?.kinds, ['record'], topic.type);
  const paid = await runHookd(['test', '-c', config, '--type', 'invoice_updated']);
  assert.equal(paid.code, 0, paid.stderr);
  assert.match(paid.stdout, /invoice_updated status=paid/);
  const sent = await runHookd(['test', '-c', config, '--type', 'sendpay_updated']);
  assert.match(sent.stdout, /sendpay_updated status=complete groupid=1406704518369042183/);
  assert.match(sent.stdout, /"groupid":1406704518369042183/);
  // Four at a time: each is a process of its own.
  for (let first = 0; first < INDEX_TOPICS.length; first += 4) {
    await Promise.all(INDEX_TOPICS.slice(first, first + 4).map(async (topic) => {
      const result = await runHookd(['test', '-c', config, '--dry-run', '--type', topic.type]);
      assert.equal(result.code, 0, `${topic.type}: ${result.stderr}`);
      assert.match(result.stdout, new RegExp(`type=${topic.type} `));
    }));
  }
});
