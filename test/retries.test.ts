// Retries with the real binary: HOOKD_ATTEMPT counts up, waits grow as
// backoff × 2^(attempt-1) (± 20%) up to max_backoff, a non-zero exit, a
// signal and a timeout all count as failures, a concurrency-1 hook's later
// events wait behind a retry, and hookd (stdin only) exits once every
// delivery is done or dead. Timing checks are lopsided lower bounds.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { DiskDeadLetters } from '../src/store/disk-dead-letters.ts';
import { runHookd, tempDir, writeConfig, writeScript } from './helpers.ts';

// Lines "ID ATTEMPT MILLISECONDS" written by the hook at each start.
function readRuns(file: string): { id: string; attempt: number; at: number }[] {
  return readFileSync(file, 'utf8').trim().split('\n').map((line) => {
    const [id, attempt, nanos] = line.split(' ');
    return { id: id as string, attempt: Number(attempt), at: Number(nanos) / 1e6 };
  });
}

const START = 'echo "$HOOKD_ID $HOOKD_ATTEMPT $(date +%s%N)" >> "$OUT"';

test('a failing hook is retried with HOOKD_ATTEMPT 1..n and growing backoff, then kept as a dead letter, and hookd exits', async (t) => {
  const dir = tempDir(t);
  writeScript(dir, 'fail.sh', `${START}\necho "nope $HOOKD_ATTEMPT" >&2\nexit 3`);
  const config = writeConfig(dir, `state: ./state
event: { id: n }
hooks:
  - { name: flaky, on: t, run: ./fail.sh, retries: 3, backoff: 150ms, env: { OUT: ${dir}/runs.txt } }
`);
  const result = await runHookd(['-c', config], { input: '{"type":"t","n":1}\n' });
  assert.equal(result.code, 0, result.stderr);
  const runs = readRuns(path.join(dir, 'runs.txt'));
  assert.deepEqual(runs.map((run) => run.attempt), [1, 2, 3, 4]);
  const gaps = runs.slice(1).map((run, i) => run.at - (runs[i] as { at: number }).at);
  // 150 × 2^(k-1) × 0.8 at least: 120, 240, 480 ms.
  [120, 240, 480].forEach((least, i) => assert.ok((gaps[i] as number) >= least - 5, `wait ${i + 1} was ${gaps[i]} ms, expected at least ${least}`));
  const logs = result.stdout.trim().split('\n').map((line) => JSON.parse(line) as Record<string, unknown>);
  const failures = logs.filter((entry) => entry.hook === 'flaky' && entry.exit === 3);
  assert.deepEqual(failures.map((entry) => [entry.attempt, entry.level]), [[1, 'warn'], [2, 'warn'], [3, 'warn'], [4, 'error']]);
  assert.match(String(failures[3]?.msg), /out of retries, kept as a dead letter/);

  const letters = [...new DiskDeadLetters(path.join(dir, 'state', 'dead')).list()];
  assert.equal(letters.length, 1);
  const letter = letters[0]!;
  assert.equal(letter.hook, 'flaky');
  assert.equal(letter.event.id, '1');
  assert.equal(letter.reason, 'exit 3');
  assert.deepEqual(letter.attempts.map((attempt) => [attempt.attempt, attempt.exitCode, attempt.stderrTail]), [
    [1, 3, ['nope 1']], [2, 3, ['nope 2']], [3, 3, ['nope 3']], [4, 3, ['nope 4']],
  ]);
});

test('max_backoff caps the wait between retries', async (t) => {
  const dir = tempDir(t);
  writeScript(dir, 'fail.sh', `${START}\nexit 1`);
  const config = writeConfig(dir, `state: ./state
event: { id: n }
hooks:
  - { name: capped, on: t, run: ./fail.sh, retries: 2, backoff: 1h, max_backoff: 50ms, env: { OUT: ${dir}/runs.txt } }
`);
  const result = await runHookd(['-c', config], { input: '{"type":"t","n":1}\n' });
  assert.equal(result.code, 0, result.stderr);
  const runs = readRuns(path.join(dir, 'runs.txt'));
  assert.equal(runs.length, 3);
  // Without the cap the first wait alone would be 48 minutes.
  assert.ok((runs[2] as { at: number }).at - (runs[0] as { at: number }).at < 20_000);
});

test('a signal and a timeout are failures that are retried; success ends the retries', async (t) => {
  const dir = tempDir(t);
  writeScript(dir, 'moody.sh', `${START}
case "$HOOKD_ATTEMPT" in
  1) kill -KILL $$ ;;
  2) sleep 30 ;;
esac
exit 0`);
  const config = writeConfig(dir, `state: ./state
event: { id: n }
hooks:
  - { name: moody, on: t, run: ./moody.sh, retries: 5, backoff: 10ms, timeout: 300ms, kill_after: 100ms, env: { OUT: ${dir}/runs.txt } }
`);
  const result = await runHookd(['-c', config], { input: '{"type":"t","n":1}\n' });
  assert.equal(result.code, 0, result.stderr);
  const runs = result.stdout.trim().split('\n').map((line) => JSON.parse(line) as Record<string, unknown>).filter((entry) => entry.hook === 'moody' && 'attempt' in entry);
  assert.deepEqual(runs.map((entry) => [entry.attempt, entry.signal, entry.timedOut ?? false, entry.msg]), [
    [1, 'SIGKILL', false, 'hook failed: killed by SIGKILL; will retry'],
    [2, 'SIGTERM', true, 'hook failed: timed out (SIGTERM); will retry'],
    [3, null, false, 'hook ok'],
  ]);
  assert.deepEqual([...new DiskDeadLetters(path.join(dir, 'state', 'dead')).list()], []);
});

test("a concurrency-1 hook's later events wait behind a retry: order first", async (t) => {
  const dir = tempDir(t);
  // Event 1 fails on its first attempt only.
  writeScript(dir, 'ordered.sh', `${START}\n[ "$HOOKD_ID" = 1 ] && [ "$HOOKD_ATTEMPT" = 1 ] && exit 1\nexit 0`);
  const config = writeConfig(dir, `state: ./state
event: { id: n }
hooks:
  - { name: ordered, on: t, run: ./ordered.sh, retries: 1, backoff: 300ms, concurrency: 1, env: { OUT: ${dir}/runs.txt } }
`);
  const result = await runHookd(['-c', config], { input: '{"type":"t","n":1}\n{"type":"t","n":2}\n{"type":"t","n":3}\n' });
  assert.equal(result.code, 0, result.stderr);
  const runs = readRuns(path.join(dir, 'runs.txt'));
  assert.deepEqual(runs.map((run) => `${run.id}#${run.attempt}`), ['1#1', '1#2', '2#1', '3#1']);
  assert.ok((runs[2] as { at: number }).at - (runs[0] as { at: number }).at >= 240 - 5, 'event 2 waited for the retry of event 1');
});

test('other hooks do not wait for a retrying hook', async (t) => {
  const dir = tempDir(t);
  writeScript(dir, 'fail.sh', `${START}\nexit 1`);
  writeScript(dir, 'ok.sh', START);
  const config = writeConfig(dir, `state: ./state
event: { id: n }
hooks:
  - { name: failing, on: t, run: ./fail.sh, retries: 1, backoff: 1s, env: { OUT: ${dir}/failing.txt } }
  - { name: fine, on: t, run: ./ok.sh, env: { OUT: ${dir}/fine.txt } }
`);
  const result = await runHookd(['-c', config], { input: '{"type":"t","n":1}\n{"type":"t","n":2}\n' });
  assert.equal(result.code, 0, result.stderr);
  const failing = readRuns(path.join(dir, 'failing.txt'));
  const fine = readRuns(path.join(dir, 'fine.txt'));
  assert.deepEqual(fine.map((run) => run.id), ['1', '2']);
  // The retry of event 1 waits at least 0.8 s; the other hook ran event 2 well before.
  const retry = failing.find((run) => run.attempt === 2) as { at: number };
  assert.ok((fine[1] as { at: number }).at < retry.at, 'fine ran event 2 before failing retried event 1');
});
