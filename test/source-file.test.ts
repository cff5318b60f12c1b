import assert from 'node:assert/strict';
import { appendFileSync, copyFileSync, existsSync, mkdirSync, readdirSync, renameSync, truncateSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { test, type TestContext } from 'node:test';
import { FileSource } from '../src/sources/file.ts';
import { numbers, recordingHook, recordingSink, startDaemon, stopHookd, waitForLines, type RecordingSink } from './daemon-helpers.ts';
import { tempDir, waitFor } from './helpers.ts';

function event(n: number): string {
  return `${JSON.stringify({ type: 'tick', n })}\n`;
}

function events(from: number, to: number): string {
  let text = '';
  for (let n = from; n <= to; n++) text += event(n);
  return text;
}

// A FileSource on `file` fed into a recording sink, stopped when the test ends.
async function follow(t: TestContext, file: string, options: { from?: 'start' | 'end'; state?: string | false; recording?: RecordingSink } = {}): Promise<{ source: FileSource; recording: RecordingSink }> {
  const recording = options.recording ?? recordingSink();
  const source = new FileSource({ path: file, from: options.from ?? 'start', state: options.state ?? false });
  t.after(() => source.stop());
  await source.start(recording.sink);
  return { source, recording };
}

function waitForNumbers(recording: RecordingSink, count: number): Promise<string[]> {
  return waitFor(() => (recording.events.length >= count ? numbers(recording.events) : undefined), `${count} events`);
}

function range(from: number, to: number): string[] {
  return Array.from({ length: to - from + 1 }, (_, i) => String(from + i));
}

test('reads the lines already in the file, then appended ones; a line written in pieces is one event', async (t) => {
  const dir = tempDir(t);
  const file = path.join(dir, 'events.jsonl');
  writeFileSync(file, events(1, 3));
  const { recording } = await follow(t, file);
  await waitForNumbers(recording, 3);
  appendFileSync(file, event(4));
  appendFileSync(file, '{"type":"tick",');
  await waitForNumbers(recording, 4);
  appendFileSync(file, '"n":5}');
  appendFileSync(file, '\n');
  assert.deepEqual(await waitForNumbers(recording, 5), range(1, 5));
  assert.equal(recording.events[0]?.source, 'file');
  assert.equal(recording.events[4]?.raw, '{"type":"tick","n":5}');
});

test('a bad line is skipped with a warning naming the file and line, and the lines after it are read', async (t) => {
  const dir = tempDir(t);
  const file = path.join(dir, 'events.jsonl');
  writeFileSync(file, `${event(1)}not json\n\n{"n":2}\n${event(3)}`);
  const { recording, source } = await follow(t, file);
  assert.deepEqual(await waitForNumbers(recording, 2), ['1', '3']);
  const warnings = recording.logs.filter((entry) => entry.level === 40).map((entry) => String(entry.msg));
  assert.deepEqual(warnings, [`${file}:2 skipped: invalid JSON: Unexpected token at position 0`, `${file}:4 skipped: no event type: field "type" is missing`]);
  assert.equal(source.status().line, 5);
});

test('a rename-and-create rotation finishes the old file, even lines written to it after the rename, then follows the new one', async (t) => {
  const dir = tempDir(t);
  const file = path.join(dir, 'events.jsonl');
  writeFileSync(file, events(1, 2));
  const { recording } = await follow(t, file);
  await waitForNumbers(recording, 2);
  renameSync(file, `${file}.1`);
  // The writer has not reopened yet: it still appends to the renamed file.
  appendFileSync(`${file}.1`, event(3));
  writeFileSync(file, events(4, 5));
  assert.deepEqual(await waitForNumbers(recording, 5), range(1, 5));
  appendFileSync(file, event(6));
  assert.deepEqual(await waitForNumbers(recording, 6), range(1, 6));
});

test('after copytruncate the file is read again from the start', async (t) => {
  const dir = tempDir(t);
  const file = path.join(dir, 'events.jsonl');
  writeFileSync(file, events(1, 3));
  const { recording } = await follow(t, file);
  await waitForNumbers(recording, 3);
  copyFileSync(file, `${file}.1`);
  truncateSync(file, 0);
  await waitFor(() => recording.logs.some((entry) => String(entry.msg).includes('truncated')), 'the truncation warning');
  appendFileSync(file, event(4));
  assert.deepEqual(await waitForNumbers(recording, 4), range(1, 4));
});

test('a truncation followed at once by more bytes than were read is still noticed', async (t) => {
  const dir = tempDir(t);
  const file = path.join(dir, 'events.jsonl');
  writeFileSync(file, events(1, 2));
  const { recording } = await follow(t, file);
  await waitForNumbers(recording, 2);
  // Truncated and written again, longer than before, before hookd looks.
  writeFileSync(file, events(10, 14));
  assert.deepEqual(await waitForNumbers(recording, 7), ['1', '2', ...range(10, 14)]);
});

test('waits for a file (and its folder) that does not exist yet', async (t) => {
  const dir = tempDir(t);
  const file = path.join(dir, 'later', 'events.jsonl');
  const { recording, source } = await follow(t, file);
  assert.equal(source.status().waiting, true);
  mkdirSync(path.dirname(file));
  writeFileSync(file, events(1, 2));
  assert.deepEqual(await waitForNumbers(recording, 2), ['1', '2']);
  assert.equal(source.status().waiting, false);
});

test('the position advances only once the event is accepted; a restart reads an unaccepted line again, and nothing twice', async (t) => {
  const dir = tempDir(t);
  const state = path.join(dir, 'state');
  const file = path.join(dir, 'events.jsonl');
  writeFileSync(file, events(1, 2));
  const first = recordingSink();
  let refuse!: (error: Error) => void;
  first.gate = new Promise((_, reject) => (refuse = reject));
  const { source } = await follow(t, file, { state, recording: first });
  await waitFor(() => first.pending === 1, 'line 1 to wait on accept');
  assert.equal(source.status().position, 0);
  // Stopped while line 1 waits; the queue refuses it, as a closing queue does.
  const stopping = source.stop();
  refuse(new Error('hookd is shutting down'));
  await stopping;
  assert.equal(first.pending, 1);
  assert.equal(first.events.length, 0);

  const second = await follow(t, file, { state });
  assert.deepEqual(await waitForNumbers(second.recording, 2), ['1', '2']);
  await second.source.stop();
  appendFileSync(file, event(3));
  const third = await follow(t, file, { state });
  await waitForNumbers(third.recording, 1);
  appendFileSync(file, event(4));
  assert.deepEqual(await waitForNumbers(third.recording, 2), ['3', '4']);
});

test('blank lines and a line over max_event_bytes neither repeat nor lose lines, live or across a restart', async (t) => {
  const dir = tempDir(t);
  const state = path.join(dir, 'state');
  const file = path.join(dir, 'events.jsonl');
  writeFileSync(file, `${event(1)}\n\n${'x'.repeat(300)}\n\n${event(2)}\r\n\n`);
  const first = await follow(t, file, { state, recording: recordingSink(200) });
  await waitForNumbers(first.recording, 2);
  // A few passes of the reader see the same file: nothing is read twice.
  appendFileSync(file, event(3));
  await waitForNumbers(first.recording, 3);
  assert.ok(!first.recording.logs.some((entry) => String(entry.msg).includes('truncated')));
  await first.source.stop();
  appendFileSync(file, `\n${event(4)}`);
  const second = await follow(t, file, { state, recording: recordingSink(200) });
  await waitForNumbers(second.recording, 1);
  appendFileSync(file, event(5));
  assert.deepEqual(await waitForNumbers(second.recording, 2), ['4', '5']);
  assert.equal(second.source.status().line, 12);
});

test('from: end skips the lines already there on the very first run only', async (t) => {
  const dir = tempDir(t);
  const state = path.join(dir, 'state');
  const file = path.join(dir, 'events.jsonl');
  writeFileSync(file, `${events(1, 2)}{"type":"tick",`);
  const first = await follow(t, file, { from: 'end', state });
  // The line being written when hookd started is read once complete.
  appendFileSync(file, `"n":3}\n${event(4)}`);
  assert.deepEqual(await waitForNumbers(first.recording, 2), ['3', '4']);
  await first.source.stop();
  appendFileSync(file, event(5));
  const second = await follow(t, file, { from: 'end', state });
  assert.deepEqual(await waitForNumbers(second.recording, 1), ['5']);
  assert.equal(second.source.status().line, 5);
});

test('a file rotated while hookd was stopped is finished before the new one is read', async (t) => {
  const dir = tempDir(t);
  const state = path.join(dir, 'state');
  const file = path.join(dir, 'events.jsonl');
  writeFileSync(file, events(1, 2));
  const first = await follow(t, file, { state });
  await waitForNumbers(first.recording, 2);
  await first.source.stop();
  appendFileSync(file, event(3));
  renameSync(file, `${file}-20250101`);
  writeFileSync(file, events(4, 5));
  const second = await follow(t, file, { state });
  assert.deepEqual(await waitForNumbers(second.recording, 3), range(3, 5));
  assert.deepEqual(readdirSync(path.join(state, 'sources')).filter((name) => name.endsWith('.json')).length, 1);
});

test('hookd follows a file end to end and a restart goes on where it stopped: no line lost, none repeated', async (t) => {
  const dir = tempDir(t);
  const out = path.join(dir, 'out.txt');
  const file = path.join(dir, 'events.jsonl');
  recordingHook(dir, out);
  const yaml = `sources:\n  - file: ./events.jsonl\nstate: ./state\nhooks:\n  - name: record\n    on: tick\n    run: ./record.sh\n`;
  writeFileSync(file, events(1, 3));
  const first = await startDaemon(t, dir, yaml);
  await waitForLines(out, 3);
  appendFileSync(file, event(4));
  await waitForLines(out, 4);
  assert.equal(await stopHookd(first.hookd), 0);
  appendFileSync(file, events(5, 6));
  const second = await startDaemon(t, dir, yaml);
  await waitForLines(out, 6);
  appendFileSync(file, event(7));
  // Hooks run in order (concurrency 1): a repeated line would show before 7.
  const lines = await waitForLines(out, 7);
  assert.deepEqual(lines, range(1, 7).map((n) => `file tick ${n}`));
  assert.equal(await stopHookd(second.hookd), 0);
  assert.ok(existsSync(path.join(dir, 'state', 'sources')));
});
