// hookd-spawner (native/spawner.c) and its client (src/run/spawner-client.ts)
// against real scripts: framing, stdin and output relay, exit codes and
// signals, the child's session, signals and descriptors, spawn failures,
// bounded memory under a flood of output, a spawner that dies mid-run, and
// the build script without a compiler.
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, test, type TestContext } from 'node:test';
import { SpawnerClient, type SpawnFrame, type SpawnerRunHandlers } from '../src/run/spawner-client.ts';
import { encodeEvent, encodeRelease, encodeSpawn, EventType, FrameDecoder, HEADER_BYTES } from '../src/run/spawner-frames.ts';
import { pathToFileURL } from 'node:url';
import { FIXTURES, ROOT, tempDir, waitFor, writeScript } from './helpers.ts';
import { isRunning, peakRssKiB } from './processes.ts';
import { BUILD_SCRIPT, spawnerOrSkip } from './spawner-binary.ts';

const PATH = process.env.PATH ?? '/usr/bin:/bin';

interface Outcome {
  pid?: number;
  spawnError?: string;
  stdout: Buffer;
  stderr: Buffer;
  exit?: { code: number | null; signal: NodeJS.Signals | null };
  lost?: string;
  // Handler calls in order, output collapsed: "spawn", "exit", "close", ...
  calls: string[];
}

function frame(file: string, args: string[] = [], overrides: Partial<SpawnFrame> = {}): SpawnFrame {
  return { file, argv: [file, ...args], env: { PATH }, input: Buffer.from('{"type":"t"}\n'), ...overrides };
}

// Runs one frame to its end (close, spawn error or loss).
function runOnce(client: SpawnerClient, request: SpawnFrame, onSpawn?: (pid: number) => void): Promise<Outcome> {
  return new Promise((resolve) => {
    const outcome: Outcome = { stdout: Buffer.alloc(0), stderr: Buffer.alloc(0), calls: [] };
    const chunks = { stdout: [] as Buffer[], stderr: [] as Buffer[] };
    const done = (): void => {
      outcome.stdout = Buffer.concat(chunks.stdout);
      outcome.stderr = Buffer.concat(chunks.stderr);
      resolve(outcome);
    };
    const handlers: SpawnerRunHandlers = {
      onSpawn: (pid) => {
        outcome.calls.push('spawn');
        outcome.pid = pid;
        onSpawn?.(pid);
      },
      onSpawnError: (code) => {
        outcome.calls.push('spawnError');
        outcome.spawnError = code;
        done();
      },
      onOutput: (stream, chunk) => {
        if (outcome.calls.at(-1) !== stream) outcome.calls.push(stream);
        chunks[stream].push(Buffer.from(chunk));
      },
      onExit: (code, signal) => {
        outcome.calls.push('exit');
        outcome.exit = { code, signal };
      },
      onClose: () => {
        outcome.calls.push('close');
        done();
      },
      onLost: (reason) => {
        outcome.calls.push('lost');
        outcome.lost = reason;
        done();
      },
    };
    client.run(request, handlers);
  });
}

async function startClient(t: TestContext, notices: string[] = []): Promise<SpawnerClient | undefined> {
  const file = spawnerOrSkip(t);
  if (file === undefined) return undefined;
  const client = await SpawnerClient.start({ path: file, onNotice: (message) => notices.push(message) });
  t.after(() => client.close());
  return client;
}

// hookd owns the groups: tests end what they leave running the same way.
function killGroupAfter(t: TestContext, pid: number): void {
  t.after(() => {
    try {
      process.kill(-pid, 'SIGKILL');
    } catch {
      // already gone
    }
  });
}

// "pid (comm) state ppid pgrp session ...": the fields after the command name.
function statFields(pid: number): string[] {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  return stat.slice(stat.lastIndexOf(')') + 2).split(' ');
}

describe('spawner frames', () => {
  test('frames cut at every byte boundary decode to the same frames, payloads intact', () => {
    const frames = [encodeEvent(EventType.hello, 0, Buffer.from([1, 0, 0, 0])), encodeEvent(EventType.stdout, 7, Buffer.from('line\n')), encodeEvent(EventType.closed, 0xffffffff)];
    const stream = Buffer.concat(frames);
    for (let cut = 0; cut <= stream.length; cut++) {
      const seen: string[] = [];
      const decoder = new FrameDecoder((type, id, payload) => seen.push(`${type}:${id}:${payload.toString('hex')}`));
      decoder.push(stream.subarray(0, cut));
      decoder.push(stream.subarray(cut));
      assert.deepEqual(seen, [`128:0:01000000`, `131:7:${Buffer.from('line\n').toString('hex')}`, `134:4294967295:`], `cut at ${cut}`);
      assert.equal(decoder.pendingBytes, 0);
    }
  });

  test('a frame length the protocol cannot have is an error, not a hang', () => {
    const decoder = new FrameDecoder(() => {});
    assert.throws(() => decoder.push(Buffer.from([2, 0, 0, 0, 0x80, 0, 0])), /bad frame length 2/);
  });

  test('a spawn request carries argv, env, cwd and input; NUL bytes are refused as Node refuses them', () => {
    const encoded = encodeSpawn(5, { file: '/bin/x', argv: ['/bin/x', 'a'], env: { A: '1', B: 'two' }, cwd: '/tmp', input: Buffer.from('in\n') });
    assert.equal(encoded.readUInt32LE(0), encoded.length - 4);
    assert.equal(encoded.readUInt8(4), 1);
    assert.equal(encoded.readUInt32LE(5), 5);
    assert.deepEqual([encoded.readUInt32LE(9), encoded.readUInt32LE(13), encoded.readUInt32LE(17)], [2, 2, 3]);
    assert.equal(encoded.subarray(21, 24).toString(), 'in\n');
    assert.equal(encoded.subarray(24).toString(), '/bin/x\0/tmp\0/bin/x\0a\0A=1\0B=two\0');
    assert.equal(encodeRelease(9).length, HEADER_BYTES);
    assert.throws(() => encodeSpawn(1, frame('/bin/true', ['a\0b'])), /args\[1\]' must be a string without null bytes/);
    assert.throws(() => encodeSpawn(1, frame('/bin/true', [], { env: { X: 'a\0' } })), /options\.env/);
  });
});

describe('spawner runs', { concurrency: true }, () => {
  test('the hook reads its input on stdin, then end of file; stdout and stderr stay apart', async (t) => {
    const client = await startClient(t);
    if (!client) return;
    const input = '{"type":"t","msat":18446744073709551615,"s":"é"}\n';
    const script = writeScript(tempDir(t), 'talk.sh', 'cat\necho oops >&2\nexit 3');
    const outcome = await runOnce(client, frame(script, [], { input: Buffer.from(input) }));
    assert.equal(outcome.stdout.toString(), input);
    assert.equal(outcome.stderr.toString(), 'oops\n');
    assert.deepEqual(outcome.exit, { code: 3, signal: null });
    assert.equal(outcome.calls[0], 'spawn');
    assert.deepEqual(outcome.calls.slice(-2), ['exit', 'close']);
    // Reaped before EXIT was reported: no zombie left behind.
    assert.equal(existsSync(`/proc/${outcome.pid}`), false, `hook ${outcome.pid} is still in the process table`);
  });

  test('a hook killed by a signal reports the signal and no exit code', async (t) => {
    const client = await startClient(t);
    if (!client) return;
    const script = writeScript(tempDir(t), 'die.sh', 'kill -KILL $$');
    const outcome = await runOnce(client, frame(script));
    assert.deepEqual(outcome.exit, { code: null, signal: 'SIGKILL' });
  });

  test('the hook leads its own session and group, with no signal blocked or ignored and only fds 0-2 open', async (t) => {
    const client = await startClient(t);
    if (!client) return;
    const hook = path.join(FIXTURES, 'forever.sh');
    let fds: string[] = [];
    let status = '';
    let fields: string[] = [];
    const outcome = runOnce(client, frame(hook), (pid) => {
      killGroupAfter(t, pid);
      void waitFor(() => readFileSync(`/proc/${pid}/cmdline`, 'utf8').startsWith('sleep'), 'the hook to exec sleep').then(() => {
        fds = readdirSync(`/proc/${pid}/fd`).sort();
        status = readFileSync(`/proc/${pid}/status`, 'utf8');
        fields = statFields(pid);
        process.kill(-pid, 'SIGTERM');
      });
    });
    const result = await outcome;
    assert.deepEqual(result.exit, { code: null, signal: 'SIGTERM' });
    const pid = String(result.pid);
    assert.deepEqual([fields[2], fields[3]], [pid, pid], 'process group and session are the hook pid');
    assert.match(status, /^SigBlk:\s+0+$/m);
    // glibc's posix_spawn keeps its internal signals 32 and 33 ignored (glibc programs reset them).
    const ignored = BigInt(`0x${/^SigIgn:\s+([0-9a-f]+)$/m.exec(status)?.[1]}`) & ~(0b11n << 31n);
    assert.equal(ignored, 0n, `ignored signals: ${ignored.toString(16)}`);
    assert.deepEqual(fds, ['0', '1', '2']);
  });

  test('the environment is exactly the one sent, the working folder is applied, a bare name is searched in the hook PATH', async (t) => {
    const client = await startClient(t);
    if (!client) return;
    const dir = tempDir(t);
    writeScript(dir, 'bin/where-am-i', 'pwd\nenv | sort');
    const outcome = await runOnce(client, { file: 'where-am-i', argv: ['where-am-i'], env: { PATH: `${path.join(dir, 'bin')}:${PATH}`, ONLY: 'this one' }, cwd: dir, input: Buffer.alloc(0) });
    assert.deepEqual(outcome.exit, { code: 0, signal: null }, outcome.stderr.toString());
    const lines = outcome.stdout.toString().trim().split('\n');
    assert.equal(lines[0], dir);
    assert.deepEqual(lines.slice(1).filter((line) => !/^(PWD|SHLVL|_|OLDPWD)=/.test(line)), ['ONLY=this one', `PATH=${path.join(dir, 'bin')}:${PATH}`]);
  });

  test('a program that cannot start is a spawn error naming the errno, and the spawner carries on', async (t) => {
    const client = await startClient(t);
    if (!client) return;
    const dir = tempDir(t);
    const notExecutable = writeScript(dir, 'plain.sh', 'exit 0', 0o644);
    assert.equal((await runOnce(client, frame(path.join(dir, 'missing.sh')))).spawnError, 'ENOENT');
    assert.equal((await runOnce(client, frame(notExecutable))).spawnError, 'EACCES');
    assert.equal((await runOnce(client, frame('no-such-program-anywhere'))).spawnError, 'ENOENT');
    assert.equal((await runOnce(client, frame(path.join(FIXTURES, 'exit-n.sh'), [], { cwd: path.join(dir, 'gone') }))).spawnError, 'ENOENT');
    const after = await runOnce(client, frame(path.join(FIXTURES, 'exit-n.sh'), ['4']));
    assert.deepEqual(after.exit, { code: 4, signal: null });
  });

  test('a 4 MiB event reaches a hook that reads it, byte for byte, and does not block one that never reads', async (t) => {
    const client = await startClient(t);
    if (!client) return;
    const input = Buffer.from(`{"type":"t","pad":"${'x'.repeat(4 * 1024 * 1024)}"}\n`);
    const reader = await runOnce(client, frame('/bin/cat', [], { input }));
    assert.ok(reader.stdout.equals(input), `got ${reader.stdout.length} of ${input.length} bytes`);
    const ignorer = await runOnce(client, frame(path.join(FIXTURES, 'exit-n.sh'), [], { input }));
    assert.deepEqual(ignorer.exit, { code: 0, signal: null });
  });

  test('64 MiB of output all arrive in order while the spawner stays small', async (t) => {
    const client = await startClient(t);
    if (!client) return;
    const bytes = 64 * 1024 * 1024;
    const outcome = await runOnce(client, frame('/bin/sh', ['-c', `head -c ${bytes} /dev/zero | tr '\\0' 'a'`]));
    assert.equal(outcome.stdout.length, bytes);
    assert.equal(outcome.stdout.indexOf('b'), -1);
    assert.ok(peakRssKiB(client.pid as number) < 16 * 1024, `spawner peak RSS ${peakRssKiB(client.pid as number)} KiB`);
  });

  test('100 runs at once each get their own output and end', async (t) => {
    const client = await startClient(t);
    if (!client) return;
    const outcomes = await Promise.all(Array.from({ length: 100 }, (_, i) => runOnce(client, frame('/bin/sh', ['-c', `echo run ${i}; exit ${i % 7}`]))));
    outcomes.forEach((outcome, i) => {
      assert.equal(outcome.stdout.toString(), `run ${i}\n`);
      assert.deepEqual(outcome.exit, { code: i % 7, signal: null });
    });
    assert.equal(client.inFlight, 0);
  });

  test('a released run closes although a descendant still holds its output', async (t) => {
    const client = await startClient(t);
    if (!client) return;
    let release = (): void => {};
    const outcome = new Promise<Outcome>((resolve) => {
      const calls: string[] = [];
      const run = client.run(frame('/bin/sh', ['-c', 'sleep 600 & exit 0']), {
        onSpawn: (pid) => killGroupAfter(t, pid),
        onSpawnError: () => {},
        onOutput: () => {},
        onExit: () => {
          calls.push('exit');
          release();
        },
        onClose: () => resolve({ calls: [...calls, 'close'], stdout: Buffer.alloc(0), stderr: Buffer.alloc(0) }),
        onLost: () => {},
      });
      release = () => run.release();
    });
    assert.deepEqual((await outcome).calls, ['exit', 'close']);
  });

  test('a spawner killed mid-run reports its runs lost, leaves their groups to hookd, and is replaced at the next run', async (t) => {
    const notices: string[] = [];
    const client = await startClient(t, notices);
    if (!client) return;
    const first = client.pid as number;
    let hook = 0;
    const lost = await runOnce(client, frame(path.join(FIXTURES, 'forever.sh')), (pid) => {
      hook = pid;
      killGroupAfter(t, pid);
      process.kill(first, 'SIGKILL');
    });
    assert.match(lost.lost ?? '', /^hookd-spawner was killed by SIGKILL$/);
    assert.ok(isRunning(hook), 'the hook still runs: its group is hookd to end');
    process.kill(-hook, 'SIGKILL');
    assert.match(notices.join('\n'), /1 run\(s\) in flight reported failed; a new one starts with the next run/);
    const next = await runOnce(client, frame(path.join(FIXTURES, 'exit-n.sh')));
    assert.deepEqual(next.exit, { code: 0, signal: null });
    assert.notEqual(client.pid, first);
    assert.equal(client.healthy, true);
  });

  test('closing the client ends the spawner but none of the hooks still running', async (t) => {
    const client = await startClient(t);
    if (!client) return;
    const spawner = client.pid as number;
    let hook = 0;
    const outcome = runOnce(client, frame(path.join(FIXTURES, 'forever.sh')), (pid) => {
      hook = pid;
      killGroupAfter(t, pid);
      void client.close();
    });
    assert.equal((await outcome).lost !== undefined, true);
    await waitFor(() => !isRunning(spawner), 'the spawner to exit');
    assert.ok(isRunning(hook), `hook ${hook} was killed by the spawner`);
  });

  test('an idle spawner does not keep hookd\'s process alive', { timeout: 30_000 }, async (t) => {
    const file = spawnerOrSkip(t);
    if (!file) return;
    const script = `
      import { SpawnerClient } from ${JSON.stringify(pathToFileURL(path.join(ROOT, 'src', 'run', 'spawner-client.ts')).href)};
      const client = await SpawnerClient.start({ path: ${JSON.stringify(file)} });
      client.run({ file: '/bin/sh', argv: ['sh', '-c', 'sleep 0.2; echo ran'], env: {}, input: Buffer.alloc(0) }, {
        onSpawn() {}, onSpawnError() {}, onOutput: (_stream, chunk) => process.stdout.write(chunk), onExit() {}, onClose() {}, onLost() {},
      });`;
    const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { cwd: ROOT, stdio: ['ignore', 'pipe', 'inherit'] });
    t.after(() => child.kill('SIGKILL'));
    let stdout = '';
    child.stdout.setEncoding('utf8').on('data', (text: string) => (stdout += text));
    const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
    assert.equal(code, 0);
    assert.equal(stdout, 'ran\n', 'the run in flight kept the process alive until it ended');
  });

  test('start() says why when the spawner cannot run', async (t) => {
    await assert.rejects(SpawnerClient.start({ path: path.join(tempDir(t), 'missing') }), /hookd-spawner ENOENT: cannot start .*missing/);
  });

  test('a frame it cannot parse makes the spawner exit 2 with a one-line reason', async (t) => {
    const file = spawnerOrSkip(t);
    if (!file) return;
    const child = spawn(file, [], { stdio: ['pipe', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.setEncoding('utf8').on('data', (text: string) => (stderr += text));
    child.stdin.on('error', () => {}); // it may be gone before the write ends
    child.stdin.end(Buffer.from([3, 0, 0, 0, 1, 0, 0]));
    const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
    assert.equal(code, 2);
    assert.equal(stderr, 'hookd-spawner: protocol error: bad frame length\n');
  });
});

describe('spawner build', () => {
  test('without a C compiler the build skips with one line (and fails when SPAWNER_REQUIRED=1)', (t) => {
    const target = path.join(tempDir(t), 'hookd-spawner');
    const env = { ...process.env, CC: 'no-such-cc', SPAWNER_REQUIRED: '' };
    const skipped = spawnSync(process.execPath, [BUILD_SCRIPT, target], { encoding: 'utf8', env });
    assert.equal(skipped.status, 0);
    assert.equal(skipped.stderr, 'hookd-spawner not built (no-such-cc: ENOENT); hookd will spawn hooks in-process\n');
    assert.equal(existsSync(target), false);
    const required = spawnSync(process.execPath, [BUILD_SCRIPT, target], { encoding: 'utf8', env: { ...env, SPAWNER_REQUIRED: '1' } });
    assert.equal(required.status, 1);
    assert.match(required.stderr, /SPAWNER_REQUIRED=1: failing/);
  });
});
