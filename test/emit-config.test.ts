// What `hookd emit -c` reads of the config: `sources` (the socket, the inbox)
// and `event` (where TYPE goes), nothing else. A mistake elsewhere does not
// stop an emit (the daemon and `hookd validate` report it); a mistake in what
// it reads is reported as before, naming the file, line and column.
import assert from 'node:assert/strict';
import { chmodSync, mkdirSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { startDaemon, waitForLines } from './daemon-helpers.ts';
import { runHookd, tempDir, writeConfig, writeScript } from './helpers.ts';

test('emit -c delivers through a config whose other keys have mistakes, YAML or not', async (t) => {
  const dir = tempDir(t);
  const out = path.join(dir, 'out.txt');
  writeScript(dir, 'dump.sh', `{ cat; echo; } >> '${out}'`);
  await startDaemon(t, dir, 'sources:\n  - socket: ./hookd.sock\nevent:\n  type: kind\nhooks:\n  - name: dump\n    on: "*"\n    run: ./dump.sh\n');
  // The same sources and event; a broken hook, an unknown key, an unclosed quote.
  const broken = writeConfig(dir, 'sources:\n  - socket: ./hookd.sock\nevent: { type: kind }\nconcurency: 4\nhooks:\n  - name: dump\n    run: "unclosed\n  - : oops: [\n', 'broken.yaml');
  const sent = await runHookd(['emit', '-c', broken, 'block', 'hash=00ab']);
  assert.equal(sent.code, 0, sent.stderr);
  assert.deepEqual(await waitForLines(out, 1), ['{"kind":"block","hash":"00ab"}']);
});

test('emit -c reports a YAML mistake in sources with its line, as yaml words it, and exits 78', async (t) => {
  const dir = tempDir(t);
  const config = writeConfig(dir, 'hooks: []\nsources:\n  - socket: ./hookd.sock\n    mode: [0660\nevent: {type: t}\n');
  const result = await runHookd(['emit', '-c', config, 'block']);
  assert.equal(result.code, 78);
  assert.equal(result.stderr, `hookd: ${config}: cannot load: Flow sequence in block collection must be sufficiently indented and end with a ] at line 5, column 1:\n`);
});

test('emit -c finds the first usable socket and inbox source, however sources is written', async (t) => {
  const dir = tempDir(t);
  mkdirSync(path.join(dir, 'inbox'));
  // No daemon: the event goes into the inbox, and the message names the socket.
  const cases = [
    'sources: [stdin, {file: ./a.sock, socket: ./no.sock}, {socket: ""}, {socket: ./hookd.sock}, {inbox: ./inbox}]\n',
    'sources:\n- {http: {listen: "127.0.0.1:0"}, socket: ./no.sock}\n- socket: ./hookd.sock\n  mode: "0660"\n- inbox: ./inbox # queue\n',
    'sources:\n  - socket: |-\n      ./hookd.sock\n  - inbox: ./inbox\n',
  ];
  for (const [index, yaml] of cases.entries()) {
    const config = writeConfig(dir, yaml, `case-${index}.yaml`);
    const result = await runHookd(['emit', '-c', config, 'block', `n:=${index}`]);
    assert.equal(result.code, 0, `${yaml}: ${result.stderr}`);
    assert.match(result.stderr, new RegExp(`no socket at ${path.join(dir, 'hookd.sock')}\\); the event was queued in ${path.join(dir, 'inbox')} `), yaml);
  }
  const queued = readdirSync(path.join(dir, 'inbox')).filter((name) => !name.startsWith('.')).map((name) => readFileSync(path.join(dir, 'inbox', name), 'utf8'));
  assert.deepEqual(queued.sort(), ['{"type":"block","n":0}\n', '{"type":"block","n":1}\n', '{"type":"block","n":2}\n']);
});

test('emit -c still refuses a world-writable config, before reading it', async (t) => {
  const dir = tempDir(t);
  const config = writeConfig(dir, 'sources: [{socket: ./hookd.sock}]\n');
  chmodSync(config, 0o666);
  const result = await runHookd(['emit', '-c', config, 'block']);
  assert.equal(result.code, 78);
  assert.equal(result.stderr, `hookd: ${config}: refusing a world-writable config; run chmod o-w on it\n`);
});
