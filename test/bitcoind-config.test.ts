// The bitcoind source's config section: what it resolves to, and one
// file:line:key problem for each mistake, all found at once.
import assert from 'node:assert/strict';
import path from 'node:path';
import { test } from 'node:test';
import { loadConfig } from '../src/config/load.ts';
import { HookdError } from '../src/errors.ts';
import { tempDir, writeConfig } from './helpers.ts';

const HOOKS = 'hooks:\n  - name: noop\n    on: block_connected\n    run: /bin/true\n';

test('a bitcoind source resolves paths, defaults and the URL', async (t) => {
  const dir = tempDir(t);
  const file = writeConfig(dir, `sources:\n  - bitcoind:\n      url: http://127.0.0.1:18443\n      cookie: ./regtest/.cookie\n      wallets: [shop, ""]\n${HOOKS}`);
  const [source] = (await loadConfig({ path: file })).sources;
  assert.deepEqual(source, {
    kind: 'bitcoind',
    url: 'http://127.0.0.1:18443/',
    auth: { kind: 'cookie', file: path.join(dir, 'regtest', '.cookie') },
    wallets: ['shop', ''],
    from: 'tip',
    pollMs: 5000,
    where: `${file}:2: sources[0].bitcoind`,
  });
});

test('every mistake of a bitcoind section is one line naming file, line and key', async (t) => {
  const dir = tempDir(t);
  const file = writeConfig(dir, `sources:
  - bitcoind:
      url: http://u:secret@127.0.0.1:8332
      user: hookd
      password: secret
      from: -1
      poll: 0s
      wallets: [shop, shop]
  - bitcoind:
      url: https://node:8332
      cookie: ./.cookie
      user: hookd
${HOOKS}`);
  const error = await loadConfig({ path: file }).catch((caught: unknown) => caught);
  assert.ok(error instanceof HookdError);
  assert.deepEqual(error.details.map((line) => line.slice(file.length)), [
    ':2: sources[0].bitcoind.password_file: missing: user: and password_file: go together',
    ':3: sources[0].bitcoind.url: put no user or password in the URL; use cookie:, or user: and password_file:',
    ':5: sources[0].bitcoind.password: a password is not written in the config (it would show wherever the config does); put it in a file of mode 0600 and name that with password_file:',
    ':6: sources[0].bitcoind.from: expected tip or a block height (a whole number of at least 0), got -1 (number)',
    ':7: sources[0].bitcoind.poll: expected a duration above 0, got "0s" (string)',
    ':8: sources[0].bitcoind.wallets[1]: the wallet "shop" is listed twice',
    ':10: sources[1].bitcoind.url: bitcoind\'s RPC speaks plain http://, got "https:"',
    ':11: sources[1].bitcoind.cookie: give cookie: or user: with password_file:, not both',
  ]);
  assert.ok(!error.details.join('\n').includes('secret@'));
});
