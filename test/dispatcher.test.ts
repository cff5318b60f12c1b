// The daemon through the built bin: fan-out, per-hook order, the concurrency
// bounds (counted by real scripts, never timed), one log line per run,
// output logging, retries, run-time failures, and exit 0 after stdin ends.
import assert from 'node:assert/strict';
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { test, type TestContext } from 'node:test';
import { FIXTURES, runHookd, startHookd, tempDir, waitFor, writeConfig, writeScript } from './helpers.ts';
import { peakRssKiB } from './processes.ts';

const fixture = (name: string): string => path.join(FIXTURES, name);
type LogEntry = Record<string, unknown>;

function parseLogs(stdout: string): LogEntry[] {
  return stdout.trim().split('\n').filter(Boolean).map((line) => JSON.parse(line) as LogEntry);
}

// The log entries that end a run ("hook ok", "hook failed: ...").
const runLogs = (logs: LogEntry[]): LogEntry[] => logs.filter((entry) => typeof entry.msg === 'string' && /^hook (ok|failed)/.test(entry.msg));

const events = (count: number, type = 't'): string =>
  Array.from({ length: count }, (_, i) => `{"type":"${type}","id":"e${i + 1}","n":${i + 1}}\n`).join('');

// Absence cannot be waited for: once the bound is reached, runs stay held this
// long so that a run beyond the bound, if hookd would start one, shows up.
const SETTLE_MS = 500;

// A folder for count-running.sh: how many runs are marked now, the count each
// run saw when it started, and `go` to let the waiting runs end.
function counter(dir: string): { env: string; running: () => number; counts: () => number[]; go: () => void } {
  mkdirSync(path.join(dir, 'running'), { recursive: true });
  return {
    env: `COUNT_DIR: "${dir}"`,
    running: () => readdirSync(path.join(dir, 'running')).length,
    counts: () => readFileSync(path.join(dir, 'counts'), 'utf8').trim().split('\n').map(Number),
    go: () => writeFileSync(path.join(dir, 'go'), ''),
  };
}

type Counter = ReturnType<typeof counter>;

// Runs hookd on 6 events with every run held until `bound` runs are seen at
// once (and have had SETTLE_MS to go beyond it); returns what each run counted.
async function heldRuns(t: TestContext, file: string, count: Counter, bound: number): Promise<number[]> {
  const hookd = startHookd(t, ['-c', file], { input: events(6) });
  await waitFor(() => count.running() >= bound, `${bound} runs at once`);
  await new Promise((resolve) => setTimeout(resolve, SETTLE_MS));
  count.go();
  assert.deepEqual(await hookd.exited, { code: 0, signal: null });
  return count.counts();
}

test('every matching hook gets one run per event, and other hooks none', async (t) => {
  const dir = tempDir(t);
  const out = (hook: string): string => path.join(dir, hook);
  for (const hook of ['a', 'b', 'c', 'other']) mkdirSync(out(hook));
  const file = writeConfig(dir, `
event: { id: id }
hooks:
${['a', 'b', 'c'].map((hook) => `  - { name: ${hook}, on: "t*", run: ${fixture('print-env.sh')}, env: { OUT_DIR: "${out(hook)}" } }`).join('\n')}
  - { name: other, on: u, run: ${fixture('print-env.sh')}, env: { OUT_DIR: "${out('other')}" } }
`);
  const result = await runHookd(['-c', file], { input: events(3) });
  assert.equal(result.code, 0, result.stderr);
  for (const hook of ['a', 'b', 'c']) {
    for (const id of ['e1', 'e2', 'e3']) {
      assert.match(readFileSync(path.join(out(hook), `${id}.env`), 'utf8'), new RegExp(`\\0HOOKD_HOOK=${hook}\\0`), `${hook} ${id}`);
    }
  }
  assert.deepEqual(readdirSync(out('other')), []);
  assert.equal(runLogs(parseLogs(result.stdout)).length, 9);
});

test('a hook of concurrency 1 sees events in arrival order while other hooks run beside it', async (t) => {
  const dir = tempDir(t);
  // Every third run dawdles, so that a second run of the hook at once would overtake it.
  const script = writeScript(dir, 'slow-append.sh', `[ $(($1 % 3)) -eq 0 ] && sleep 0.05\necho "$1" >> "$OUT"`);
  const file = writeConfig(dir, `
concurrency: 8
hooks:
  - { name: ordered, on: t, run: ${script}, args: ["{{n}}"], env: { OUT: "${dir}/ordered" } }
  - { name: loose, on: t, run: ${script}, args: ["{{n}}"], concurrency: 4, env: { OUT: "${dir}/loose" } }
`);
  const result = await runHookd(['-c', file], { input: events(40) });
  assert.equal(result.code, 0, result.stderr);
  const expected = Array.from({ length: 40 }, (_, i) => String(i + 1));
  assert.deepEqual(readFileSync(path.join(dir, 'ordered'), 'utf8').trim().split('\n'), expected);
  assert.deepEqual(readFileSync(path.join(dir, 'loose'), 'utf8').trim().split('\n').sort((a, b) => Number(a) - Number(b)), expected);
});

test('the global concurrency is never exceeded, and is reached', async (t) => {
  const dir = tempDir(t);
  const count = counter(path.join(dir, 'count'));
  const file = writeConfig(dir, `
concurrency: 3
defaults: { run: ${fixture('count-running.sh')}, concurrency: 5, env: { ${count.env} } }
hooks:
  - { name: a, on: t }
  - { name: b, on: t }
`);
  const counts = await heldRuns(t, file, count, 3);
  assert.equal(counts.length, 12);
  assert.equal(Math.max(...counts), 3, counts.join(' '));
});

test('a hook\'s own concurrency bounds its runs below the global one', async (t) => {
  const dir = tempDir(t);
  const count = counter(path.join(dir, 'count'));
  const file = writeConfig(dir, `
concurrency: 8
hooks:
  - { name: pair, on: t, run: ${fixture('count-running.sh')}, concurrency: 2, env: { ${count.env} } }
`);
  const counts = await heldRuns(t, file, count, 2);
  assert.equal(counts.length, 6);
  assert.equal(Math.max(...counts), 2, counts.join(' '));
});

test('each run is logged once when it ends, with hook, type, id, pid, exit or signal, duration and attempt', async (t) => {
  const dir = tempDir(t);
  const file = writeConfig(dir, `
event: { id: id }
hooks:
  - { name: fine, on: t, run: ${fixture('exit-n.sh')} }
  - { name: broken, on: t, run: ${fixture('exit-n.sh')}, args: ["3"] }
  - { name: stuck, on: t, run: ${fixture('forever.sh')}, timeout: 1ms, kill_after: 5s }
`);
  const result = await runHookd(['-c', file], { input: events(2) });
  assert.equal(result.code, 0, result.stderr);
  const runs = runLogs(parseLogs(result.stdout));
  assert.equal(runs.length, 6);
  for (const hook of ['fine', 'broken', 'stuck']) {
    for (const id of ['e1', 'e2']) {
      const mine = runs.filter((entry) => entry.hook === hook && entry.id === id);
      assert.equal(mine.length, 1, `${hook} ${id}`);
      const { time, pid, durationMs, ...rest } = mine[0]!;
      assert.equal(typeof pid, 'number');
      assert.ok(typeof durationMs === 'number' && durationMs >= 0);
      assert.equal(typeof time, 'string');
      const expected = {
        fine: { level: 'info', exit: 0, signal: null, msg: 'hook ok' },
        broken: { level: 'error', exit: 3, signal: null, msg: 'hook failed: exit 3' },
        stuck: { level: 'error', exit: null, signal: 'SIGTERM', timedOut: true, msg: 'hook failed: timed out (SIGTERM)' },
      }[hook];
      assert.deepEqual(rest, { hook, type: 't', id, attempt: 1, ...expected });
    }
  }
});

test('a hook\'s output is logged line by line with its name, at most 64 KiB per run', async (t) => {
  const dir = tempDir(t);
  const talk = writeScript(dir, 'talk.sh', 'echo "hello $HOOKD_ID"\necho "oops" >&2');
  const chatty = writeScript(dir, 'chatty.sh', 'seq 1 30000');
  const file = writeConfig(dir, `
event: { id: id }
hooks:
  - { name: talk, on: t, run: ${talk} }
  - { name: chatty, on: t, run: ${chatty} }
`);
  const result = await runHookd(['-c', file], { input: events(1) });
  const logs = parseLogs(result.stdout);
  const lines = (hook: string): LogEntry[] => logs.filter((entry) => entry.hook === hook && entry.stream !== undefined);
  assert.deepEqual(lines('talk').map(({ time, ...entry }) => entry).sort((a, b) => String(a.stream).localeCompare(String(b.stream))), [
    { level: 'info', hook: 'talk', id: 'e1', stream: 'stderr', msg: 'oops' },
    { level: 'info', hook: 'talk', id: 'e1', stream: 'stdout', msg: 'hello e1' },
  ]);
  const chattyLines = lines('chatty').map((entry) => entry.msg);
  const keptBytes = chattyLines.reduce((sum: number, line) => sum + String(line).length + 1, 0);
  assert.ok(keptBytes <= 64 * 1024 && keptBytes > 64 * 1024 - 8, `${keptBytes} bytes logged`);
  assert.deepEqual(chattyLines, Array.from({ length: chattyLines.length }, (_, i) => String(i + 1)));
  const chattyRun = runLogs(logs).find((entry) => entry.hook === 'chatty');
  const total = Array.from({ length: 30000 }, (_, i) => String(i + 1).length + 1).reduce((a, b) => a + b);
  assert.equal(chattyRun?.droppedBytes, total - keptBytes);
});

test('a hook writing 150 MB on one line leaves hookd\'s memory alone', async (t) => {
  const dir = tempDir(t);
  const blob = writeScript(dir, 'blob.sh', `head -c 150000000 /dev/zero | tr '\\0' x\necho\necho after`);
  const file = writeConfig(dir, `hooks: [{ name: blob, on: t, run: ${blob} }]\n`);
  const hookd = startHookd(t, ['-c', file]);
  await waitFor(() => hookd.logs().some((entry) => entry.msg === 'hookd started'), 'hookd to start');
  const before = peakRssKiB(hookd.child.pid!);
  hookd.child.stdin!.write(events(1));
  const run = await waitFor(() => runLogs(hookd.logs())[0], 'the run to end', 60_000);
  const grownKiB = peakRssKiB(hookd.child.pid!) - before;
  hookd.child.stdin!.end();
  assert.deepEqual(await hookd.exited, { code: 0, signal: null });
  assert.equal(run.msg, 'hook ok');
  assert.equal(run.droppedBytes, 150_000_000 + 1 + 'after\n'.length);
  assert.ok(grownKiB < 64 * 1024, `hookd grew by ${grownKiB} KiB`);
});

test('hookd exits 0 after stdin ends, once every queued run has finished', async (t) => {
  const dir = tempDir(t);
  const slow = writeScript(dir, 'slow.sh', 'sleep 0.3\necho "$HOOKD_ID" >> "$OUT"');
  const file = writeConfig(dir, `
event: { id: id }
concurrency: 2
hooks: [{ name: slow, on: t, run: ${slow}, concurrency: 2, env: { OUT: "${dir}/done" } }]
`);
  const result = await runHookd(['-c', file], { input: events(6) });
  assert.equal(result.code, 0, result.stderr);
  assert.deepEqual(readFileSync(path.join(dir, 'done'), 'utf8').trim().split('\n').sort(), ['e1', 'e2', 'e3', 'e4', 'e5', 'e6']);
  const messages = parseLogs(result.stdout).map((entry) => entry.msg);
  assert.equal(messages.at(-1), 'hookd stopped');
  assert.ok(messages.lastIndexOf('hook ok') < messages.indexOf('hookd stopping'));
});

test('a failed run is retried with HOOKD_ATTEMPT 1, 2, 3 and the same HOOKD_ID, then given up', async (t) => {
  const dir = tempDir(t);
  const script = writeScript(dir, 'attempt.sh', 'echo "$HOOKD_HOOK $HOOKD_ATTEMPT $HOOKD_ID" >> "$OUT"\n[ "$HOOKD_ATTEMPT" -ge "$SUCCEED_AT" ]');
  const file = writeConfig(dir, `
event: { id: id }
defaults: { run: ${script}, retries: 2, backoff: 50ms }
hooks:
  - { name: never, on: t, env: { OUT: "${dir}/never", SUCCEED_AT: "99" } }
  - { name: second, on: t, env: { OUT: "${dir}/second", SUCCEED_AT: "2" } }
`);
  const result = await runHookd(['-c', file], { input: events(1) });
  assert.equal(result.code, 0, result.stderr);
  assert.equal(readFileSync(path.join(dir, 'never'), 'utf8'), 'never 1 e1\nnever 2 e1\nnever 3 e1\n');
  assert.equal(readFileSync(path.join(dir, 'second'), 'utf8'), 'second 1 e1\nsecond 2 e1\n');
  const runs = runLogs(parseLogs(result.stdout));
  assert.deepEqual(runs.filter((entry) => entry.hook === 'never').map((entry) => [entry.attempt, entry.level, entry.msg]), [
    [1, 'warn', 'hook failed: exit 1; will retry'],
    [2, 'warn', 'hook failed: exit 1; will retry'],
    [3, 'error', 'hook failed: exit 1; out of retries, kept as a dead letter'],
  ]);
  assert.deepEqual(runs.filter((entry) => entry.hook === 'second').map((entry) => [entry.attempt, entry.msg]), [
    [1, 'hook failed: exit 1; will retry'],
    [2, 'hook ok'],
  ]);
});

test('a script removed while hookd runs fails its runs clearly, and hookd goes on', async (t) => {
  const dir = tempDir(t);
  const doomed = writeScript(dir, 'doomed.sh', 'exit 0');
  const file = writeConfig(dir, `
event: { id: id }
hooks:
  - { name: doomed, on: t, run: ${doomed} }
  - { name: steady, on: t, run: ${fixture('exit-n.sh')} }
`);
  const hookd = startHookd(t, ['-c', file]);
  await waitFor(() => hookd.logs().some((entry) => entry.msg === 'hookd started'), 'hookd to start');
  rmSync(doomed);
  hookd.child.stdin!.end(events(2));
  assert.deepEqual(await hookd.exited, { code: 0, signal: null });
  const runs = runLogs(hookd.logs());
  assert.deepEqual(runs.filter((entry) => entry.hook === 'doomed').map((entry) => entry.msg), [
    `hook failed: ENOENT: cannot start ${doomed}`,
    `hook failed: ENOENT: cannot start ${doomed}`,
  ]);
  assert.deepEqual(runs.filter((entry) => entry.hook === 'steady').map((entry) => entry.msg), ['hook ok', 'hook ok']);
  assert.equal(hookd.stderr(), '');
});

test('a decision hook (decide: true) never runs outside plugin mode, and hookd says so at start', async (t) => {
  const dir = tempDir(t);
  const marker = path.join(dir, 'ran');
  writeScript(dir, 'decide.sh', `touch '${marker}'`);
  writeScript(dir, 'notify.sh', 'exit 0');
  const file = writeConfig(dir, 'state: false\nhooks:\n  - { name: cap, on: htlc_accepted, decide: true, run: ./decide.sh }\n  - { name: seen, on: htlc_accepted, run: ./notify.sh }\n');
  const result = await runHookd(['-c', file], { input: '{"type":"htlc_accepted"}\n' });
  assert.equal(result.code, 0, result.stderr);
  const logs = parseLogs(result.stdout);
  const warning = logs.find((entry) => String(entry.msg).startsWith('decision hooks (decide: true) run only'));
  assert.deepEqual(warning?.hooks, ['cap']);
  assert.deepEqual(runLogs(logs).map((entry) => entry.hook), ['seen']);
  assert.equal(readdirSync(dir).includes('ran'), false);
});
