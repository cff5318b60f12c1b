// kill -9 of the hookd binary in the middle of a burst, then a restart: every
// event acknowledged before the kill reaches every hook, the run the kill cut
// short runs again with HOOKD_ATTEMPT one higher, per-hook order holds, and a
// queue file torn mid-record is reported and skipped without losing anything
// before it. "Acknowledged" is observable: hookd logs "event stored" (debug)
// once an event's record is fsync'd, which is when accept() resolves.
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync, truncateSync, unlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { test, type TestContext } from 'node:test';
import { DiskDeadLetters } from '../src/store/disk-dead-letters.ts';
import { exitWithin, runHookd, startHookd, tempDir, waitFor, writeConfig, writeScript, type HookdProcess } from './helpers.ts';

// `slow` (concurrency 1) blocks on event BLOCK until killed, while the file
// blocked.armed exists (the crash removes it);
// `tally` (concurrency 2) just records. Each appends "start|done ID ATTEMPT".
function setUp(t: TestContext, block: number): { dir: string; config: string; read: (hook: string) => string[] } {
  const dir = tempDir(t);
  writeScript(dir, 'hook.sh', `
echo "start $HOOKD_ID $HOOKD_ATTEMPT" >> "$OUT"
if [ "$HOOKD_HOOK" = slow ] && [ "$HOOKD_ID" = "${block}" ] && [ -e "$ARMED" ]; then
  echo $$ > "$PIDFILE"
  i=0
  while [ $i -lt 600 ]; do sleep 0.05; i=$((i+1)); done
fi
echo "done $HOOKD_ID $HOOKD_ATTEMPT" >> "$OUT"`);
  const config = writeConfig(dir, `
state: ./state
event: { id: n }
hooks:
  - name: slow
    on: burst
    run: ./hook.sh
    concurrency: 1
    env: { OUT: ${dir}/slow.txt, PIDFILE: ${dir}/blocked.pid, ARMED: ${dir}/blocked.armed }
  - name: tally
    on: burst
    run: ./hook.sh
    concurrency: 2
    env: { OUT: ${dir}/tally.txt }
`);
  writeFileSync(path.join(dir, 'blocked.armed'), '');
  const read = (hook: string): string[] => {
    const file = path.join(dir, `${hook}.txt`);
    return existsSync(file) ? readFileSync(file, 'utf8').trim().split('\n') : [];
  };
  return { dir, config, read };
}

const burst = (from: number, to: number): string => {
  let text = '';
  for (let n = from; n <= to; n++) text += `{"type":"burst","n":${n}}\n`;
  return text;
};

const storedIds = (hookd: HookdProcess): string[] => hookd.logs().filter((entry) => entry.msg === 'event stored').map((entry) => String(entry.id));

// Kill hookd with SIGKILL, then the hook it left blocked (its own process group).
async function crash(hookd: HookdProcess, dir: string): Promise<void> {
  hookd.child.kill('SIGKILL');
  await exitWithin(hookd);
  unlinkSync(path.join(dir, 'blocked.armed'));
  const pid = Number(readFileSync(path.join(dir, 'blocked.pid'), 'utf8'));
  try {
    process.kill(-pid, 'SIGKILL');
  } catch {
    // already gone
  }
}

test('after kill -9 mid-burst and a restart, every acknowledged event reaches every hook, in order, the cut run with the next attempt', async (t) => {
  const { dir, config, read } = setUp(t, 5);
  const first = startHookd(t, ['-c', config, '--log-level', 'debug']);
  first.child.stdin!.write(burst(1, 25));
  await waitFor(() => storedIds(first).length === 25 && read('slow').includes('start 5 1'), 'the burst stored and event 5 running');
  const acknowledged = storedIds(first);
  await crash(first, dir);
  assert.ok(!read('slow').includes('done 5 1'), 'the run of event 5 was cut short');
  assert.ok(!read('slow').includes('start 25 1'), 'events were still queued at the kill');

  const second = await runHookd(['-c', config], { timeoutMs: 60_000 });
  assert.equal(second.code, 0, second.stderr);
  const slow = read('slow');
  const tally = read('tally');
  for (const id of acknowledged) {
    assert.ok(slow.some((line) => line.startsWith(`done ${id} `)), `slow ran event ${id}`);
    assert.ok(tally.some((line) => line.startsWith(`done ${id} `)), `tally ran event ${id}`);
  }
  assert.ok(slow.includes('start 5 2') && slow.includes('done 5 2'), 'event 5 ran again as attempt 2');
  const starts = slow.filter((line) => line.startsWith('start ')).map((line) => Number(line.split(' ')[1]));
  const expected = [1, 2, 3, 4, 5, ...Array.from({ length: 21 }, (_, i) => i + 5)];
  assert.deepEqual(starts, expected, 'slow (concurrency 1) saw arrival order, before and after the crash');
  assert.deepEqual(readdirSync(path.join(dir, 'state', 'queue')), [], 'nothing is left in the queue once all is done');
});

test('a queue file torn mid-record is reported and skipped; every event before the tear is delivered', async (t) => {
  const { dir, config, read } = setUp(t, 1);
  const first = startHookd(t, ['-c', config, '--log-level', 'debug']);
  first.child.stdin!.write(burst(1, 20));
  await waitFor(() => storedIds(first).length === 20 && read('slow').includes('start 1 1'), 'the burst stored and event 1 running');
  await crash(first, dir);

  const queueDir = path.join(dir, 'state', 'queue');
  const [segment] = readdirSync(queueDir);
  const file = path.join(queueDir, segment!);
  const text = readFileSync(file, 'utf8');
  // Cut the file in the middle of the record of the last event (n=20).
  const start = text.lastIndexOf('"rec":"event"');
  const lineStart = text.lastIndexOf('\n', start) + 1;
  assert.match(text.slice(lineStart, text.indexOf('\n', start)), /"id":"20"/);
  truncateSync(file, Buffer.byteLength(text.slice(0, lineStart)) + 30);

  const second = startHookd(t, ['-c', config], { input: '' });
  assert.deepEqual(await exitWithin(second), { code: 0, signal: null }, second.stderr());
  const warning = second.logs().find((entry) => entry.level === 'warn' && String(entry.msg).includes('cut short'));
  assert.ok(warning, 'the torn record is reported');
  assert.equal(warning.file, file);
  const slow = read('slow');
  for (let n = 1; n <= 19; n++) assert.ok(slow.some((line) => line.startsWith(`done ${n} `)), `event ${n} delivered`);
  assert.ok(!slow.some((line) => line.startsWith('start 20 ')), 'the torn event is not made up');
});

test('a retry waiting when hookd is killed goes on after the restart with the next attempt, and the dead letter keeps every attempt', async (t) => {
  const dir = tempDir(t);
  writeScript(dir, 'fail.sh', 'echo "$HOOKD_ATTEMPT" >> "$OUT"\necho "failed attempt $HOOKD_ATTEMPT" >&2\nexit 3');
  const hooks = (backoff: string): string => `state: ./state
event: { id: n }
hooks:
  - { name: stubborn, on: t, run: ./fail.sh, retries: 2, backoff: ${backoff}, env: { OUT: ${dir}/attempts.txt } }
`;
  const config = writeConfig(dir, hooks('1h'));
  const first = startHookd(t, ['-c', config]);
  first.child.stdin!.write('{"type":"t","n":1}\n');
  await waitFor(() => first.logs().some((entry) => entry.attempt === 1 && /will retry/.test(String(entry.msg))), 'the first attempt to fail');
  first.child.kill('SIGKILL');
  await exitWithin(first);

  writeConfig(dir, hooks('10ms'));
  const second = await runHookd(['-c', config]);
  assert.equal(second.code, 0, second.stderr);
  assert.deepEqual(readFileSync(path.join(dir, 'attempts.txt'), 'utf8').trim().split('\n'), ['1', '2', '3']);
  const letters = [...new DiskDeadLetters(path.join(dir, 'state', 'dead')).list()];
  assert.equal(letters.length, 1);
  assert.deepEqual(letters[0]!.attempts.map((attempt) => [attempt.attempt, attempt.outcome, attempt.stderrTail[0]]), [
    [1, 'exit 3', 'failed attempt 1'],
    [2, 'exit 3', 'failed attempt 2'],
    [3, 'exit 3', 'failed attempt 3'],
  ]);
});

test('after SIGTERM mid-burst, the events not yet run are kept and run at the next start', async (t) => {
  const dir = tempDir(t);
  writeScript(dir, 'slowish.sh', 'sleep 0.1\necho "$HOOKD_ID" >> "$OUT"');
  const config = writeConfig(dir, `state: ./state
event: { id: n }
hooks:
  - { name: slowish, on: burst, run: ./slowish.sh, env: { OUT: ${dir}/done.txt } }
`);
  const done = (): string[] => (existsSync(path.join(dir, 'done.txt')) ? readFileSync(path.join(dir, 'done.txt'), 'utf8').trim().split('\n') : []);
  const first = startHookd(t, ['-c', config, '--log-level', 'debug']);
  first.child.stdin!.write(burst(1, 12));
  await waitFor(() => storedIds(first).length === 12 && done().length >= 2, 'two events done');
  first.child.kill('SIGTERM');
  assert.deepEqual(await exitWithin(first), { code: 0, signal: null });
  assert.ok(done().length < 12, 'events were left at the stop');

  const second = await runHookd(['-c', config]);
  assert.equal(second.code, 0, second.stderr);
  assert.deepEqual(done().map(Number), Array.from({ length: 12 }, (_, i) => i + 1), 'each event ran once, in order');
});
