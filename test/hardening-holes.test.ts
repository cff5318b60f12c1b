// The smaller holes: secrets in dead letters and status, a NUL byte bound for
// argv, inherited HOOKD_* variables, one duration grammar, and scripts or a
// state folder inside a folder anyone may write to.
import assert from 'node:assert/strict';
import { chmodSync, mkdirSync, readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { linesOf, startDaemon, stopHookd, talk, waitForLines } from './daemon-helpers.ts';
import { runHookd, tempDir, waitFor, writeConfig, writeScript } from './helpers.ts';

const TOKEN = 'tok-5ecret-7f3a9c';

// Every file under `dir`, recursively.
function filesUnder(dir: string): string[] {
  return readdirSync(dir, { recursive: true, encoding: 'utf8' }).map((name) => path.join(dir, name)).filter((file) => statSync(file).isFile());
}

test('a secret a failing hook prints to stderr is masked in the dead letter, dead show, dead list and status', async (t) => {
  const dir = tempDir(t);
  writeScript(dir, 'leak.sh', `echo "login failed with token $API_TOKEN" >&2\nexit 3`);
  const yaml = `state: ./state\nsources:\n  - socket: ./hookd.sock\nhooks:\n  - name: leak\n    on: tick\n    run: ./leak.sh\n    retries: 0\n    env: { API_TOKEN: ${TOKEN} }\n`;
  const { hookd, config } = await startDaemon(t, dir, yaml);
  await talk(path.join(dir, 'hookd.sock'), [JSON.stringify({ type: 'tick', n: 1 })]);
  const deadDir = path.join(dir, 'state', 'dead');
  const [letterFile] = await waitFor(() => {
    const files = filesUnder(deadDir).filter((file) => file.endsWith('.json'));
    return files.length > 0 ? files : undefined;
  }, 'a dead letter');
  const status = await runHookd(['status', '-c', config, '--json']);
  assert.equal(status.code, 0, status.stderr);
  assert.match(status.stdout, /login failed with token/);
  assert.ok(!status.stdout.includes(TOKEN), 'status shows the token');
  assert.equal(await stopHookd(hookd), 0);

  assert.ok(!readFileSync(letterFile as string, 'utf8').includes(TOKEN), 'the dead letter file holds the token');
  const id = path.basename(letterFile as string, '.json');
  for (const args of [['dead', 'show', id], ['dead', 'show', '--json', id], ['dead', 'list'], ['dead', 'list', '--json']]) {
    const shown = await runHookd([...args, '-c', config]);
    assert.equal(shown.code, 0, shown.stderr);
    assert.ok(!shown.stdout.includes(TOKEN), `hookd ${args.join(' ')} shows the token`);
  }
  assert.match((await runHookd(['dead', 'show', id, '-c', config])).stdout, /login failed with token \*\*\*/);
  assert.ok(!hookd.lines.join('\n').includes(TOKEN));
});

test('a NUL byte in a field an args template uses is refused at match with one line, never run or kept as a dead letter', async (t) => {
  const dir = tempDir(t);
  const out = path.join(dir, 'out.txt');
  writeScript(dir, 'name.sh', `echo "$1" >> '${out}'`);
  const yaml = `state: ./state\nsources:\n  - socket: ./hookd.sock\nhooks:\n  - name: named\n    on: tick\n    run: ./name.sh\n    args: ["{{who.name}}"]\n    retries: 1\n    backoff: 10ms\n`;
  const { hookd, config } = await startDaemon(t, dir, yaml);
  const answers = await talk(path.join(dir, 'hookd.sock'), [JSON.stringify({ type: 'tick', who: { name: 'a\u0000b' } }), JSON.stringify({ type: 'tick', who: { name: 'ok' } })]);
  assert.deepEqual(answers.map((answer) => answer.ok), [true, true]);
  assert.deepEqual(await waitForLines(out, 1), ['ok']);
  const lines = hookd.logs().filter((entry) => /NUL/.test(String(entry.msg)));
  assert.equal(lines.length, 1, JSON.stringify(hookd.logs().filter((entry) => entry.level !== 'info')));
  assert.match(String(lines[0]?.msg), /who\.name/);
  assert.equal(lines[0]?.hook, 'named');
  assert.equal(hookd.logs().filter((entry) => /hook failed/.test(String(entry.msg))).length, 0);
  assert.equal(await stopHookd(hookd), 0);
  const dead = await runHookd(['dead', 'list', '--json', '-c', config]);
  assert.deepEqual(JSON.parse(dead.stdout), []);
});

test('HOOKD_* variables that hookd inherited never reach a hook; only its own do', async (t) => {
  const dir = tempDir(t);
  const out = path.join(dir, 'names.txt');
  writeScript(dir, 'names.sh', `env | grep '^HOOKD_' | cut -d= -f1 | sort > '${out}'`);
  const config = writeConfig(dir, `state: false\nhooks:\n  - name: names\n    on: tick\n    run: ./names.sh\n`);
  const result = await runHookd(['--log-format', 'json'], { cwd: dir, input: '{"type":"tick"}\n', env: { HOOKD_CONFIG: config, HOOKD_EXTRA: 'leak', HOOKD_OMITTED: 'fake' } });
  assert.equal(result.code, 0, result.stderr + result.stdout);
  assert.deepEqual(linesOf(out), ['HOOKD_ATTEMPT', 'HOOKD_HOOK', 'HOOKD_ID', 'HOOKD_SOURCE', 'HOOKD_TIME', 'HOOKD_TYPE']);
});

test('a bare number is seconds everywhere: hookd emit --timeout 20 and a quoted "20" in the config', async (t) => {
  const dir = tempDir(t);
  writeScript(dir, 'noop.sh', 'exit 0');
  const { hookd, config } = await startDaemon(t, dir, `state: false\nsources:\n  - socket: ./hookd.sock\nhooks:\n  - name: noop\n    on: tick\n    run: ./noop.sh\n    timeout: "20"\n`);
  const sent = await runHookd(['emit', '-c', config, '--timeout', '20', 'tick']);
  assert.equal(sent.code, 0, sent.stderr);
  const bad = await runHookd(['emit', '-c', config, '--timeout', 'soon', 'tick']);
  assert.equal(bad.code, 2);
  assert.match(bad.stderr, /--timeout/);
  assert.equal(await stopHookd(hookd), 0);
});

test('a script inside a folder anyone may write to (no sticky bit) is refused, naming the folder; with the sticky bit it is not', async (t) => {
  const dir = tempDir(t);
  const open = path.join(dir, 'open');
  mkdirSync(open);
  writeScript(open, 'noop.sh', 'exit 0');
  chmodSync(open, 0o777);
  const config = writeConfig(dir, `state: false\nhooks:\n  - name: noop\n    on: tick\n    run: ./open/noop.sh\n`);
  const refused = await runHookd(['validate', '-c', config]);
  assert.notEqual(refused.code, 0);
  assert.match(refused.stdout + refused.stderr, new RegExp(`${open}.*world-writable|world-writable.*${open}`));
  chmodSync(open, 0o1777);
  const accepted = await runHookd(['validate', '-c', config]);
  assert.equal(accepted.code, 0, accepted.stdout + accepted.stderr);
});

test('a state folder inside a folder anyone may write to (no sticky bit) is refused at start, naming the folder', async (t) => {
  const dir = tempDir(t);
  const open = path.join(dir, 'open');
  mkdirSync(open);
  chmodSync(open, 0o777);
  writeScript(dir, 'noop.sh', 'exit 0');
  const config = writeConfig(dir, `state: ./open/state\nhooks:\n  - name: noop\n    on: tick\n    run: ./noop.sh\n`);
  const refused = await runHookd(['-c', config, '--log-format', 'json'], { cwd: dir, input: '' });
  assert.notEqual(refused.code, 0);
  assert.match(refused.stdout + refused.stderr, new RegExp(`world-writable.*${open}|${open}.*world-writable`));
  chmodSync(open, 0o1777);
  const accepted = await runHookd(['-c', config, '--log-format', 'json'], { cwd: dir, input: '' });
  assert.equal(accepted.code, 0, accepted.stdout + accepted.stderr);
});
