// A refused event never runs: when the queue's fdatasync fails, accept()
// rejects, a socket client is refused, and the event is never handed to the
// dispatcher, now or after a restart. The failure is real: node:fs's own
// fdatasync answers EIO (patched on the builtin module, so that the queue's
// import of it sees the change), nothing of the queue is mocked.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { syncBuiltinESMExports } from 'node:module';
import path from 'node:path';
import { test, type TestContext } from 'node:test';
import pino from 'pino';
import { makeEvent, type HookEvent } from '../src/event.ts';
import type { QueuedEvent } from '../src/store/queue.ts';
import { SocketSource } from '../src/sources/socket.ts';
import { DurableQueue } from '../src/store/durable-queue.ts';
import { talk } from './daemon-helpers.ts';
import { tempDir, waitFor } from './helpers.ts';

function tick(n: number): HookEvent {
  const fields = { type: 'tick', n };
  return makeEvent({ type: 'tick', fields, raw: JSON.stringify(fields), source: 'test', id: `e${n}` });
}

function quietLog(): { log: pino.Logger; entries: Record<string, unknown>[] } {
  const entries: Record<string, unknown>[] = [];
  return { log: pino({ level: 'debug' }, { write: (line: string) => void entries.push(JSON.parse(line) as Record<string, unknown>) }), entries };
}

// Makes every fdatasync (callback form) fail with EIO until the test ends or `restore` is called.
function failFdatasync(t: TestContext): () => void {
  const original = fs.fdatasync;
  let restored = false;
  const restore = (): void => {
    if (restored) return;
    restored = true;
    fs.fdatasync = original;
    syncBuiltinESMExports();
  };
  fs.fdatasync = ((_fd: number, callback: (error: NodeJS.ErrnoException | null) => void) => {
    const error: NodeJS.ErrnoException = Object.assign(new Error('EIO: i/o error, fdatasync'), { code: 'EIO', errno: -5, syscall: 'fdatasync' });
    setImmediate(() => callback(error));
  }) as typeof fs.fdatasync;
  syncBuiltinESMExports();
  t.after(restore);
  return restore;
}

// Resolves with what next() gives, or 'pending' while it gives nothing.
function watchNext(queue: DurableQueue): { readonly value: QueuedEvent | null | 'pending' } {
  const state: { value: QueuedEvent | null | 'pending' } = { value: 'pending' };
  void queue.next().then((queued) => (state.value = queued));
  return state;
}

test('accept() rejects when the fsync fails, and the refused event is never handed to the dispatcher', async (t) => {
  const dir = tempDir(t);
  const { log } = quietLog();
  const queue = new DurableQueue({ dir, log });
  t.after(() => queue.shutdown());
  const taken = watchNext(queue);
  const restore = failFdatasync(t);
  await assert.rejects(queue.accept(tick(1)), /EIO/);
  // Give a handed-out event every chance to show up.
  await new Promise((resolve) => setImmediate(resolve));
  assert.equal(taken.value, 'pending', 'the refused event reached the dispatcher');
  restore();
  await queue.accept(tick(2));
  const next = await waitFor(() => (taken.value === 'pending' ? undefined : taken.value), 'the next event');
  assert.equal(next?.event.id, 'e2', 'the first event handed out must be the accepted one');
  assert.equal(queue.length, 0);
});

test('an event refused by a failed fsync does not come back after a restart', async (t) => {
  const dir = tempDir(t);
  const first = new DurableQueue({ dir, log: quietLog().log });
  await first.accept(tick(1));
  const restore = failFdatasync(t);
  await assert.rejects(first.accept(tick(2)), /EIO/);
  restore();
  // Stopped at once: nothing written after the refusal covers its bytes.
  await first.shutdown();

  const second = new DurableQueue({ dir, log: quietLog().log });
  await second.accept(tick(3));
  await second.shutdown();
  const third = new DurableQueue({ dir, log: quietLog().log });
  t.after(() => third.shutdown());
  const ids: string[] = [];
  while (third.length > 0) ids.push(String((await third.next())?.event.id));
  assert.deepEqual(ids, ['e1', 'e3']);
});

test('an event whose fsync is still pending is never read back from disk ahead of it, so a failed fsync keeps it out', async (t) => {
  const dir = tempDir(t);
  // Room for two events in memory: the next ones are read back from disk.
  const queue = new DurableQueue({ dir, log: quietLog().log, readAhead: 2 });
  t.after(() => queue.shutdown());
  for (const n of [1, 2, 3]) await queue.accept(tick(n));
  failFdatasync(t);
  const refused = queue.accept(tick(4));
  // While its fsync runs: e1 and e2 from memory, then e3 read back from disk.
  const taken: (string | undefined)[] = [];
  for (let i = 0; i < 3; i++) taken.push((await queue.next())?.event.id);
  await assert.rejects(refused, /EIO/);
  assert.deepEqual(taken, ['e1', 'e2', 'e3']);
  const after = watchNext(queue);
  await new Promise((resolve) => setImmediate(resolve));
  assert.equal(after.value, 'pending', 'the refused event was read back');
});

test('a socket client is refused, never told ok, when the fsync fails', async (t) => {
  const dir = tempDir(t);
  const { log } = quietLog();
  fs.mkdirSync(path.join(dir, 'queue'));
  const queue = new DurableQueue({ dir: path.join(dir, 'queue'), log });
  t.after(() => queue.shutdown());
  const source = new SocketSource({ path: path.join(dir, 'hookd.sock'), mode: 0o600 });
  t.after(() => source.stop());
  await source.start({ accept: (event, hooks) => queue.accept(event, hooks), runNow: () => Promise.reject(new Error('not a queue-less source')), admit: () => true, concurrency: 4, shape: { typePath: 'type', idPath: undefined }, maxEventBytes: 1 << 20, log });
  const restore = failFdatasync(t);
  const [refused] = await talk(source.path, [JSON.stringify({ type: 'tick', n: 1 })]);
  assert.equal(refused?.ok, false);
  assert.match(String(refused?.error), /EIO/);
  restore();
  const [accepted] = await talk(source.path, [JSON.stringify({ type: 'tick', n: 2 })]);
  assert.equal(accepted?.ok, true);
});
