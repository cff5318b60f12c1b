// `hookd emit` inside bitcoind's systemd unit: Bitcoin Core's
// contrib/init/bitcoind.service sets MemoryDenyWriteExecute=true, under which
// Node's JIT aborts at start. The kernel's own switch for that rule,
// prctl(PR_SET_MDWE) (Linux >= 6.3), is set by a tiny C program compiled
// here (test/fixtures/mdwe-exec.c), which then execs the installed command.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { release } from 'node:os';
import path from 'node:path';
import { test, type TestContext } from 'node:test';
import { startDaemon, waitForLines } from './daemon-helpers.ts';
import { cleanEnv, COMMAND, FIXTURES, tempDir, writeScript } from './helpers.ts';
import { hasCommand, skipUnlessCi } from './system-tools.ts';

// mdwe-exec's exit when the kernel refuses the switch with EINVAL.
const MDWE_UNKNOWN = 95;

// Whether this kernel is at least `major.minor`.
function kernelAtLeast(major: number, minor: number): boolean {
  const [have = 0, haveMinor = 0] = release().split(/[.-]/).map(Number);
  return have > major || (have === major && haveMinor >= minor);
}

// Compiles mdwe-exec into `dir`; undefined (the test skipped) where it cannot run.
function buildMdweExec(t: TestContext, dir: string): string | undefined {
  if (!kernelAtLeast(6, 3)) {
    t.skip(`Linux ${release()} has no PR_SET_MDWE (needs 6.3 or later)`);
    return undefined;
  }
  if (!hasCommand('cc')) {
    skipUnlessCi(t, 'no C compiler (cc) to build the W^X test tool');
    return undefined;
  }
  const tool = path.join(dir, 'mdwe-exec');
  const built = spawnSync('cc', ['-o', tool, path.join(FIXTURES, 'mdwe-exec.c')], { encoding: 'utf8' });
  assert.equal(built.status, 0, `cc failed: ${built.stderr}`);
  return tool;
}

// The environment of a command under test: `node` found as a user's PATH
// finds it, and no NODE_OPTIONS that could set --jitless for it.
function commandEnv(): NodeJS.ProcessEnv {
  const env = cleanEnv({ NODE_OPTIONS: undefined });
  env.PATH = `${path.dirname(process.execPath)}${path.delimiter}${env.PATH ?? ''}`;
  return env;
}

test('hookd emit delivers its event under W^X enforcement, where Node with its JIT aborts at start', async (t) => {
  const dir = tempDir(t);
  const tool = buildMdweExec(t, dir);
  if (tool === undefined) return;

  // The switch bites: plain Node dies in V8 before running a line.
  const plain = spawnSync(tool, [process.execPath, '-e', ''], { env: commandEnv(), encoding: 'utf8' });
  if (plain.status === MDWE_UNKNOWN) return t.skip(`this kernel refuses PR_SET_MDWE: ${plain.stderr.trim()}`);
  assert.notEqual(plain.status, 0, 'plain node ran under PR_SET_MDWE: the switch is not in effect, the test would prove nothing');

  const out = path.join(dir, 'blocks.txt');
  writeScript(dir, 'block.sh', `echo "$HOOKD_TYPE $EVENT_HASH" >> '${out}'`);
  await startDaemon(t, dir, 'sources:\n  - socket: ./hookd.sock\nhooks:\n  - name: block\n    on: block\n    run: ./block.sh\n');

  const emit = spawnSync(tool, [COMMAND, 'emit', '--socket', path.join(dir, 'hookd.sock'), 'block', 'hash=00ab'], {
    env: commandEnv(),
    encoding: 'utf8',
    timeout: 30_000,
  });
  assert.equal(emit.status, 0, `hookd emit under W^X: exit ${emit.status} signal ${emit.signal}: ${emit.stderr.slice(0, 500)}`);
  assert.equal(emit.stderr, '', 'emit writes nothing to stderr (no flag warnings in bitcoind\'s log)');
  assert.deepEqual(await waitForLines(out, 1), ['block 00ab']);
});
