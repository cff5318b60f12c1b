// The systemd recipe of docs/operations.md without systemd: the example /etc config
// started the way the unit starts it (validate, then run with
// $STATE_DIRECTORY), an event sent with `hookd emit`, the hooks firing, and
// a clean stop on SIGTERM. Paths under /run, /var and /etc move to a temp folder.
import assert from 'node:assert/strict';
import { cpSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { ROOT, runHookd, startHookd, tempDir, waitFor } from './helpers.ts';

const EXAMPLES = path.join(ROOT, 'hooks.example');

test('the example /etc config, started as the unit starts it, runs its hooks for an event sent with hookd emit', async (t) => {
  const dir = tempDir(t);
  const etc = path.join(dir, 'etc');
  cpSync(path.join(EXAMPLES, 'hooks'), path.join(etc, 'hooks'), { recursive: true });
  const socket = path.join(dir, 'run', 'hookd.sock');
  const eventsLog = path.join(dir, 'log', 'events.log');
  const config = path.join(etc, 'hookd.yaml');
  writeFileSync(config, readFileSync(path.join(EXAMPLES, 'hookd-system.yaml'), 'utf8')
    .replace('/run/hookd/hookd.sock', socket)
    .replace('/var/log/hookd/events.log', eventsLog));
  // What RuntimeDirectory=, LogsDirectory= and StateDirectory= create.
  for (const made of ['run', 'log', 'state']) mkdirSync(path.join(dir, made));

  const validate = await runHookd(['validate', '-c', config]);
  assert.equal(validate.code, 0, validate.stderr);
  const hookd = startHookd(t, ['run', '-c', config], { env: { STATE_DIRECTORY: path.join(dir, 'state') }, input: '' });
  await waitFor(() => existsSync(socket), 'the socket');

  const emit = await runHookd(['emit', '--socket', socket, 'block', 'hash=00ab', 'height:=812345']);
  assert.equal(emit.code, 0, emit.stderr);
  const logged = await waitFor(() => (existsSync(eventsLog) ? readFileSync(eventsLog, 'utf8') : ''), 'the log-all hook');
  assert.match(logged, / block \S+ \{.*"hash":"00ab".*\}\n$/);
  await waitFor(() => hookd.logs().some((entry) => entry.msg === 'new block 812345 00ab' && entry.hook === 'block'), 'the block hook');

  hookd.child.kill('SIGTERM');
  assert.deepEqual(await hookd.exited, { code: 0, signal: null });
  assert.equal(existsSync(socket), false, 'the socket is removed at exit');
});
