// The state directory: where it is by default, one hookd at a time on it
// (the second is refused, naming the first's pid), and a lock left by a
// hookd killed with -9 does not block the next start.
import assert from 'node:assert/strict';
import { chmodSync, existsSync, mkdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { validateConfig } from '../src/config/resolve-config.ts';
import { defaultStateDir } from '../src/config/default-state-dir.ts';
import { exitWithin, runHookd, startHookd, tempDir, waitFor, writeConfig, writeScript } from './helpers.ts';

test('the default state directory is $STATE_DIRECTORY (first path), else $XDG_STATE_HOME/hookd, else ~/.local/state/hookd', () => {
  const home = (): string => '/home/op';
  assert.equal(defaultStateDir({ STATE_DIRECTORY: '/var/lib/hookd:/var/lib/other', XDG_STATE_HOME: '/x' }, home), '/var/lib/hookd');
  assert.equal(defaultStateDir({ XDG_STATE_HOME: '/x/state' }, home), '/x/state/hookd');
  assert.equal(defaultStateDir({ XDG_STATE_HOME: 'relative/is/ignored' }, home), '/home/op/.local/state/hookd');
  assert.equal(defaultStateDir({}, home), '/home/op/.local/state/hookd');
});

test('state: is a folder relative to the config, ~/ under the home folder, or false; anything else is a config error', () => {
  const hooks = [{ name: 'h', on: 't', run: ['/bin/true'] }];
  assert.equal(validateConfig({ state: 'st', hooks }, '/etc/hookd/hookd.yaml').state, '/etc/hookd/st');
  assert.equal(validateConfig({ state: false, hooks }, '/etc/hookd/hookd.yaml').state, false);
  assert.match(String(validateConfig({ state: '~/hd', hooks }, '/etc/h.yaml').state), /\/hd$/);
  assert.throws(() => validateConfig({ state: 42, hooks }, '/etc/hookd/hookd.yaml'), (error: Error & { details?: string[] }) => {
    assert.match(error.details?.[0] ?? '', /state: expected a folder path, or false/);
    return true;
  });
});

test('without state: in the config, hookd uses $STATE_DIRECTORY as systemd sets it', async (t) => {
  const dir = tempDir(t);
  const config = writeConfig(dir, 'hooks:\n  - { name: h, on: t, run: [/bin/true] }\n');
  const systemd = path.join(dir, 'lib', 'hookd');
  const result = await runHookd(['-c', config], { input: '{"type":"t"}\n', env: { STATE_DIRECTORY: `${systemd}:${dir}/other` } });
  assert.equal(result.code, 0, result.stderr);
  assert.ok(existsSync(path.join(systemd, 'queue')) && existsSync(path.join(systemd, 'dead')));
  assert.equal(statSync(systemd).mode & 0o777, 0o700, 'private to its owner');
  assert.ok(!existsSync(path.join(dir, 'other')));
  assert.ok(!existsSync(path.join(systemd, 'lock')), 'the lock is released at exit');
});

test('state: false keeps events in memory and says so at start', async (t) => {
  const dir = tempDir(t);
  const config = writeConfig(dir, 'state: false\nhooks:\n  - { name: h, on: t, run: [/bin/true] }\n');
  const result = await runHookd(['-c', config], { input: '{"type":"t"}\n' });
  assert.equal(result.code, 0, result.stderr);
  assert.match(result.stdout, /state: false.*in memory only/);
});

test('a second hookd on the same state directory exits 75 at once, naming the pid that holds it', async (t) => {
  const dir = tempDir(t);
  const config = writeConfig(dir, 'state: ./state\nhooks:\n  - { name: h, on: t, run: [/bin/true] }\n');
  const first = startHookd(t, ['-c', config]);
  await waitFor(() => first.logs().some((entry) => entry.msg === 'hookd started'), 'the first hookd to start');
  const second = await runHookd(['-c', config], { input: '{"type":"t"}\n' });
  assert.equal(second.code, 75);
  assert.match(second.stderr, new RegExp(`in use by another hookd \\(pid ${first.child.pid}\\)`));
  assert.equal(second.stderr.trim().split('\n').length, 1, 'one line, no stack trace');
  assert.equal(readFileSync(path.join(dir, 'state', 'lock'), 'utf8').split('\n')[0], String(first.child.pid), 'the first keeps its lock');
});

test('a lock left by a hookd killed with -9 does not block the next start', async (t) => {
  const dir = tempDir(t);
  writeScript(dir, 'h.sh', 'echo "$HOOKD_ID" >> "$OUT"');
  const config = writeConfig(dir, `state: ./state\nevent: { id: n }\nhooks:\n  - { name: h, on: t, run: ./h.sh, env: { OUT: ${dir}/out.txt } }\n`);
  const first = startHookd(t, ['-c', config]);
  await waitFor(() => first.logs().some((entry) => entry.msg === 'hookd started'), 'the first hookd to start');
  first.child.kill('SIGKILL');
  await exitWithin(first);
  assert.equal(readFileSync(path.join(dir, 'state', 'lock'), 'utf8').split('\n')[0], String(first.child.pid), 'the dead one left its lock');

  const second = startHookd(t, ['-c', config], { input: '{"type":"t","n":7}\n' });
  assert.deepEqual(await exitWithin(second), { code: 0, signal: null }, second.stderr());
  assert.ok(second.logs().some((entry) => entry.level === 'warn' && entry.pid === first.child.pid && /took over the lock/.test(String(entry.msg))));
  assert.equal(readFileSync(path.join(dir, 'out.txt'), 'utf8'), '7\n');
});

test('a world-writable state directory is refused', async (t) => {
  const dir = tempDir(t);
  mkdirSync(path.join(dir, 'state'));
  chmodSync(path.join(dir, 'state'), 0o777);
  const config = writeConfig(dir, 'state: ./state\nhooks:\n  - { name: h, on: t, run: [/bin/true] }\n');
  const result = await runHookd(['-c', config], { input: '{"type":"t"}\n' });
  assert.notEqual(result.code, 0);
  assert.match(result.stderr, /refusing a world-writable state directory/);
});
