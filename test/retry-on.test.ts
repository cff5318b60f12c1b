// `retry_on: tempfail` with the real binary: exit 75 (EX_TEMPFAIL) and
// timeouts are retried, any other failure is a dead letter at once, and the
// log lines and dead letters say which it was. `any` (the default) retries
// every failure, as before.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, test } from 'node:test';
import { DiskDeadLetters } from '../src/store/disk-dead-letters.ts';
import { assertRefused, configWithHook } from './config-problems.ts';
import { runHookd, tempDir, writeConfig, writeScript } from './helpers.ts';

// A hook that appends its attempt number to runs.txt and exits with the code
// listed for that attempt (the last code repeats).
function setup(dir: string, codes: number[], extra = ''): string {
  const cases = codes.map((code, i) => `  ${i + 1}) exit ${code} ;;`).join('\n');
  writeScript(dir, 'hook.sh', `echo "$HOOKD_ATTEMPT" >> "${dir}/runs.txt"
echo "attempt $HOOKD_ATTEMPT" >&2
case "$HOOKD_ATTEMPT" in
${cases}
esac
exit ${codes[codes.length - 1]}`);
  return writeConfig(dir, `state: ./state
event: { id: n }
hooks:
  - { name: mail, on: t, run: ./hook.sh, retries: 3, backoff: 10ms, retry_on: tempfail${extra} }
`);
}

const runs = (dir: string): string[] => readFileSync(path.join(dir, 'runs.txt'), 'utf8').trim().split('\n');
const logsOf = (stdout: string): Record<string, unknown>[] => stdout.trim().split('\n').map((line) => JSON.parse(line) as Record<string, unknown>);
const deadLetters = (dir: string) => [...new DiskDeadLetters(path.join(dir, 'state', 'dead')).list()];

describe('retry_on', { concurrency: true }, () => {
  test('tempfail: a failure other than exit 75 is not retried and becomes a dead letter that says it was permanent', async (t) => {
    const dir = tempDir(t);
    const config = setup(dir, [3]);
    const result = await runHookd(['-c', config], { input: '{"type":"t","n":1}\n' });
    assert.equal(result.code, 0, result.stderr);
    assert.deepEqual(runs(dir), ['1']);
    const failed = logsOf(result.stdout).filter((entry) => entry.hook === 'mail' && entry.exit === 3);
    assert.equal(failed.length, 1);
    assert.equal(failed[0]!.level, 'error');
    assert.equal(failed[0]!.failure, 'permanent');
    assert.equal(failed[0]!.msg, 'hook failed: exit 3, a permanent failure (retry_on: tempfail); not retried, kept as a dead letter');
    const letters = deadLetters(dir);
    assert.equal(letters.length, 1);
    assert.equal(letters[0]!.reason, 'exit 3, a permanent failure (retry_on: tempfail)');
    assert.deepEqual(letters[0]!.attempts.map((attempt) => attempt.stderrTail), [['attempt 1']]);
  });

  test('tempfail: exit 75 is retried, logged as a temporary failure, until the hook succeeds', async (t) => {
    const dir = tempDir(t);
    const config = setup(dir, [75, 75, 0]);
    const result = await runHookd(['-c', config], { input: '{"type":"t","n":1}\n' });
    assert.equal(result.code, 0, result.stderr);
    assert.deepEqual(runs(dir), ['1', '2', '3']);
    const failed = logsOf(result.stdout).filter((entry) => entry.hook === 'mail' && entry.exit === 75);
    assert.deepEqual(failed.map((entry) => [entry.level, entry.failure, entry.msg]), [
      ['warn', 'temporary', 'hook failed: exit 75, a temporary failure; will retry'],
      ['warn', 'temporary', 'hook failed: exit 75, a temporary failure; will retry'],
    ]);
    assert.deepEqual(deadLetters(dir), []);
  });

  test('tempfail: exit 75 past the last retry is a dead letter that says it was temporary', async (t) => {
    const dir = tempDir(t);
    const config = setup(dir, [75]);
    const result = await runHookd(['-c', config], { input: '{"type":"t","n":1}\n' });
    assert.equal(result.code, 0, result.stderr);
    assert.deepEqual(runs(dir), ['1', '2', '3', '4']);
    const letters = deadLetters(dir);
    assert.equal(letters.length, 1);
    assert.equal(letters[0]!.reason, 'exit 75, a temporary failure');
    assert.equal(letters[0]!.attempts.length, 4);
  });

  test('tempfail: a timeout is temporary and retried', async (t) => {
    const dir = tempDir(t);
    writeScript(dir, 'slow.sh', `echo "$HOOKD_ATTEMPT" >> "${dir}/runs.txt"\n[ "$HOOKD_ATTEMPT" = 1 ] && exec sleep 30\nexit 0`);
    const config = writeConfig(dir, `state: ./state
event: { id: n }
hooks:
  - { name: slow, on: t, run: ./slow.sh, retries: 1, backoff: 10ms, retry_on: tempfail, timeout: 200ms, kill_after: 100ms }
`);
    const result = await runHookd(['-c', config], { input: '{"type":"t","n":1}\n' });
    assert.equal(result.code, 0, result.stderr);
    assert.deepEqual(runs(dir), ['1', '2']);
    const timedOut = logsOf(result.stdout).find((entry) => entry.hook === 'slow' && entry.timedOut === true);
    assert.equal(timedOut?.failure, 'temporary');
    assert.deepEqual(deadLetters(dir), []);
  });

  test('any (the default, also set in defaults:) retries every failure as before', async (t) => {
    const dir = tempDir(t);
    writeScript(dir, 'hook.sh', `echo "$HOOKD_ATTEMPT" >> "${dir}/runs.txt"\nexit 3`);
    const config = writeConfig(dir, `state: ./state
event: { id: n }
defaults: { retry_on: tempfail }
hooks:
  - { name: mail, on: t, run: ./hook.sh, retries: 2, backoff: 10ms, retry_on: any }
`);
    const result = await runHookd(['-c', config], { input: '{"type":"t","n":1}\n' });
    assert.equal(result.code, 0, result.stderr);
    assert.deepEqual(runs(dir), ['1', '2', '3']);
    assert.equal(deadLetters(dir)[0]!.reason, 'exit 3');
    assert.ok(logsOf(result.stdout).every((entry) => entry.failure === undefined));
  });

  test('a retry_on of another word is refused by validate with file, line and key', async (t) => {
    const config = configWithHook(t, `hooks:
  - name: mail
    on: t
    run: ./hook.sh
    retry_on: sometimes
`);
    await assertRefused(config, [`${config}:5: hooks[0].retry_on: expected one of any, tempfail, got "sometimes" (string)`]);
  });
});
