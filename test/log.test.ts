// Log formats (json, pretty, journal), the journald default, and secrets that
// never reach a log line.
import assert from 'node:assert/strict';
import { closeSync, fstatSync, openSync, readFileSync } from 'node:fs';
import { spawn } from 'node:child_process';
import path from 'node:path';
import { test } from 'node:test';
import { createLogger, isJournalStream } from '../src/log/logger.ts';
import { redactSecrets, rememberSecrets } from '../src/log/redact.ts';
import { BIN, cleanEnv, ROOT, runHookd, tempDir, writeConfig, writeScript } from './helpers.ts';

function collect(): { lines: string[]; write(line: string): void } {
  const lines: string[] = [];
  return { lines, write: (line) => void lines.push(line) };
}

test('the journal format writes each entry as one line: syslog priority, message, then key=value fields', () => {
  const sink = collect();
  const log = createLogger({ level: 'trace', format: 'journal', target: sink });
  log.trace('tracing');
  log.debug({ hook: 'paid' }, 'matching');
  log.info({ hook: 'paid', durationMs: 12, label: 'shop order', tags: ['a', 'b'] }, 'hook ok');
  log.warn({ line: 3 }, 'skipped a line');
  log.error({ exit: 3 }, 'hook failed: exit 3');
  log.fatal('cannot go on');
  assert.deepEqual(sink.lines, [
    '<7>tracing\n',
    '<7>matching hook=paid\n',
    '<6>hook ok hook=paid durationMs=12 label="shop order" tags=["a","b"]\n',
    '<4>skipped a line line=3\n',
    '<3>hook failed: exit 3 exit=3\n',
    '<3>cannot go on\n',
  ]);
});

test('a message or field with a newline stays on one journal line', () => {
  const sink = collect();
  const log = createLogger({ format: 'journal', target: sink });
  log.info({ stderr: 'first\nsecond' }, 'two\nlines');
  assert.deepEqual(sink.lines, ['<6>two\\nlines stderr="first\\nsecond"\n']);
});

test('the json format keeps one JSON object per line, with level and time', () => {
  const sink = collect();
  createLogger({ format: 'json', target: sink }).warn({ hook: 'x' }, 'careful');
  const entry = JSON.parse(sink.lines[0] as string) as Record<string, unknown>;
  assert.equal(typeof entry.time, 'string');
  delete entry.time;
  assert.deepEqual(entry, { level: 'warn', hook: 'x', msg: 'careful' });
});

test('JOURNAL_STREAM makes journal the default format only when stdout is that very stream', (t) => {
  const dir = tempDir(t);
  const file = path.join(dir, 'out');
  const fd = openSync(file, 'w');
  t.after(() => closeSync(fd));
  const stat = fstatSync(fd, { bigint: true });
  assert.equal(isJournalStream(fd, `${stat.dev}:${stat.ino}`), true);
  assert.equal(isJournalStream(fd, `${stat.dev}:${stat.ino + 1n}`), false);
  assert.equal(isJournalStream(fd, 'nonsense'), false);
  assert.equal(isJournalStream(fd, undefined), false);
});

// Runs the built bin with stdout going to a file, as systemd hands a service its journal stream.
function runWithStdoutFile(t: import('node:test').TestContext, args: string[], journalStream: (dev: bigint, ino: bigint) => string): Promise<string> {
  const dir = tempDir(t);
  const file = path.join(dir, 'stdout');
  const fd = openSync(file, 'w');
  const stat = fstatSync(fd, { bigint: true });
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], {
      cwd: ROOT,
      env: cleanEnv({ JOURNAL_STREAM: journalStream(stat.dev, stat.ino) }),
      stdio: ['pipe', fd, 'pipe'],
    });
    closeSync(fd);
    child.on('error', reject);
    child.on('close', () => resolve(readFileSync(file, 'utf8')));
    child.stdin!.end('{"type":"block","height":1,"hash":"00ab"}\n');
  });
}

test('hookd run under systemd (JOURNAL_STREAM naming its stdout) logs in the journal format by default', async (t) => {
  const output = await runWithStdoutFile(t, ['-c', 'hooks.example/hookd.yaml'], (dev, ino) => `${dev}:${ino}`);
  const lines = output.trimEnd().split('\n');
  assert.ok(lines.length >= 3, output);
  for (const line of lines) assert.match(line, /^<[34567]>\S/);
  assert.ok(lines.some((line) => line.startsWith('<6>hook ok hook=block type=block')), output);
});

test('a JOURNAL_STREAM inherited from elsewhere does not change the format: JSON lines stay', async (t) => {
  const output = await runWithStdoutFile(t, ['-c', 'hooks.example/hookd.yaml'], (dev, ino) => `${dev}:${ino + 7n}`);
  for (const line of output.trimEnd().split('\n')) assert.doesNotThrow(() => JSON.parse(line), line);
});

test('with --log-format journal a failing hook logs <3> and a good one <6>, so journalctl -p warning shows only the failure', async (t) => {
  const dir = tempDir(t);
  writeScript(dir, 'ok.sh', 'exit 0');
  writeScript(dir, 'fail.sh', 'echo broken >&2; exit 3');
  const config = writeConfig(dir, [
    'event: { id: id }',
    'hooks:',
    '  - { name: good, on: "*", run: ./ok.sh }',
    '  - { name: bad, on: "*", run: ./fail.sh }',
  ].join('\n'));
  const result = await runHookd(['-c', config, '--log-format', 'journal'], { input: '{"type":"x","id":"e1"}\n' });
  assert.equal(result.code, 0, result.stderr);
  const lines = result.stdout.trimEnd().split('\n');
  const warningsAndWorse = lines.filter((line) => /^<[0-4]>/.test(line));
  assert.equal(warningsAndWorse.length, 1, result.stdout);
  assert.match(warningsAndWorse[0] as string, /^<3>hook failed: exit 3 hook=bad type=x id=e1 pid=\d+ exit=3 durationMs=\d+ attempt=1$/);
  assert.ok(lines.some((line) => /^<6>hook ok hook=good type=x id=e1 /.test(line)), result.stdout);
  assert.ok(lines.includes('<6>broken hook=bad id=e1 stream=stderr'), result.stdout);
});

test('an unknown log format is a usage error that lists json, pretty and journal', async () => {
  const result = await runHookd(['run', '-c', 'hooks.example/hookd.yaml', '--log-format', 'xml']);
  assert.equal(result.code, 2);
  assert.equal(result.stderr, 'hookd: --log-format must be one of json, pretty, journal, got "xml" (see hookd run --help)\n');
});

const SECRETS = {
  hook: 'hook-token-5f2a9c',
  defaults: 'defaults-password-77e1',
  quoted: 'say "hi" \\ bye',
  inherited: 'inherited-api-key-31d0',
};

// A config whose hooks hold secrets (their own env, defaults' env) and a hook
// that prints every one of them, plus one inherited from hookd's environment.
function secretConfig(dir: string): string {
  writeScript(dir, 'leak.sh', 'echo "token=$API_TOKEN pass=$DB_PASSWORD quoted=$QUOTED_SECRET inherited=$MY_API_KEY"; echo "$API_TOKEN" >&2; exit 1');
  return writeConfig(dir, [
    'defaults:',
    `  env: { DB_PASSWORD: "${SECRETS.defaults}" }`,
    'hooks:',
    '  - name: leak',
    '    on: "*"',
    '    run: ./leak.sh',
    `    env: { API_TOKEN: "${SECRETS.hook}", QUOTED_SECRET: ${JSON.stringify(SECRETS.quoted)}, CHAT: "42" }`,
  ].join('\n'));
}

for (const format of ['json', 'journal', 'pretty'] as const) {
  test(`no secret of a hook's env reaches the ${format} log, even at trace level and when the hook prints it`, async (t) => {
    const dir = tempDir(t);
    const config = secretConfig(dir);
    const result = await runHookd(['-c', config, '--log-level', 'trace', '--log-format', format], {
      input: '{"type":"x","id":"e1"}\n',
      env: { MY_API_KEY: SECRETS.inherited },
    });
    assert.equal(result.code, 0, result.stderr);
    const output = result.stdout + result.stderr;
    for (const secret of [...Object.values(SECRETS), JSON.stringify(SECRETS.quoted).slice(1, -1)]) {
      assert.ok(!output.includes(secret), `${secret} leaked:\n${output}`);
    }
    // The lines are there, masked: the debug dump of the hook and the hook's own output.
    assert.match(output, /hook loaded/);
    assert.match(output, /token=\*\*\* pass=\*\*\* quoted=\*\*\* inherited=\*\*\*/);
    assert.match(output, /CHAT.{1,3}42/);
  });
}

test('hookd test --dry-run shows secret variables as *** and never their values', async (t) => {
  const dir = tempDir(t);
  const config = secretConfig(dir);
  for (const json of [[], ['--json']]) {
    const result = await runHookd(['test', '-c', config, '--dry-run', ...json, '-'], { input: '{"type":"x"}\n' });
    assert.equal(result.code, 0, result.stderr);
    for (const secret of Object.values(SECRETS)) assert.ok(!result.stdout.includes(secret), result.stdout);
    assert.match(result.stdout, /API_TOKEN.{1,4}\*\*\*/);
    assert.match(result.stdout, /DB_PASSWORD.{1,4}\*\*\*/);
    assert.match(result.stdout, /CHAT.{1,4}42/);
  }
});

test('hookd test (a real run) masks a secret that the hook prints', async (t) => {
  const dir = tempDir(t);
  const config = secretConfig(dir);
  const result = await runHookd(['test', '-c', config, '-'], { input: '{"type":"x"}\n' });
  assert.equal(result.code, 1, result.stderr);
  for (const secret of [SECRETS.hook, SECRETS.defaults, SECRETS.quoted]) assert.ok(!result.stdout.includes(secret), result.stdout);
  assert.match(result.stdout, /token=\*\*\* pass=\*\*\*/);
});

test('redaction replaces a remembered secret wherever it appears, longest first, and ignores values too short to search', () => {
  rememberSecrets({ SHORT_KEY: 'abc', LONG_TOKEN: 'tok-1234', LONGER_TOKEN: 'tok-1234-extra', PLAIN: 'tok-9999' });
  assert.equal(redactSecrets('a tok-1234-extra b tok-1234 c tok-9999 abc'), 'a *** b *** c tok-9999 abc');
});
