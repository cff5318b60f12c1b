import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, lstatSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import path from 'node:path';
import { test } from 'node:test';
import { linesOf, recordingHook, startDaemon, stopHookd, talk, waitForLines } from './daemon-helpers.ts';
import { runHookd, tempDir, waitFor } from './helpers.ts';

function socketConfig(extra = ''): string {
  return `sources:\n  - socket: ./hookd.sock${extra}\nhooks:\n  - name: record\n    on: tick\n    run: ./record.sh\n    concurrency: 4\n`;
}

test('concurrent clients each get one answer per line once accepted (even a last line without a newline), and every event reaches the hook', async (t) => {
  const dir = tempDir(t);
  const out = path.join(dir, 'out.txt');
  recordingHook(dir, out);
  const { hookd } = await startDaemon(t, dir, socketConfig());
  const socket = path.join(dir, 'hookd.sock');
  assert.ok(lstatSync(socket).isSocket());
  assert.equal(lstatSync(socket).mode & 0o777, 0o600);

  const clients = [0, 1, 2, 3].map((client) =>
    talk(socket, Array.from({ length: 10 }, (_, i) => JSON.stringify({ type: 'tick', n: client * 100 + i }))),
  );
  const answers = await Promise.all(clients);
  for (const answer of answers) {
    assert.equal(answer.length, 10);
    assert.ok(answer.every((reply) => reply.ok === true && typeof reply.id === 'string'));
  }
  const ids = new Set(answers.flat().map((reply) => reply.id));
  assert.equal(ids.size, 40);
  const lines = await waitForLines(out, 40);
  assert.ok(lines.every((line) => line.startsWith('socket tick ')));
  const expected = [0, 1, 2, 3].flatMap((client) => Array.from({ length: 10 }, (_, i) => `socket tick ${client * 100 + i}`));
  assert.deepEqual([...lines].sort(), expected.sort());

  // A bad line gets its own answer, and the connection goes on.
  const mixed = await talk(socket, ['not json', '{"n":1}', '{"$hookd":"nonsense"}', JSON.stringify({ type: 'tick', n: 999 })]);
  assert.deepEqual(mixed.map((reply) => reply.ok), [false, false, false, true]);
  assert.match(String(mixed[0]?.error), /invalid JSON/);
  assert.match(String(mixed[1]?.error), /no event type/);
  assert.match(String(mixed[2]?.error), /unknown request "nonsense"/);
  await waitForLines(out, 41);

  // A last line without a newline, then the client ends its side: still answered.
  const reply = await new Promise<string>((resolve, reject) => {
    const client = connect(socket);
    let text = '';
    client.setEncoding('utf8').on('data', (chunk: string) => (text += chunk));
    client.on('error', reject);
    client.on('close', () => resolve(text));
    client.end(JSON.stringify({ type: 'tick', n: 7 }));
  });
  assert.match(reply, /^\{"ok":true,"id":"[0-9A-Z]+"\}\n$/);
  await waitFor(() => linesOf(out).includes('socket tick 7'), 'the event to run');

  assert.equal(await stopHookd(hookd), 0);
  assert.equal(existsSync(socket), false, 'the socket is removed on exit');
});

test('a stale socket file left by a crash is replaced (with the mode of the config); a socket a live hookd holds is not', async (t) => {
  const dir = tempDir(t);
  const out = path.join(dir, 'out.txt');
  const socket = path.join(dir, 'hookd.sock');
  recordingHook(dir, out);
  // A process that listens, then dies by SIGKILL: its socket file stays.
  const crashed = spawn(process.execPath, ['-e', `require('net').createServer().listen(${JSON.stringify(socket)}, () => console.log('up'))`]);
  await new Promise((resolve) => crashed.stdout.once('data', resolve));
  crashed.kill('SIGKILL');
  await new Promise((resolve) => crashed.once('close', resolve));
  assert.ok(lstatSync(socket).isSocket());

  const { hookd, config } = await startDaemon(t, dir, socketConfig('\n    mode: "0660"'));
  assert.ok(hookd.logs().some((entry) => String(entry.msg).includes('replaced a stale socket')));
  assert.equal(lstatSync(socket).mode & 0o777, 0o660, 'the mode of the config');
  const [answer] = await talk(socket, [JSON.stringify({ type: 'tick', n: 1 })]);
  assert.equal(answer?.ok, true);

  const second = await runHookd(['-c', config, '--log-format', 'json'], { cwd: dir });
  assert.equal(second.code, 75);
  assert.match(second.stderr, /hookd: .*hookd\.sock is in use by another running hookd/);
  // The first one still works.
  const [again] = await talk(socket, [JSON.stringify({ type: 'tick', n: 2 })]);
  assert.equal(again?.ok, true);
  await waitForLines(out, 2);
  assert.equal(await stopHookd(hookd), 0);
  assert.equal(existsSync(socket), false);
});

test('a path that is not a socket is never replaced', async (t) => {
  const dir = tempDir(t);
  recordingHook(dir, path.join(dir, 'out.txt'));
  writeFileSync(path.join(dir, 'hookd.sock'), 'precious');
  const config = path.join(dir, 'hookd.yaml');
  writeFileSync(config, socketConfig());
  const result = await runHookd(['-c', config], { cwd: dir });
  assert.equal(result.code, 75);
  assert.match(result.stderr, /hookd\.sock exists and is not a socket/);
  assert.deepEqual(linesOf(path.join(dir, 'hookd.sock')), ['precious']);
});
