import assert from 'node:assert/strict';
import { chmodSync, existsSync, mkdirSync, readdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { recordingHook, startDaemon, waitForLines, waitForLog } from './daemon-helpers.ts';
import { runHookd, tempDir, waitFor, writeConfig, writeScript } from './helpers.ts';

// Written beside the inbox, then renamed in, as a producer should.
function drop(inbox: string, name: string, text: string): void {
  const temporary = path.join(inbox, `.${name}.tmp`);
  writeFileSync(temporary, text);
  renameSync(temporary, path.join(inbox, name));
}

const CONFIG = `sources:\n  - inbox: ./inbox\nhooks:\n  - name: record\n    on: tick\n    run: ./record.sh\n  - name: stdin\n    on: pretty\n    run: ./stdin.sh\n`;

test('the inbox takes files present at start and files renamed in later, removing each once accepted', async (t) => {
  const dir = tempDir(t);
  const inbox = path.join(dir, 'inbox');
  const out = path.join(dir, 'out.txt');
  recordingHook(dir, out);
  writeScript(dir, 'stdin.sh', `cat >> '${path.join(dir, 'stdin.txt')}'`);
  mkdirSync(inbox);
  drop(inbox, 'a.json', JSON.stringify({ type: 'tick', n: 1 }));
  drop(inbox, 'b.json', JSON.stringify({ type: 'tick', n: 2 }));
  writeFileSync(path.join(inbox, 'notes.txt'), 'not an event file');
  await startDaemon(t, dir, CONFIG);
  assert.deepEqual((await waitForLines(out, 2)).sort(), ['inbox tick 1', 'inbox tick 2']);
  drop(inbox, 'c.json', JSON.stringify({ type: 'tick', n: 3 }));
  // A pretty-printed file reaches the hook's stdin as one line, numbers as written.
  drop(inbox, 'd.json', '{\n  "type": "pretty",\n  "msat": 18446744073709551615\n}\n');
  await waitForLines(out, 3);
  await waitFor(() => existsSync(path.join(dir, 'stdin.txt')) && readFileSync(path.join(dir, 'stdin.txt'), 'utf8'), 'the pretty event');
  assert.equal(readFileSync(path.join(dir, 'stdin.txt'), 'utf8'), '{"type":"pretty","msat":18446744073709551615}\n');
  await waitFor(() => readdirSync(inbox).filter((name) => name.endsWith('.json')).length === 0, 'the inbox to be emptied');
  assert.deepEqual(readdirSync(inbox).sort(), ['notes.txt']);
});

test('a bad file is moved to rejected/ with a .error note beside it, never deleted, and the good ones still run', async (t) => {
  const dir = tempDir(t);
  const inbox = path.join(dir, 'inbox');
  const out = path.join(dir, 'out.txt');
  recordingHook(dir, out);
  writeScript(dir, 'stdin.sh', 'cat > /dev/null');
  mkdirSync(inbox);
  drop(inbox, 'broken.json', '{"type": "tick", ');
  const { hookd } = await startDaemon(t, dir, CONFIG);
  drop(inbox, 'untyped.json', '{"n": 5}');
  drop(inbox, 'good.json', JSON.stringify({ type: 'tick', n: 6 }));
  await waitForLines(out, 1);
  const rejected = path.join(inbox, 'rejected');
  await waitFor(() => existsSync(path.join(rejected, 'untyped.json.error')) && existsSync(path.join(rejected, 'broken.json.error')), 'both notes');
  assert.deepEqual(readdirSync(rejected).sort(), ['broken.json', 'broken.json.error', 'untyped.json', 'untyped.json.error']);
  assert.equal(readFileSync(path.join(rejected, 'broken.json'), 'utf8'), '{"type": "tick", ');
  assert.match(readFileSync(path.join(rejected, 'broken.json.error'), 'utf8'), /^\S+ invalid JSON: /);
  assert.match(readFileSync(path.join(rejected, 'untyped.json.error'), 'utf8'), /no event type: field "type" is missing/);
  assert.equal((await waitForLog(hookd, 'untyped.json rejected')).level, 'warn');
  assert.deepEqual(readdirSync(inbox).sort(), ['rejected']);
});

test('a world-writable inbox is refused', async (t) => {
  const dir = tempDir(t);
  const inbox = path.join(dir, 'inbox');
  recordingHook(dir, path.join(dir, 'out.txt'));
  writeScript(dir, 'stdin.sh', 'cat > /dev/null');
  mkdirSync(inbox);
  chmodSync(inbox, 0o777);
  const config = writeConfig(dir, CONFIG);
  const result = await runHookd(['-c', config], { cwd: dir });
  assert.equal(result.code, 78);
  assert.match(result.stderr, /refusing a world-writable inbox/);
});
