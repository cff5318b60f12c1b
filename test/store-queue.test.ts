// The durable queue on real files, in-process: order, paging, recovery,
// bounded files, torn and damaged records.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync, truncateSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { test, type TestContext } from 'node:test';
import { makeEvent, type HookEvent } from '../src/event.ts';
import { createLogger } from '../src/log/logger.ts';
import type { QueuedEvent } from '../src/store/queue.ts';
import { DurableQueue, type DurableQueueOptions } from '../src/store/durable-queue.ts';
import { tempDir, waitFor } from './helpers.ts';

function event(n: number, padding = ''): HookEvent {
  const fields = { type: 'tick', n, padding };
  return makeEvent({ type: 'tick', fields, raw: JSON.stringify(fields), source: 'test', id: `e${n}` });
}

function logCapture(): { log: ReturnType<typeof createLogger>; entries: () => Record<string, unknown>[] } {
  const lines: string[] = [];
  const log = createLogger({ level: 'debug', format: 'json', target: { write: (line) => void lines.push(line) } });
  return { log, entries: () => lines.map((line) => JSON.parse(line) as Record<string, unknown>) };
}

function openQueue(t: TestContext, dir: string, options: Partial<DurableQueueOptions> = {}): DurableQueue {
  const queue = new DurableQueue({ dir, log: options.log ?? logCapture().log, ...options });
  t.after(() => queue.shutdown());
  return queue;
}

const segmentFiles = (dir: string): string[] => readdirSync(dir).filter((name) => name.endsWith('.log')).sort();

// Take `count` events and dispatch each to `hooks`.
async function take(queue: DurableQueue, count: number, hooks: string[]): Promise<QueuedEvent[]> {
  const taken: QueuedEvent[] = [];
  for (let i = 0; i < count; i++) {
    const queued = await queue.next();
    assert.ok(queued, 'an event was expected');
    queue.dispatched(queued.seq, hooks);
    taken.push(queued);
  }
  return taken;
}

test('after a reopen, undispatched events come back in order and open deliveries with their attempts', async (t) => {
  const dir = tempDir(t);
  const first = new DurableQueue({ dir, log: logCapture().log });
  for (let n = 1; n <= 6; n++) await first.accept(event(n));
  const [one, two, three] = await take(first, 3, ['a', 'b']);
  first.attemptStarted(one!.seq, 'a', 1);
  first.settled(one!.seq, 'a', 'done');
  first.attemptStarted(one!.seq, 'b', 1);
  first.attemptFailed(one!.seq, 'b', { attempt: 1, startedAt: 'x', durationMs: 5, outcome: 'exit 3', exitCode: 3, signal: null, timedOut: false, stderrTail: ['boom'] });
  first.attemptStarted(one!.seq, 'b', 2); // cut short by the "crash"
  first.settled(two!.seq, 'a', 'done');
  first.settled(two!.seq, 'b', 'dead');
  first.attemptStarted(three!.seq, 'a', 1);
  // A crash: the object is dropped without shutdown (every record was written at once).

  const second = openQueue(t, dir);
  const pending = await second.recover();
  assert.deepEqual(pending.map((p) => [p.event.id, p.hook, p.attempts]), [['e1', 'b', 2], ['e3', 'a', 1], ['e3', 'b', 0]]);
  const history = pending[0]!.history!;
  assert.deepEqual(history.map((h) => [h.attempt, h.outcome]), [[1, 'exit 3'], [2, 'cut short: hookd stopped during the run']]);
  assert.deepEqual(history[0]!.stderrTail, ['boom']);
  assert.equal(second.length, 3);
  second.close();
  const rest: string[] = [];
  for (let queued = await second.next(); queued !== null; queued = await second.next()) rest.push(queued.event.id);
  assert.deepEqual(rest, ['e4', 'e5', 'e6']);
});

test('event text and exact numbers survive the disk', async (t) => {
  const dir = tempDir(t);
  const raw = '{"type":"big","msat":18446744073709551615,"note":"caf\\u00e9 \\"x\\""}';
  const first = new DurableQueue({ dir, log: logCapture().log });
  const original = makeEvent({ type: 'big', fields: {}, raw, source: 'socket', id: 'big-1' });
  await first.accept(original, ['only-this']);
  const second = openQueue(t, dir);
  const queued = await second.next();
  assert.ok(queued);
  assert.equal(queued.event.raw, raw);
  assert.equal(String(queued.event.fields.msat), '18446744073709551615');
  assert.equal(queued.event.source, 'socket');
  assert.equal(queued.event.receivedAt, original.receivedAt);
  assert.deepEqual(queued.hooks, ['only-this']);
});

test('a backlog far over the read-ahead is paged from disk in order, with bounded memory and files', async (t) => {
  const dir = tempDir(t);
  const queue = openQueue(t, dir, { readAhead: 16, segmentBytes: 16 * 1024, idleResetBytes: 1024 });
  const total = 3000;
  await Promise.all(Array.from({ length: total }, (_, i) => queue.accept(event(i + 1, 'x'.repeat(40)))));
  assert.ok(queue.heldInMemory <= 16, `held ${queue.heldInMemory} events in memory`);
  const files = segmentFiles(dir);
  assert.ok(files.length > 5, `expected several segments, got ${files.length}`);
  for (const file of files) assert.ok(statSync(path.join(dir, file)).size < 16 * 1024 + 1024, `${file} is over the segment size`);
  let expected = 1;
  while (expected <= total) {
    const queued = await queue.next();
    assert.ok(queued);
    assert.equal(queued.event.id, `e${expected++}`);
    assert.ok(queue.heldInMemory <= 17);
    queue.dispatched(queued.seq, ['h']);
    queue.attemptStarted(queued.seq, 'h', 1);
    queue.settled(queued.seq, 'h', 'done');
  }
  assert.equal(queue.unfinishedCount, 0);
  await waitForFiles(dir, (count) => count <= 1);
  await queue.shutdown();
  assert.deepEqual(segmentFiles(dir), [], 'nothing is left once every delivery is done');
});

test('a slow delivery does not pin old files: it is carried forward and still recovered', async (t) => {
  const dir = tempDir(t);
  const first = new DurableQueue({ dir, log: logCapture().log, segmentBytes: 8 * 1024, idleResetBytes: 1024 * 1024 });
  await first.accept(event(0));
  const [slow] = await take(first, 1, ['slow']);
  first.attemptStarted(slow!.seq, 'slow', 1);
  for (let n = 1; n <= 2000; n += 50) {
    await Promise.all(Array.from({ length: 50 }, (_, i) => first.accept(event(n + i, 'y'.repeat(30)))));
    for (const queued of await take(first, 50, ['fast'])) first.settled(queued.seq, 'fast', 'done');
  }
  await waitForFiles(dir, (count) => count <= 3);
  // Crash, then restart: the slow delivery is still there, with its attempt.
  const second = openQueue(t, dir);
  const pending = await second.recover();
  assert.deepEqual(pending.map((p) => [p.event.id, p.hook, p.attempts]), [['e0', 'slow', 1]]);
  assert.equal(second.length, 0);
});

test('a record cut short at the end of a file is reported once, skipped and cut off; nothing before it is lost', async (t) => {
  const dir = tempDir(t);
  const first = new DurableQueue({ dir, log: logCapture().log });
  for (let n = 1; n <= 5; n++) await first.accept(event(n));
  const [file] = segmentFiles(dir);
  const full = path.join(dir, file!);
  const text = readFileSync(full, 'utf8');
  const lastStart = text.lastIndexOf('\n', text.length - 2) + 1;
  truncateSync(full, lastStart + Math.floor((text.length - lastStart) / 2));

  const capture = logCapture();
  const second = openQueue(t, dir, { log: capture.log });
  const warning = capture.entries().find((entry) => entry.level === 'warn');
  assert.ok(warning, 'a warning is logged');
  assert.match(String(warning.msg), /cut short/);
  assert.equal(warning.file, full);
  second.close();
  const ids: string[] = [];
  for (let queued = await second.next(); queued !== null; queued = await second.next()) ids.push(queued.event.id);
  assert.deepEqual(ids, ['e1', 'e2', 'e3', 'e4']);
  assert.equal(readFileSync(full, 'utf8'), text.slice(0, lastStart), 'the torn tail is cut off');
  await second.shutdown();

  const again = logCapture();
  openQueue(t, dir, { log: again.log });
  assert.equal(again.entries().filter((entry) => entry.level === 'warn').length, 0, 'no second warning');
});

test('a damaged record in the middle of a file is skipped with a warning and the rest is kept', async (t) => {
  const dir = tempDir(t);
  const first = new DurableQueue({ dir, log: logCapture().log });
  for (let n = 1; n <= 3; n++) await first.accept(event(n));
  const full = path.join(dir, segmentFiles(dir)[0]!);
  writeFileSync(full, readFileSync(full, 'utf8').replace('"e2"', '"eX"'));
  const capture = logCapture();
  const second = openQueue(t, dir, { log: capture.log });
  assert.ok(capture.entries().some((entry) => entry.level === 'warn' && entry.problem === 'checksum mismatch'));
  second.close();
  const ids: string[] = [];
  for (let queued = await second.next(); queued !== null; queued = await second.next()) ids.push(queued.event.id);
  assert.deepEqual(ids, ['e1', 'e3']);
});

// Files are deleted after a group fsync: wait for the count to drop.
async function waitForFiles(dir: string, ok: (count: number) => boolean): Promise<void> {
  await waitFor(() => ok(segmentFiles(dir).length), 'the queue files to change').catch(() => assert.fail(`queue files: ${segmentFiles(dir).join(', ')}`));
}
