// A full or read-only state folder: refused events are refused for good
// (they never run once space returns), the condition is logged once when it
// starts and once when it clears, and a read-only folder is named as such.
import assert from 'node:assert/strict';
import { mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { test, type TestContext } from 'node:test';
import { linesOf, startDaemon, stopHookd, talk, waitForLog } from './daemon-helpers.ts';
import { runHookd, tempDir, waitFor, writeConfig, writeScript } from './helpers.ts';
import { httpRequest, type HttpAnswer } from './http-client.ts';
import { mountTmpfs } from './mounts.ts';

const PADDING = 'x'.repeat(2000);

// A 1 MiB tmpfs under `dir` with `takenKiB` of it taken by a filler file, and
// a hook script hold.sh that waits for the file `gate`, then appends $EVENT_N
// to `out`. Undefined (skipped) where a tmpfs cannot be mounted.
function fullFolder(t: TestContext, dir: string, takenKiB: number): { mount: string; filler: string; out: string; gate: string } | undefined {
  const mount = mountTmpfs(t, dir, 'full', 'size=1m');
  if (mount === undefined) return undefined;
  const filler = path.join(mount, 'filler');
  writeFileSync(filler, Buffer.alloc(takenKiB * 1024, 1));
  const out = path.join(dir, 'ran.txt');
  const gate = path.join(dir, 'go');
  writeScript(dir, 'hold.sh', `while [ ! -e '${gate}' ]; do sleep 0.05; done\necho "$EVENT_N" >> '${out}'`);
  return { mount, filler, out, gate };
}

test('events refused while the state folder is full never run once space returns, and the log says so once each way', async (t) => {
  const dir = tempDir(t);
  // Most of the filesystem taken: the queue has room for ~150 events.
  const full = fullFolder(t, dir, 700);
  if (full === undefined) return;
  const { mount, filler, out, gate } = full;
  const { hookd } = await startDaemon(t, dir, `state: ${path.join(mount, 'state')}\nsources:\n  - socket: ./hookd.sock\nhooks:\n  - name: hold\n    on: tick\n    run: ./hold.sh\n`);
  const socket = path.join(dir, 'hookd.sock');
  const lines = Array.from({ length: 800 }, (_, n) => JSON.stringify({ type: 'tick', n, padding: PADDING }));
  const answers = await talk(socket, lines, 60_000);
  assert.equal(answers.length, 800);
  const accepted = answers.flatMap((answer, n) => (answer.ok === true ? [String(n)] : []));
  const refused = answers.filter((answer) => answer.ok !== true);
  assert.ok(refused.length > 0, 'the filesystem never filled up: the test proves nothing');
  assert.ok(refused.every((answer) => /ENOSPC/.test(String(answer.error))), `refusals name ENOSPC: ${JSON.stringify(refused[0])}`);

  // Space returns; the hook goes on; one more event shows everything before it ran.
  rmSync(filler);
  writeFileSync(gate, '');
  const [last] = await talk(socket, [JSON.stringify({ type: 'tick', n: 'last' })]);
  assert.equal(last?.ok, true, JSON.stringify(last));
  const ran = await waitFor(() => (linesOf(out).length > accepted.length ? linesOf(out) : undefined), 'every accepted event run', 120_000);
  assert.deepEqual(ran, [...accepted, 'last'], 'exactly the accepted events ran, in order; no refused one');
  await waitForLog(hookd, 'refuses writes');
  await waitForLog(hookd, 'accepts writes again');

  const noisy = hookd.logs().filter((entry) => /ENOSPC/.test(JSON.stringify(entry)));
  assert.equal(noisy.length, 1, `one log line when the disk refuses, got ${noisy.length}: ${JSON.stringify(noisy.slice(0, 3))}`);
  assert.equal(await stopHookd(hookd), 0);
  assert.deepEqual(linesOf(out), [...accepted, 'last']);
});

// A file source and an inbox hold back while the state folder is full: the
// file's position does not pass what was refused, the inbox leaves its files
// in place, and once space returns every event runs exactly once, in order.
for (const kind of ['file', 'inbox'] as const) {
  test(`${kind === 'inbox' ? 'an' : 'a'} ${kind} source holds back while the state folder is full, and loses nothing once space returns`, async (t) => {
    const dir = tempDir(t);
    // Room for a few dozen events: most of them wait for space.
    const full = fullFolder(t, dir, 900);
    if (full === undefined) return;
    const { mount, filler, out, gate } = full;
    const count = 150;
    const events = Array.from({ length: count }, (_, n) => JSON.stringify({ type: 'tick', n, padding: PADDING }));
    const inbox = path.join(dir, 'inbox');
    let source = `file: ./events.jsonl`;
    if (kind === 'file') {
      writeFileSync(path.join(dir, 'events.jsonl'), `${events.join('\n')}\n`);
    } else {
      mkdirSync(inbox, { mode: 0o700 });
      // Names in arrival order (the inbox takes the oldest first, then by name).
      events.forEach((line, n) => writeFileSync(path.join(inbox, `${String(n).padStart(4, '0')}.json`), line));
      source = 'inbox: ./inbox';
    }
    const { hookd } = await startDaemon(t, dir, `state: ${path.join(mount, 'state')}\nsources:\n  - ${source}\nhooks:\n  - name: hold\n    on: tick\n    run: ./hold.sh\n`);
    await waitForLog(hookd, 'refuses writes');
    if (kind === 'inbox') assert.ok(readdirSync(inbox).length > 0, 'the inbox leaves refused files in place');

    rmSync(filler);
    writeFileSync(gate, '');
    const ran = await waitFor(() => (linesOf(out).length >= count ? linesOf(out) : undefined), 'every event to run', 120_000);
    assert.deepEqual(ran, events.map((_, n) => String(n)), 'each event ran once, in order');
    await waitForLog(hookd, 'accepts writes again');
    if (kind === 'inbox') assert.deepEqual(readdirSync(inbox), [], 'every file taken once accepted');
    const noisy = hookd.logs().filter((entry) => /ENOSPC/.test(JSON.stringify(entry)));
    assert.ok(noisy.length <= 2, `the full disk is logged once by the store (and once by the source), got ${noisy.length}: ${JSON.stringify(noisy.slice(0, 4))}`);
    assert.equal(await stopHookd(hookd), 0);
    assert.equal(linesOf(out).length, count, 'nothing ran twice');
  });
}

test('the http source answers 503 with Retry-After while the state folder is full, naming no path, and 202 once space returns', async (t) => {
  const dir = tempDir(t);
  const full = fullFolder(t, dir, 700);
  if (full === undefined) return;
  const { mount, filler, out } = full;
  writeScript(dir, 'record.sh', `echo "$EVENT_N" >> '${out}'`);
  const { hookd } = await startDaemon(t, dir, `state: ${path.join(mount, 'state')}\nsources:\n  - http: {listen: "127.0.0.1:0"}\nhooks:\n  - name: record\n    on: tick\n    run: ./record.sh\n`);
  const listening = await waitForLog(hookd, 'listening', { source: 'http' });
  const target = { host: '127.0.0.1', port: Number(/:(\d+)$/.exec(String(listening.listen))?.[1]) };
  const accepted: string[] = [];
  let refused: HttpAnswer | undefined;
  for (let n = 0; refused === undefined && n < 2000; n++) {
    const answer = await httpRequest(target, 'POST', '/', JSON.stringify({ type: 'tick', n, padding: PADDING }));
    if (answer.status === 202) accepted.push(String(n));
    else refused = answer;
  }
  assert.ok(refused, 'the filesystem never filled up: the test proves nothing');
  assert.equal(refused.status, 503, refused.text);
  assert.equal(refused.headers['retry-after'], '30');
  assert.ok(!refused.text.includes(mount), `the answer names no folder: ${refused.text}`);

  rmSync(filler);
  const again = await httpRequest(target, 'POST', '/', JSON.stringify({ type: 'tick', n: 'last' }));
  assert.equal(again.status, 202, again.text);
  const ran = await waitFor(() => (linesOf(out).length > accepted.length ? linesOf(out) : undefined), 'the accepted events and the last to run', 60_000);
  assert.deepEqual(ran, [...accepted, 'last'], 'what was answered 202 ran, what was answered 503 did not');
  assert.equal(await stopHookd(hookd), 0);
});

test('a state folder on a read-only filesystem is refused at start with EROFS', async (t) => {
  const dir = tempDir(t);
  const mount = mountTmpfs(t, dir, 'ro', 'ro,size=64k');
  if (mount === undefined) return;
  writeScript(dir, 'noop.sh', 'exit 0');
  const config = writeConfig(dir, `state: ${path.join(mount, 'state')}\nsources:\n  - socket: ./hookd.sock\nhooks:\n  - name: noop\n    on: tick\n    run: ./noop.sh\n`);
  const result = await runHookd(['-c', config, '--log-format', 'json'], { cwd: dir });
  assert.notEqual(result.code, 0);
  const output = result.stdout + result.stderr;
  assert.match(output, /EROFS/, output);
  assert.doesNotMatch(output, /ENOENT/);
});
