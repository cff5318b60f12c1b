import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { startDaemon, waitForLines } from './daemon-helpers.ts';
import { ROOT, runHookd, tempDir, waitFor, writeConfig, writeScript } from './helpers.ts';

// A hook that writes its stdin and two variables, one line each.
function dumpHook(dir: string, out: string): void {
  writeScript(dir, 'dump.sh', `{ cat; echo; echo "$HOOKD_SOURCE $HOOKD_TYPE $EVENT_HASH $EVENT_HEIGHT $EVENT_PAYMENT_MSAT"; } >> '${out}'`);
}

test('emit without a daemon exits 69: hookd is not running (no socket at PATH)', async (t) => {
  const dir = tempDir(t);
  const socket = path.join(dir, 'none.sock');
  const config = writeConfig(dir, 'sources:\n  - socket: ./hookd.sock\nhooks: []\n');
  const [result, viaConfig] = await Promise.all([runHookd(['emit', '--socket', socket, 'block', 'hash=00ab']), runHookd(['emit', '-c', config, 'block'])]);
  assert.equal(result.code, 69);
  assert.equal(result.stderr, `hookd: hookd is not running (no socket at ${socket})\n`);
  assert.equal(viaConfig.code, 69);
  assert.equal(viaConfig.stderr, `hookd: hookd is not running (no socket at ${path.join(dir, 'hookd.sock')})\n`);
});

test('emit sends TYPE with key=value strings and key:=json values (every digit kept) and prints the id', async (t) => {
  const dir = tempDir(t);
  const out = path.join(dir, 'out.txt');
  dumpHook(dir, out);
  const { config } = await startDaemon(t, dir, 'sources:\n  - socket: ./hookd.sock\nhooks:\n  - name: dump\n    on: "*"\n    run: ./dump.sh\n');
  const socket = path.join(dir, 'hookd.sock');

  const sent = await runHookd(['emit', '-c', config, '--print-id', 'block', 'hash=00ab', 'height:=18446744073709551615', 'payment.msat:=1000', 'note=a=b']);
  assert.equal(sent.code, 0, sent.stderr);
  assert.match(sent.stdout, /^[0-9A-Z]{26}\n$/);
  assert.deepEqual(await waitForLines(out, 2), [
    '{"type":"block","hash":"00ab","height":18446744073709551615,"payment":{"msat":1000},"note":"a=b"}',
    'socket block 00ab 18446744073709551615 1000',
  ]);

  const quiet = await runHookd(['emit', '--socket', socket, '--data', '{"type":"tx","hash":"ff","height":1}', 'height:=2']);
  assert.equal(quiet.code, 0, quiet.stderr);
  assert.equal(quiet.stdout, '');
  const piped = await runHookd(['emit', '--socket', socket, 'override', '--data', '-'], { input: '{\n  "type": "ignored",\n  "hash": "cc"\n}\n' });
  assert.equal(piped.code, 0, piped.stderr);
  assert.deepEqual((await waitForLines(out, 6)).slice(2), [
    '{"type":"tx","hash":"ff","height":2}',
    'socket tx ff 2 ',
    '{"type":"override","hash":"cc"}',
    'socket override cc  ',
  ]);
});

test('emit puts TYPE where the config reads it, and says why when hookd refuses the event', async (t) => {
  const dir = tempDir(t);
  const out = path.join(dir, 'out.txt');
  dumpHook(dir, out);
  const { config } = await startDaemon(t, dir, 'sources:\n  - socket: ./hookd.sock\nevent:\n  type: meta.kind\nhooks:\n  - name: dump\n    on: block\n    run: ./dump.sh\n');
  const sent = await runHookd(['emit', '-c', config, 'block', 'hash=01']);
  assert.equal(sent.code, 0, sent.stderr);
  assert.equal((await waitForLines(out, 1))[0], '{"meta":{"kind":"block"},"hash":"01"}');
  // Through --socket hookd cannot know the field: the event lacks it.
  const refused = await runHookd(['emit', '--socket', path.join(dir, 'hookd.sock'), 'block']);
  assert.equal(refused.code, 1);
  assert.equal(refused.stderr, 'hookd: hookd refused the event: no event type: field "meta.kind" is missing\n');
});

test('emit reports usage errors with exit 2, and a config without a socket source with 78', async (t) => {
  const dir = tempDir(t);
  const socket = path.join(dir, 'x.sock');
  const cases = [
    [['emit', '--socket', socket], /missing the event TYPE/],
    [['emit', '--socket', socket, 'block', 'novalue'], /expected key=value or key:=json, got "novalue"/],
    [['emit', '--socket', socket, 'block', 'n:={bad'], /n:=\{bad: invalid JSON/],
    [['emit', '--socket', socket, '--data', '[1]'], /--data must be a JSON object/],
    [['emit', '--socket', socket, '-c', 'x.yaml', 'block'], /give -c or --socket, not both/],
    [['emit', '--socket', socket, '--timeout', 'soon', 'block'], /--timeout must be a duration/],
  ] as const;
  const results = await Promise.all(cases.map(([args]) => runHookd(args)));
  for (const [index, [args, message]] of cases.entries()) {
    const result = results[index] as Awaited<ReturnType<typeof runHookd>>;
    assert.equal(result.code, 2, `${args.join(' ')}: ${result.stderr}`);
    assert.match(result.stderr, message);
    assert.equal(result.stderr.split('\n').length, 2, 'one line');
  }
  const config = writeConfig(dir, 'sources: [stdin]\nhooks: []\n');
  const result = await runHookd(['emit', '-c', config, 'block']);
  assert.equal(result.code, 78);
  assert.match(result.stderr, /hookd\.yaml: no socket source, so hookd listens on no socket/);
});

test('status shows uptime, config, sources with the file position, the queue and per-hook counters, as a table or JSON', async (t) => {
  const dir = tempDir(t);
  writeScript(dir, 'ok.sh', 'cat > /dev/null');
  writeScript(dir, 'fail.sh', 'echo "disk full" >&2\nexit 3');
  const events = path.join(dir, 'events.jsonl');
  writeFileSync(events, '{"type":"a"}\n{"type":"a"}\n');
  const yaml = 'sources:\n  - socket: ./hookd.sock\n  - file: ./events.jsonl\nhooks:\n  - name: good\n    on: a\n    run: ./ok.sh\n  - name: bad\n    on: a\n    run: ./fail.sh\n  - name: idle\n    on: never\n    run: ./ok.sh\n';
  const { config, hookd } = await startDaemon(t, dir, yaml);
  await waitFor(() => hookd.logs().filter((entry) => entry.hook !== undefined && entry.durationMs !== undefined).length === 4, 'four runs');

  const json = await runHookd(['status', '-c', config, '--json']);
  assert.equal(json.code, 0, json.stderr);
  const status = JSON.parse(json.stdout) as Record<string, any>;
  assert.equal(status.config, config);
  assert.equal(status.pid, hookd.child.pid);
  assert.ok(status.uptimeMs >= 0);
  assert.deepEqual(status.queue, { events: 0, deliveries: 0, durable: true, unmatched: 0 });
  assert.equal(status.running, 0);
  const file = status.sources.find((source: Record<string, unknown>) => source.kind === 'file');
  assert.equal(file.path, events);
  assert.equal(file.position, 26);
  assert.equal(file.line, 2);
  assert.ok(status.sources.some((source: Record<string, unknown>) => source.kind === 'socket' && source.path === path.join(dir, 'hookd.sock')));
  const hooks = Object.fromEntries(status.hooks.map((hook: Record<string, unknown>) => [hook.name, hook]));
  assert.deepEqual(
    { runs: hooks.good.runs, successes: hooks.good.successes, failures: hooks.good.failures, lastExit: hooks.good.lastExit, lastError: hooks.good.lastError },
    { runs: 2, successes: 2, failures: 0, lastExit: 'exit 0', lastError: null },
  );
  assert.deepEqual(
    { runs: hooks.bad.runs, successes: hooks.bad.successes, failures: hooks.bad.failures, timeouts: hooks.bad.timeouts, lastExit: hooks.bad.lastExit, lastError: hooks.bad.lastError },
    { runs: 2, successes: 0, failures: 2, timeouts: 0, lastExit: 'exit 3', lastError: 'exit 3: disk full' },
  );
  assert.equal(typeof hooks.bad.lastDurationMs, 'number');
  assert.equal(hooks.idle.runs, 0);

  const human = await runHookd(['status', '--socket', path.join(dir, 'hookd.sock')]);
  assert.equal(human.code, 0, human.stderr);
  const lines = human.stdout.split('\n');
  assert.match(lines[0] as string, /^hookd is running: pid \d+, up \d+s \(since .+\)$/);
  assert.ok(lines.includes(`config  ${config}`));
  assert.ok(lines.some((line) => /^file +\S+events\.jsonl +waiting=false position=26 line=2 /.test(line)));
  assert.ok(lines.some((line) => /^HOOK +RUNS +OK +FAILED +TIMEOUTS +RUNNING +LAST EXIT +LAST DURATION +LAST ERROR$/.test(line)));
  assert.ok(lines.some((line) => /^bad +2 +0 +2 +0 +0 +exit 3 +\d+ms +exit 3: disk full$/.test(line)));
  assert.ok(lines.some((line) => /^idle +0 +0 +0 +0 +0 +- +- +-$/.test(line)));

  const missing = await runHookd(['status', '--socket', path.join(dir, 'none.sock')]);
  assert.equal(missing.code, 69);
});

test("emit's import graph stays small: no logger, watcher, YAML or cosmiconfig unless it must read the config", () => {
  const seen = new Set<string>();
  const packages = new Set<string>();
  const visit = (file: string): void => {
    if (seen.has(file)) return;
    seen.add(file);
    // Static imports only: the config is loaded with import() when needed.
    for (const match of readFileSync(file, 'utf8').matchAll(/^import [^;]*? from '([^']+)';/gm)) {
      const specifier = match[1] as string;
      if (specifier.startsWith('.')) visit(path.resolve(path.dirname(file), specifier));
      else if (!specifier.startsWith('node:')) packages.add(specifier);
    }
  };
  visit(path.join(ROOT, 'dist', 'cli', 'main.js'));
  visit(path.join(ROOT, 'dist', 'cli', 'emit.js'));
  assert.deepEqual([...packages], []);
  assert.ok(seen.size < 15, `emit loads ${seen.size} modules: ${[...seen].map((file) => path.relative(ROOT, file)).join(', ')}`);
});
