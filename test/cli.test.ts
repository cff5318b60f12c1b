// The command line through the built bin: hookd test (dry run and real, human
// and JSON, every input form), hookd validate, help, version and usage errors.
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, test, type TestContext } from 'node:test';
import { ROOT, runHookd, tempDir, writeConfig, writeFile, writeScript } from './helpers.ts';

const PAID_EVENT = '{"type":"invoice_payment","id":"p1","label":"shop 1","msat":18446744073709551615}';
const OTHER_EVENT = '{"type":"other","id":"o1"}';

// A config with a hook that leaves a file behind when it runs (proof that it
// ran), and one that fails.
function setup(t: TestContext): { dir: string; file: string; marker: string; events: string } {
  const dir = tempDir(t);
  const marker = path.join(dir, 'ran');
  writeScript(dir, 'hooks/paid.sh', `touch "${marker}"\necho "paid $1 $EVENT_MSAT"\necho "a warning" >&2`);
  writeScript(dir, 'hooks/fail.sh', 'echo broken >&2\nexit 4');
  const file = writeConfig(dir, `
event: { id: id }
hooks:
  - name: paid
    on: invoice_payment
    run: ./hooks/paid.sh
    args: ["{{label}}"]
    env: { API_TOKEN: "s3cret", CHAT: "42" }
    cwd: hooks
    timeout: 30s
    kill_after: 2s
  - name: fail
    on: block
    run: ./hooks/fail.sh
`);
  const events = writeFile(dir, 'events.jsonl', `${PAID_EVENT}\n${OTHER_EVENT}\n`);
  return { dir, file, marker, events };
}

// The lines of a human report without the HOOKD_TIME line (it varies).
const stable = (stdout: string): string[] => stdout.split('\n').filter((line) => !line.includes('HOOKD_TIME='));

describe('hookd test', { concurrency: true }, () => {
  test('--dry-run lists each event, the hooks it reaches and what each would get, and runs nothing', async (t) => {
    const { dir, file, marker, events } = setup(t);
    const result = await runHookd(['test', '-c', file, '--dry-run', events]);
    assert.equal(result.code, 0, result.stderr);
    assert.equal(existsSync(marker), false, 'the hook ran during a dry run');
    assert.match(result.stdout, /^      HOOKD_TIME=\d{4}-\d\d-\d\dT[\d:.]+Z$/m);
    assert.deepEqual(stable(result.stdout), [
      'event 1: type=invoice_payment id=p1',
      '  hook paid',
      `    argv:    ${dir}/hooks/paid.sh 'shop 1'`,
      `    cwd:     ${dir}/hooks`,
      '    timeout: 30s, then SIGKILL after 2s',
      '    env:',
      '      API_TOKEN=***',
      '      CHAT=42',
      '      EVENT_ID=p1',
      '      EVENT_LABEL=shop 1',
      '      EVENT_MSAT=18446744073709551615',
      '      EVENT_TYPE=invoice_payment',
      '      HOOKD_ATTEMPT=1',
      '      HOOKD_HOOK=paid',
      '      HOOKD_ID=p1',
      '      HOOKD_SOURCE=test',
      '      HOOKD_TYPE=invoice_payment',
      'event 2: type=other id=o1',
      '  no hook matches this event',
      '',
    ]);
  });

  test('--dry-run --json gives argv, cwd, timeout and env as JSON, and runs nothing', async (t) => {
    const { dir, file, marker, events } = setup(t);
    const result = await runHookd(['test', '-c', file, '--dry-run', '--json', events], { cwd: dir });
    assert.equal(result.code, 0, result.stderr);
    assert.equal(existsSync(marker), false);
    const report = JSON.parse(result.stdout);
    assert.equal(report.failed, 0);
    assert.deepEqual(report.problems, []);
    assert.equal(report.events.length, 2);
    const [paid, other] = report.events;
    assert.deepEqual(other, { index: 2, type: 'other', id: 'o1', hooks: [] });
    const { env, ...hook } = paid.hooks[0];
    assert.deepEqual(hook, {
      hook: 'paid',
      decide: false,
      argv: [`${dir}/hooks/paid.sh`, 'shop 1'],
      cwd: `${dir}/hooks`,
      timeoutMs: 30_000,
      killAfterMs: 2_000,
    });
    assert.equal(env.EVENT_MSAT, '18446744073709551615');
    assert.equal(env.API_TOKEN, '***');
    assert.equal(env.HOOKD_HOOK, 'paid');
    assert.equal(env.PATH, undefined, 'the inherited environment is not listed');
  });

  test('a hook without cwd shows the folder it would run in: hookd\'s working folder', async (t) => {
    const { file } = setup(t);
    const result = await runHookd(['test', '-c', file, '--dry-run', '--json', '-'], { cwd: ROOT, input: '{"type":"block","id":"b1"}' });
    assert.equal(JSON.parse(result.stdout).events[0].hooks[0].cwd, ROOT);
  });

  test('without --dry-run each matching hook runs once and its exit, duration, stdout and stderr are shown', async (t) => {
    const { file, marker, events } = setup(t);
    const result = await runHookd(['test', '-c', file, events]);
    assert.equal(result.code, 0, result.stderr);
    assert.ok(existsSync(marker), 'the hook ran');
    const lines = stable(result.stdout);
    const at = lines.indexOf('      HOOKD_TYPE=invoice_payment');
    assert.match(lines[at + 1]!, /^ {4}result: {2}ok \(exit 0, \d+ ms\)$/);
    assert.deepEqual(lines.slice(at + 2), [
      '    stdout:',
      '      | paid shop 1 18446744073709551615',
      '    stderr:',
      '      | a warning',
      'event 2: type=other id=o1',
      '  no hook matches this event',
      '',
    ]);
  });

  test('a failing hook is shown as FAILED and makes hookd test exit 1', async (t) => {
    const { file } = setup(t);
    const result = await runHookd(['test', '-c', file, '-'], { input: '{"type":"block","id":"b1"}\n' });
    assert.equal(result.code, 1);
    assert.match(result.stdout, /^ {4}result: {2}FAILED \(exit 4, \d+ ms\)\n {4}stderr:\n {6}\| broken\n$/m);
    const json = await runHookd(['test', '-c', file, '--json', '-'], { input: '{"type":"block","id":"b1"}\n' });
    assert.equal(json.code, 1);
    const report = JSON.parse(json.stdout);
    assert.equal(report.failed, 1);
    const { durationMs, ...outcome } = report.events[0].hooks[0].result;
    assert.equal(typeof durationMs, 'number');
    assert.deepEqual(outcome, { ok: false, outcome: 'exit 4', exitCode: 4, signal: null, timedOut: false, stdout: '', stderr: 'broken\n' });
  });

  test('one JSON document, pretty-printed or a list of events, is read as well as JSON lines', async (t) => {
    const { file } = setup(t);
    const pretty = await runHookd(['test', '-c', file, '--dry-run', '--json'], { input: JSON.stringify(JSON.parse('{"type":"other","id":"doc","n":{"a":1}}'), null, 2) });
    assert.deepEqual(JSON.parse(pretty.stdout).events.map((event: { id: string }) => event.id), ['doc']);
    const list = await runHookd(['test', '-c', file, '--dry-run', '--json', '-'], { input: `[\n  ${PAID_EVENT},\n  ${OTHER_EVENT}\n]\n` });
    const report = JSON.parse(list.stdout);
    assert.deepEqual(report.events.map((event: { id: string }) => event.id), ['p1', 'o1']);
    assert.equal(report.events[0].hooks[0].env.EVENT_MSAT, '18446744073709551615');
  });

  test('an event that cannot be read is reported with its line, and the others still shown', async (t) => {
    const { file } = setup(t);
    const result = await runHookd(['test', '-c', file, '--dry-run', '-'], { input: `${OTHER_EVENT}\n{oops\n{"id":"x"}\n` });
    assert.equal(result.code, 1);
    assert.equal(result.stderr, [
      'hookd: stdin: line 2 skipped: invalid JSON: Expected a string key at position 1',
      'hookd: stdin: line 3 skipped: no event type: field "type" is missing',
      '',
    ].join('\n'));
    assert.match(result.stdout, /^event 1: type=other id=o1\n {2}no hook matches this event\n$/);
  });

  test('an empty input says there are no events', async (t) => {
    const { file } = setup(t);
    const result = await runHookd(['test', '-c', file, '--dry-run'], { input: '' });
    assert.equal(result.stdout, 'no events in the input\n');
    assert.equal(result.code, 0);
  });

  test('a missing event file is one line and exit 1', async (t) => {
    const { dir, file } = setup(t);
    const result = await runHookd(['test', '-c', file, '--dry-run', path.join(dir, 'nope.jsonl')]);
    assert.equal(result.stderr, `hookd: cannot read ${path.join(dir, 'nope.jsonl')}: ENOENT\n`);
    assert.equal(result.code, 1);
  });
});

describe('hookd validate', { concurrency: true }, () => {
  test('a good config: one OK line, exit 0', async (t) => {
    const { file } = setup(t);
    const result = await runHookd(['validate', '-c', file]);
    assert.deepEqual([result.code, result.stdout, result.stderr], [0, `${file}: OK (2 hooks; sources: stdin)\n`, '']);
  });

  test('a bad config: a summary line, then one line per problem, exit 78', async (t) => {
    const dir = tempDir(t);
    const file = writeConfig(dir, 'concurrency: 0\nhooks:\n  - {name: h, on: t, run: ./gone.sh, timeout: soon}\n');
    const result = await runHookd(['validate', '-c', file]);
    assert.equal(result.code, 78);
    assert.equal(result.stdout, '');
    assert.equal(result.stderr, [
      `hookd: ${file}: 3 problems in the config`,
      `  ${file}:1: concurrency: expected a whole number of at least 1, got 0 (number)`,
      `  ${file}:3: hooks[0].run: script not found: ${dir}/gone.sh (E_SCRIPT_MISSING)`,
      `  ${file}:3: hooks[0].timeout: expected a duration such as 30s, 250ms, 5m or a number of seconds, got "soon" (string)`,
      '',
    ].join('\n'));
  });

  test('the daemon and hookd test refuse a bad config the same way', async (t) => {
    const file = writeConfig(tempDir(t), 'hooks: [{name: h, on: t, run: "true", tmeout: 1s}]\n');
    const expected = `hookd: ${file}:1: hooks[0].tmeout: unknown key (did you mean "timeout"?)\n`;
    for (const args of [['-c', file], ['test', '-c', file, '--dry-run', '-']]) {
      const result = await runHookd(args, { input: '' });
      assert.deepEqual([result.code, result.stderr], [78, expected], args.join(' '));
    }
  });
});

describe('help, version and usage errors', { concurrency: true }, () => {
  const COMMANDS = ['run', 'test', 'validate', 'emit', 'status', 'dead', 'cln-plugin'];

  test('hookd --help shows every command and an example', async () => {
    for (const flag of ['--help', 'help']) {
      const result = await runHookd([flag]);
      assert.equal(result.code, 0);
      for (const name of COMMANDS.filter((name) => name !== 'run')) assert.match(result.stdout, new RegExp(`^ {2}hookd ${name}\\b`, 'm'));
      assert.match(result.stdout, /^EXAMPLES\n {2}hookd -c hooks\.example\/hookd\.yaml < hooks\.example\/events\.jsonl$/m);
    }
  });

  test('every command has its own --help', async () => {
    const forms = [...COMMANDS.map((name) => [name, '--help']), ['test', '-h']];
    for (const args of forms) {
      const name = args.find((arg) => COMMANDS.includes(arg))!;
      const result = await runHookd(args);
      assert.equal(result.code, 0, args.join(' '));
      // Man-style pages (help.test.ts checks their sections) or a one-line stub.
      assert.match(result.stdout, new RegExp(`^(NAME\\n {2})?hookd ${name}\\b`), args.join(' '));
    }
  });

  test('--version prints the package version', async () => {
    const { version } = JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { version: string };
    const result = await runHookd(['--version']);
    assert.deepEqual([result.code, result.stdout], [0, `hookd ${version}\n`]);
  });

  test('a usage error exits 2 with one line and no stack trace', async (t) => {
    const file = writeConfig(tempDir(t), 'hooks: [{name: h, on: t, run: "true"}]\n');
    const cases: [string[], string][] = [
      [['--bogus'], "hookd: Unknown option '--bogus' (see hookd run --help)"],
      [['frobnicate'], 'hookd: unknown command "frobnicate" (see hookd --help)'],
      [['test', '--bogus'], "hookd: Unknown option '--bogus' (see hookd test --help)"],
      [['test', '-c', file, 'a.jsonl', 'b.jsonl'], 'hookd: give one event file (or - for stdin) (see hookd test --help)'],
      [['run', '--log-level', 'loud'], 'hookd: --log-level must be one of trace, debug, info, warn, error, fatal, silent, got "loud" (see hookd run --help)'],
      [['-c'], "hookd: Option '-c, --config <value>' argument missing (see hookd run --help)"],
      [['validate', 'extra'], "hookd: Unexpected argument 'extra'. This command does not take positional arguments (see hookd validate --help)"],
    ];
    for (const [args, message] of cases) {
      const result = await runHookd(args, { input: '' });
      assert.deepEqual([result.code, result.stderr, result.stdout], [2, `${message}\n`, ''], args.join(' '));
    }
  });
});
