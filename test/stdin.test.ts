// Bad input on stdin, through the built bin: each bad line is one warning
// naming its line, skipped, and the stream goes on; a huge line is counted,
// never held whole.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { BIN, cleanEnv, FIXTURES, runHookd, startHookd, tempDir, waitFor, writeConfig } from './helpers.ts';
import { peakRssKiB } from './processes.ts';

// A config whose one hook copies each event's stdin to DIR/<id>.stdin.
function echoConfig(dir: string, extra = ''): string {
  return writeConfig(dir, `${extra}
event: { id: id }
hooks:
  - name: echo
    on: "*"
    run: ${path.join(FIXTURES, 'echo-stdin.sh')}
    env: { OUT_DIR: "${dir}" }
`);
}

test('each bad line is one warning naming its line, and the good lines around it run', async (t) => {
  const dir = tempDir(t);
  const file = echoConfig(dir, 'max_event_bytes: 256');
  const long = `{"type":"t","id":"long","pad":"${'x'.repeat(300)}"}`;
  const input = Buffer.concat([
    Buffer.from('{"type":"t","id":"first"}\n'),
    Buffer.from('{bad json\n'),
    Buffer.from('[1,2]\n'),
    Buffer.from('{"no":"type"}\n'),
    Buffer.from('{"type":5}\n'),
    Buffer.from([0x7b, 0x22, 0x74, 0x79, 0x70, 0x65, 0x22, 0x3a, 0x22, 0xff, 0xfe, 0x22, 0x7d, 0x0a]), // {"type":"\xff\xfe"}
    Buffer.from(`${long}\n`),
    Buffer.from('\n'),
    Buffer.from('"just a string"\n'),
    Buffer.from('{"type":""}\n'),
    Buffer.from('{"type":"t","id":"crlf"}\r\n'),
    Buffer.from('{"type":"t","id":"last"}'), // no newline at the end
  ]);
  const result = await runHookd(['-c', file], { input });
  assert.equal(result.code, 0, result.stderr);
  const logs = result.stdout.trim().split('\n').map((line) => JSON.parse(line) as Record<string, unknown>);
  const warnings = logs.filter((entry) => entry.level === 'warn').map((entry) => [entry.line, entry.msg]);
  assert.deepEqual(warnings, [
    [2, 'line 2 skipped: invalid JSON: Expected a string key at position 1'],
    [3, 'line 3 skipped: expected a JSON object, got an array'],
    [4, 'line 4 skipped: no event type: field "type" is missing'],
    [5, 'line 5 skipped: the event type "type" must be a non-empty string'],
    [6, 'line 6 skipped: invalid UTF-8'],
    [7, `line 7 skipped: line of ${long.length} bytes is over max_event_bytes (256)`],
    [9, 'line 9 skipped: expected a JSON object, got a string'],
    [10, 'line 10 skipped: the event type "type" must be a non-empty string'],
  ]);
  assert.deepEqual(readdirSync(dir).filter((name) => name.endsWith('.stdin')).sort(), ['crlf.stdin', 'first.stdin', 'last.stdin']);
  assert.equal(logs.filter((entry) => entry.msg === 'hook ok').length, 3);
});

test('among events that no hook matches, each bad line still warns with its line number, and the matching events run', async (t) => {
  const dir = tempDir(t);
  const file = writeConfig(dir, `event: { id: id }
hooks:
  - { name: echo, on: t, run: ${path.join(FIXTURES, 'echo-stdin.sh')}, env: { OUT_DIR: "${dir}" } }
`);
  const deep = `{"type":"u","deep":${'['.repeat(600)}${']'.repeat(600)}}`;
  const input = [
    '{"type":"u","n":1}',
    '{"type":"t","id":"first","msat":18446744073709551615}',
    '{"type":"u",',
    deep,
    '{"type":"u","n":1.0}',
    '{"type":"u"}',
    '{"type":7}',
    '{"type":"t","id":"last"}',
  ].join('\n');
  const result = await runHookd(['-c', file], { input });
  assert.equal(result.code, 0, result.stderr);
  const logs = result.stdout.trim().split('\n').map((line) => JSON.parse(line) as Record<string, unknown>);
  assert.deepEqual(logs.filter((entry) => entry.level === 'warn').map((entry) => [entry.line, entry.msg]), [
    [3, 'line 3 skipped: invalid JSON: Expected a string key at position 12'],
    [4, 'line 4 skipped: invalid JSON: JSON nested too deeply at position 531'],
    [7, 'line 7 skipped: the event type "type" must be a non-empty string'],
  ]);
  assert.deepEqual(readdirSync(dir).filter((name) => name.endsWith('.stdin')).sort(), ['first.stdin', 'last.stdin']);
  assert.equal(readFileSync(path.join(dir, 'first.stdin'), 'utf8'), `${input.split('\n')[1]}\n`, 'the event exactly as received');
});

test('a 100 MB line is counted and skipped without being held in memory, and the next line runs', async (t) => {
  const dir = tempDir(t);
  const hookd = startHookd(t, ['-c', echoConfig(dir)]);
  await waitFor(() => hookd.logs().some((entry) => entry.msg === 'hookd started'), 'hookd to start');
  const pid = hookd.child.pid!;
  const before = peakRssKiB(pid);
  const stdin = hookd.child.stdin!;
  const write = async (chunk: string | Buffer): Promise<void> => {
    if (!stdin.write(chunk)) await new Promise((resolve) => stdin.once('drain', resolve));
  };
  const megabyte = Buffer.alloc(1024 * 1024, 'x');
  await write('{"type":"t","id":"huge","pad":"');
  for (let i = 0; i < 100; i++) await write(megabyte);
  await write('"}\n{"type":"t","id":"after"}\n');
  await waitFor(() => hookd.logs().some((entry) => entry.line === 1 && entry.level === 'warn'), 'the warning about line 1', 60_000);
  const grownKiB = peakRssKiB(pid) - before;
  stdin.end();
  assert.deepEqual(await hookd.exited, { code: 0, signal: null });
  // Holding the line would grow hookd by at least 100 MiB.
  assert.ok(grownKiB < 64 * 1024, `hookd grew by ${grownKiB} KiB while reading a 100 MiB line`);
  const warning = hookd.logs().find((entry) => entry.line === 1);
  assert.equal(warning?.msg, `line 1 skipped: line of ${100 * 1024 * 1024 + 33} bytes is over max_event_bytes (1048576)`);
  assert.ok(existsSync(path.join(dir, 'after.stdin')));
  assert.equal(existsSync(path.join(dir, 'huge.stdin')), false);
});

test('stdin from /dev/null (as under systemd) gets a warning that the source ends at once; a pipe does not', async (t) => {
  const dir = tempDir(t);
  const config = writeConfig(dir, 'state: false\nhooks: []\n');
  const fromNull = spawnSync(process.execPath, [BIN, '-c', config], { stdio: ['ignore', 'pipe', 'pipe'], env: cleanEnv(), encoding: 'utf8' });
  assert.equal(fromNull.status, 0, fromNull.stderr);
  assert.match(fromNull.stdout, /"level":"warn".*stdin is \/dev\/null/);
  const fromPipe = await runHookd(['-c', config], { input: '' });
  assert.equal(fromPipe.code, 0);
  assert.doesNotMatch(fromPipe.stdout, /dev\/null/);
});
