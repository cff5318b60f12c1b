// The installed command (bin/hookd) picks Node's flags itself: the daemon runs
// with a small V8 young generation, and nothing of that leaks into hooks.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { startDaemon, waitForLines } from './daemon-helpers.ts';
import { cleanEnv, COMMAND, runHookd, tempDir, waitFor, writeConfig, writeScript } from './helpers.ts';

test('the hookd command runs the daemon with 1 MiB semi-spaces and a 1.5x heap growth, and hooks inherit no Node.js options', async (t) => {
  const dir = tempDir(t);
  const out = path.join(dir, 'seen');
  // The hook's parent is hookd itself (spawner: node): its command line is the daemon's.
  const hook = writeScript(dir, 'look.sh', `tr '\\0' ' ' < /proc/$PPID/cmdline > '${out}.tmp'\necho "NODE_OPTIONS=\${NODE_OPTIONS-unset}" >> '${out}.tmp'\nmv '${out}.tmp' '${out}'`);
  const config = writeConfig(dir, `state: false\nspawner: node\nhooks:\n  - name: look\n    on: ping\n    run: ${hook}\n`);
  const child = spawn(COMMAND, ['-c', config], { env: cleanEnv(), stdio: ['pipe', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  t.after(() => void child.kill('SIGKILL'));
  child.stdin.end('{"type":"ping"}\n');
  const seen = await waitFor(() => {
    try {
      return readFileSync(out, 'utf8');
    } catch {
      return undefined;
    }
  }, 'the hook to run');
  assert.match(seen, /--max-semi-space-size=1 --heap-growing-percent=50 /);
  assert.match(seen, /NODE_OPTIONS=unset/);
  // stdin ended: hookd finishes the run and exits by itself.
  const exited = await waitFor(() => (child.exitCode === null ? undefined : { code: child.exitCode }), 'hookd to exit');
  assert.equal(exited.code, 0, stderr);
});

// bin/hookd runs emit from its bundle (dist/cli/emit.cjs); `node bin/hookd.js
// emit` takes the ES modules through main.ts. The rest of the suite runs emit
// as installed: here both must deliver the same event and fail alike.
test('hookd emit as installed (the bundle) and node bin/hookd.js emit deliver the same event and fail with the same words', async (t) => {
  const dir = tempDir(t);
  const out = path.join(dir, 'out.txt');
  writeScript(dir, 'dump.sh', `{ cat; echo; } >> '${out}'`);
  const { config } = await startDaemon(t, dir, 'sources:\n  - socket: ./hookd.sock\nhooks:\n  - name: dump\n    on: "*"\n    run: ./dump.sh\n    concurrency: 1\n');
  const event = ['emit', '-c', config, 'block', 'hash=00ab', 'height:=18446744073709551615'];
  const installed = await runHookd(event);
  assert.equal(installed.code, 0, installed.stderr);
  const modules = await runHookd(event, { viaNode: true });
  assert.equal(modules.code, 0, modules.stderr);
  const line = '{"type":"block","hash":"00ab","height":18446744073709551615}';
  assert.deepEqual(await waitForLines(out, 2), [line, line]);

  for (const args of [['emit', '-c', config], ['emit', '--socket', path.join(dir, 'none.sock'), 'block'], ['emit', '--help']]) {
    const [bundle, esm] = await Promise.all([runHookd(args), runHookd(args, { viaNode: true })]);
    assert.deepEqual({ code: bundle.code, stdout: bundle.stdout, stderr: bundle.stderr }, { code: esm.code, stdout: esm.stdout, stderr: esm.stderr }, args.join(' '));
  }
});
