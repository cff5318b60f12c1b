// Regressions that no other test would catch: a file source saving its
// position before the event is accepted, a reload changing only a socket's
// options, and secrets that first arrive with a reload. (accept() resolving
// before the fsync: hardening-sync.test.ts.)
import assert from 'node:assert/strict';
import { renameSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { FileSource } from '../src/sources/file.ts';
import { numbers, recordingSink, startDaemon, stopHookd, talk, waitForLines, waitForLog } from './daemon-helpers.ts';
import { tempDir, waitFor, writeScript } from './helpers.ts';

// Longer than the file source's position-save interval (200 ms), many times over.
const PAST_SAVE_INTERVAL_MS = 1000;

function saveByRename(file: string, yaml: string): void {
  writeFileSync(`${file}.swp`, yaml);
  renameSync(`${file}.swp`, file);
}

test('a file source never saves a position past a line whose accept is still pending: after a crash the line is read again', async (t) => {
  const dir = tempDir(t);
  const state = path.join(dir, 'state');
  const file = path.join(dir, 'events.jsonl');
  writeFileSync(file, [1, 2, 3].map((n) => `${JSON.stringify({ type: 'tick', n })}\n`).join(''));
  const stuck = recordingSink();
  let refuse!: (error: Error) => void;
  stuck.gate = new Promise((_, reject) => (refuse = reject)); // the queue does not answer until the test ends
  const first = new FileSource({ path: file, from: 'start', state: path.join(dir, 'state') });
  t.after(async () => {
    refuse(new Error('test over'));
    await first.stop();
  });
  await first.start(stuck.sink);
  await waitFor(() => stuck.pending >= 1, 'the first accept');
  // Nothing is saved in this time, however long: no line was accepted.
  await new Promise((resolve) => setTimeout(resolve, PAST_SAVE_INTERVAL_MS));
  // A crash: the first source is never stopped (a stop would save its position).
  const recording = recordingSink();
  const second = new FileSource({ path: file, from: 'start', state });
  t.after(() => second.stop());
  await second.start(recording.sink);
  await waitFor(() => recording.events.length >= 3, 'three events');
  assert.deepEqual(numbers(recording.events), ['1', '2', '3']);
});

test('a reload that changes only a socket source\'s mode applies it', async (t) => {
  const dir = tempDir(t);
  writeScript(dir, 'noop.sh', 'exit 0');
  const yaml = (mode: string): string => `state: false\nsources:\n  - socket: ./hookd.sock\n    mode: "${mode}"\nhooks:\n  - name: noop\n    on: tick\n    run: ./noop.sh\n`;
  const { hookd, config } = await startDaemon(t, dir, yaml('0600'));
  const socket = path.join(dir, 'hookd.sock');
  assert.equal(statSync(socket).mode & 0o777, 0o600);
  saveByRename(config, yaml('0660'));
  await waitForLog(hookd, 'config reloaded');
  await waitFor(() => ((statSync(socket, { throwIfNoEntry: false })?.mode ?? 0) & 0o777) === 0o660, 'mode 0660');
  assert.equal((await talk(socket, [JSON.stringify({ type: 'tick' })]))[0]?.ok, true);
  assert.equal(await stopHookd(hookd), 0);
});

test('a secret added to a hook\'s env by a reload never appears in a log line', async (t) => {
  const dir = tempDir(t);
  const out = path.join(dir, 'out.txt');
  const token = 'reloaded-5ecret-91b2';
  writeScript(dir, 'tell.sh', `echo "using $API_TOKEN"\necho "token=$API_TOKEN" >&2\necho done >> '${out}'`);
  const yaml = (env: string): string => `state: false\nsources:\n  - socket: ./hookd.sock\nhooks:\n  - name: tell\n    on: tick\n    run: ./tell.sh\n${env}`;
  const { hookd, config } = await startDaemon(t, dir, yaml(''));
  saveByRename(config, yaml(`    env: { API_TOKEN: ${token} }\n`));
  await waitForLog(hookd, 'config reloaded');
  await talk(path.join(dir, 'hookd.sock'), [JSON.stringify({ type: 'tick' })]);
  await waitForLines(out, 1);
  await waitForLog(hookd, 'token=');
  assert.equal(await stopHookd(hookd), 0);
  const text = hookd.lines.join('\n');
  assert.match(text, /using \*\*\*/);
  assert.ok(!text.includes(token), 'the reloaded token is in the log');
});
