// One run of one hook (runner.ts) against real scripts: stdin, exit codes,
// timeouts on the whole process group, output capture, spawn failures, and
// the argv and environment that a config and an event produce. Every test
// runs twice: programs started in-process and by hookd-spawner.
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { loadConfig } from '../src/config/load.ts';
import { parseEvent } from '../src/event.ts';
import { prepareInvocation } from '../src/run/invocation.ts';
import type { Launcher } from '../src/run/launch.ts';
import { launchInProcess } from '../src/run/launch-node.ts';
import { spawnerLauncher } from '../src/run/launch-spawner.ts';
import { MAX_OUTPUT_BYTES, runProgram, type OutputStream, type RunRequest } from '../src/run/runner.ts';
import { SpawnerClient } from '../src/run/spawner-client.ts';
import { cleanEnv, FIXTURES, tempDir, waitFor, writeConfig, writeScript } from './helpers.ts';
import { isRunning } from './processes.ts';
import { buildSpawner, spawnerSuiteSkip } from './spawner-binary.ts';

const fixture = (name: string): string => path.join(FIXTURES, name);

function baseRequest(command: string, overrides: Partial<RunRequest> = {}): RunRequest {
  return {
    command,
    args: [],
    env: { PATH: process.env.PATH ?? '/usr/bin:/bin' },
    input: '{"type":"t"}',
    timeoutMs: 30_000,
    killAfterMs: 5_000,
    ...overrides,
  };
}

const readPid = (file: string): number => Number(readFileSync(file, 'utf8').trim());

// The tests of this file mostly wait on child processes: let them overlap.
for (const mode of ['node', 'helper'] as const) describe(`runner, spawner: ${mode}`, { concurrency: true, skip: mode === 'helper' && spawnerSuiteSkip() }, () => {
  let client: SpawnerClient | undefined;
  before(async () => {
    if (mode === 'helper') client = await SpawnerClient.start({ path: buildSpawner().path });
  });
  after(() => client?.close());
  const launch: Launcher = (launchRequest, handlers) => (client ? spawnerLauncher(client) : launchInProcess)(launchRequest, handlers);
  const request = (command: string, overrides: Partial<RunRequest> = {}): RunRequest => baseRequest(command, { launch, ...overrides });

  test('the hook reads the event line on stdin, then end of file', async (t) => {
    const dir = tempDir(t);
    const out = path.join(dir, 'stdin');
    const input = '{"type":"t","msat":18446744073709551615,"x":1.0,"s":"é \\u0000"}';
    const result = await runProgram(request(fixture('echo-stdin.sh'), { input, env: { OUT: out } }));
    assert.equal(result.ok, true, result.outcome);
    assert.equal(readFileSync(out, 'utf8'), `${input}\n`);
    assert.equal(typeof result.pid, 'number');
  });

  test('a hook that never reads its stdin succeeds, even with a 4 MiB event', async () => {
    const input = `{"type":"t","pad":"${'x'.repeat(4 * 1024 * 1024)}"}`;
    const result = await runProgram(request(fixture('exit-n.sh'), { input }));
    assert.equal(result.ok, true, result.outcome);
    assert.equal(result.exitCode, 0);
  });

  test('a nonzero exit is a failure that keeps its exit code', async () => {
    const result = await runProgram(request(fixture('exit-n.sh'), { args: ['3'] }));
    assert.equal(result.ok, false);
    assert.equal(result.exitCode, 3);
    assert.equal(result.timedOut, false);
    assert.equal(result.outcome, 'exit 3');
  });

  test('a 1 ms timeout ends a script that would run for ten minutes', async () => {
    const result = await runProgram(request(fixture('forever.sh'), { timeoutMs: 1 }));
    assert.equal(result.timedOut, true);
    assert.equal(result.signal, 'SIGTERM');
    assert.equal(result.ok, false);
    assert.equal(result.outcome, 'timed out (SIGTERM)');
  });

  test('a quick script under a 30 s timeout is not timed out', async () => {
    const result = await runProgram(request(fixture('exit-n.sh'), { timeoutMs: 30_000 }));
    assert.equal(result.timedOut, false);
    assert.equal(result.ok, true);
  });

  test('at the timeout the whole process group gets SIGTERM and no grandchild survives', async (t) => {
    const pidFile = path.join(tempDir(t), 'grandchild.pid');
    const result = await runProgram(request(fixture('spawn-grandchild.sh'), { args: [pidFile], timeoutMs: 3_000 }));
    assert.equal(result.timedOut, true);
    assert.ok(existsSync(pidFile), 'the grandchild was started before the timeout');
    const grandchild = readPid(pidFile);
    await waitFor(() => !isRunning(grandchild), `grandchild ${grandchild} to be gone`, 5_000);
  });

  test('kill_after sends SIGKILL to a script that ignores SIGTERM', async (t) => {
    const ready = path.join(tempDir(t), 'ready');
    const result = await runProgram(request(fixture('ignore-term.sh'), { args: [ready], timeoutMs: 1_500, killAfterMs: 200 }));
    assert.ok(existsSync(ready), 'the script had set its trap before the timeout');
    assert.equal(result.timedOut, true);
    assert.equal(result.signal, 'SIGKILL');
    assert.equal(result.outcome, 'timed out (SIGKILL)');
  });

  test('what a hook leaves running in its group is ended when it exits', async (t) => {
    const dir = tempDir(t);
    const pidFile = path.join(dir, 'left.pid');
    const script = writeScript(dir, 'leave.sh', 'sleep 600 &\necho $! > "$1"\nexit 0');
    const result = await runProgram(request(script, { args: [pidFile] }));
    assert.equal(result.ok, true, result.outcome);
    const left = readPid(pidFile);
    await waitFor(() => !isRunning(left), `leftover ${left} to be gone`, 5_000);
  });

  test('a leftover that ignores SIGTERM and closed its pipes gets SIGKILL after kill_after', async (t) => {
    const dir = tempDir(t);
    const pidFile = path.join(dir, 'stubborn.pid');
    const script = writeScript(dir, 'stubborn.sh', `(trap '' TERM; exec sleep 600) </dev/null >/dev/null 2>&1 &\necho $! > "$1"\nexit 0`);
    const result = await runProgram(request(script, { args: [pidFile], killAfterMs: 200 }));
    assert.equal(result.ok, true, result.outcome);
    const stubborn = readPid(pidFile);
    t.after(() => {
      if (isRunning(stubborn)) process.kill(stubborn, 'SIGKILL');
    });
    await waitFor(() => !isRunning(stubborn), `stubborn leftover ${stubborn} to be gone`, 10_000);
  });

  test('output arrives line by line on each stream', async (t) => {
    const script = writeScript(tempDir(t), 'talk.sh', `echo one\necho two >&2\necho\nprintf 'three'`);
    const lines: Record<OutputStream, string[]> = { stdout: [], stderr: [] };
    const result = await runProgram(request(script, { onOutput: (stream, line) => lines[stream].push(line) }));
    assert.deepEqual(lines, { stdout: ['one', '', 'three'], stderr: ['two'] });
    assert.equal(result.stdout, 'one\n\nthree\n');
    assert.equal(result.stderr, 'two\n');
    assert.equal(result.droppedBytes, 0);
  });

  test('output beyond 64 KiB is counted and dropped, the first lines kept in order', async (t) => {
    const script = writeScript(tempDir(t), 'chatty.sh', 'seq 1 30000');
    const lines: string[] = [];
    const result = await runProgram(request(script, { onOutput: (_stream, line) => lines.push(line) }));
    const total = Array.from({ length: 30000 }, (_, i) => `${i + 1}\n`).join('');
    const kept = Buffer.byteLength(result.stdout);
    assert.ok(kept <= MAX_OUTPUT_BYTES && kept > MAX_OUTPUT_BYTES - 8, `kept ${kept} bytes`);
    assert.equal(kept + result.droppedBytes, Buffer.byteLength(total));
    assert.equal(result.stdout, total.slice(0, kept));
    assert.deepEqual(lines, result.stdout.trimEnd().split('\n'));
  });

  test('a line longer than the limit is counted, and nothing after it is kept', async (t) => {
    const script = writeScript(tempDir(t), 'blob.sh', `echo before\nhead -c 20000000 /dev/zero | tr '\\0' x\necho\necho after`);
    const result = await runProgram(request(script));
    assert.equal(result.ok, true, result.outcome);
    assert.equal(result.stdout, 'before\n');
    assert.equal(result.droppedBytes, 20_000_000 + 1 + 'after\n'.length);
  });

  test('a program missing at run time is a failed run, not an exception', async () => {
    const result = await runProgram(request('/nonexistent/hookd-hook.sh'));
    assert.equal(result.ok, false);
    assert.equal(result.pid, undefined);
    assert.equal(result.outcome, 'ENOENT: cannot start /nonexistent/hookd-hook.sh');
  });

  test('a working folder removed since the config was loaded is named as the cause', async (t) => {
    const cwd = path.join(tempDir(t), 'gone');
    const result = await runProgram(request(fixture('exit-n.sh'), { cwd }));
    assert.equal(result.ok, false);
    assert.equal(result.outcome, `ENOENT: cannot start ${fixture('exit-n.sh')}: no working folder ${cwd}`);
  });

  test('a script that lost its execute bit is a failed run naming EACCES', async (t) => {
    const script = writeScript(tempDir(t), 'locked.sh', 'exit 0', 0o644);
    const result = await runProgram(request(script));
    assert.equal(result.ok, false);
    assert.equal(result.outcome, `EACCES: cannot start ${script}: not executable (chmod +x ${script})`);
  });

  test('args templates are filled from the event, a missing field giving ""', async (t) => {
    const dir = tempDir(t);
    const out = path.join(dir, 'args');
    const file = writeConfig(dir, `
hooks:
  - name: show
    on: invoice_payment
    run: ["${fixture('print-args.sh')}", "fixed arg"]
    args: ["{{label}}", "{{missing}}", "x-{{n}}-y", "{{obj}}", "{{tags.1}}", "{{big}}", "{{ nested.flag }}", "{{constructor}}", "$(touch pwned); {{label}}"]
    env: { OUT: "${out}" }
`);
    const config = await loadConfig({ path: file });
    const event = parseEvent(
      '{"type":"invoice_payment","label":"shop 1","n":1.0,"obj":{"a":[1,2]},"tags":["a","b"],"big":18446744073709551615,"nested":{"flag":false}}',
      { typePath: 'type' },
      'test',
    );
    const invocation = prepareInvocation(config.hooks[0]!, event, 1, { config, baseEnv: cleanEnv() });
    const result = await runProgram({ ...invocation, launch });
    assert.equal(result.ok, true, result.outcome);
    assert.deepEqual(readFileSync(out, 'utf8').split('\0').slice(0, -1), [
      'fixed arg', 'shop 1', '', 'x-1.0-y', '{"a":[1,2]}', 'b', '18446744073709551615', 'false', '', '$(touch pwned); shop 1',
    ]);
    assert.equal(existsSync(path.join(dir, 'pwned')), false);
  });
});

describe('runner, when hookd-spawner dies', { skip: spawnerSuiteSkip() }, () => {
  test('the run in flight fails naming it, hookd ends the hook\'s group, and the next run gets a new spawner', async (t) => {
    const client = await SpawnerClient.start({ path: buildSpawner().path, onNotice: () => {} });
    t.after(() => client.close());
    const launch = spawnerLauncher(client);
    const spawner = client.pid as number;
    let hook = 0;
    const result = await runProgram(baseRequest(fixture('forever.sh'), {
      launch,
      killAfterMs: 200,
      onSpawn: (pid) => {
        hook = pid;
        process.kill(spawner, 'SIGKILL');
      },
    }));
    assert.equal(result.ok, false);
    assert.equal(result.outcome, 'hookd-spawner was killed by SIGKILL during the run');
    assert.equal(result.pid, hook);
    await waitFor(() => !isRunning(hook), `hook ${hook} to be ended by hookd`, 5_000);
    const next = await runProgram(baseRequest(fixture('exit-n.sh'), { launch }));
    assert.equal(next.ok, true, next.outcome);
    assert.notEqual(client.pid, spawner);
  });
});
