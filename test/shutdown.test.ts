import assert from 'node:assert/strict';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { startDaemon, stopHookd, talk, waitForLog } from './daemon-helpers.ts';
import { exitWithin, runHookd, tempDir, waitFor, writeConfig, writeScript } from './helpers.ts';

// Alive and not a zombie (a container may have no init to reap it).
function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    return false;
  }
}

function pidsIn(file: string): number[] {
  return readFileSync(file, 'utf8').split('\n').filter(Boolean).map(Number);
}

function config(extra: string): string {
  return `sources:\n  - socket: ./hookd.sock\n${extra}hooks:\n  - name: work\n    on: job\n    run: ./work.sh\n    kill_after: 200ms\n`;
}

const JOB = JSON.stringify({ type: 'job' });

test('SIGTERM stops the sources, lets the running hook finish, removes the socket and exits 0', async (t) => {
  const dir = tempDir(t);
  const done = path.join(dir, 'done');
  const gate = path.join(dir, 'go');
  writeScript(dir, 'work.sh', `touch '${dir}/started'\nwhile [ ! -e '${gate}' ]; do sleep 0.05; done\ntouch '${done}'`);
  const { hookd } = await startDaemon(t, dir, config(''));
  const socket = path.join(dir, 'hookd.sock');
  await talk(socket, [JOB]);
  await waitFor(() => existsSync(path.join(dir, 'started')), 'the hook to start');
  hookd.child.kill('SIGTERM');
  await waitForLog(hookd, 'hookd stopping');
  // Stopping: no new client gets in, while the hook is still running.
  await assert.rejects(talk(socket, [JOB]));
  writeFileSync(gate, '');
  assert.equal((await exitWithin(hookd)).code, 0);
  assert.ok(existsSync(done), 'the hook ran to its end');
  assert.equal(existsSync(socket), false);
  const messages = hookd.logs().map((entry) => entry.msg);
  assert.ok(messages.indexOf('hook ok') > messages.indexOf('hookd stopping'));
  assert.equal(messages.at(-1), 'hookd stopped');
});

test('a hook that outlives shutdown_timeout is killed with its whole process group, and hookd still exits 0', async (t) => {
  const dir = tempDir(t);
  const pids = path.join(dir, 'pids');
  // The hook and a child it started both sleep long.
  writeScript(dir, 'work.sh', `sleep 300 &\necho $! >> '${pids}'\necho $$ >> '${pids}'\nwait`);
  const { hookd } = await startDaemon(t, dir, config('shutdown_timeout: 300ms\n'));
  await talk(path.join(dir, 'hookd.sock'), [JOB]);
  await waitFor(() => existsSync(pids) && pidsIn(pids).length === 2, 'the hook and its child');
  const started = pidsIn(pids);
  assert.ok(started.every(isAlive));
  assert.equal(await stopHookd(hookd), 0);
  await waitFor(() => started.every((pid) => !isAlive(pid)), 'the whole group to be gone');
  assert.ok(hookd.logs().some((entry) => String(entry.msg).includes('shutdown timeout reached')));
});

test('a second SIGINT exits at once with 130 and ends the running hooks', async (t) => {
  const dir = tempDir(t);
  const pids = path.join(dir, 'pids');
  writeScript(dir, 'work.sh', `echo $$ >> '${pids}'\nsleep 300`);
  const { hookd } = await startDaemon(t, dir, config('shutdown_timeout: 5m\n'));
  const socket = path.join(dir, 'hookd.sock');
  await talk(socket, [JOB]);
  await waitFor(() => existsSync(pids) && pidsIn(pids).length === 1, 'the hook to start');
  hookd.child.kill('SIGINT');
  await waitForLog(hookd, 'hookd stopping');
  assert.equal(await stopHookd(hookd, 'SIGINT'), 130);
  await waitFor(() => !isAlive(pidsIn(pids)[0] as number), 'the hook to be killed');
  assert.equal(existsSync(socket), false);
});

test('a socket client beyond the queue\'s room waits for its answer, and gets "hookd is shutting down" when hookd stops', async (t) => {
  const dir = tempDir(t);
  writeScript(dir, 'work.sh', 'sleep 300');
  // In memory (state: false) the queue's room is bounded; the durable queue keeps its backlog on disk.
  const { hookd } = await startDaemon(t, dir, config('shutdown_timeout: 300ms\nstate: false\n'));
  const socket = path.join(dir, 'hookd.sock');
  const sent = 5000;
  const client = talk(socket, Array.from({ length: sent }, () => JSON.stringify({ type: 'job' })));
  // The hook never ends, so the queue fills and hookd stops answering.
  const accepted = async (): Promise<number> => {
    const [status] = await talk(socket, ['{"$hookd":"status"}']);
    return (status?.sources as { accepted: number }[])[0]?.accepted ?? 0;
  };
  let last = -1;
  await waitFor(async () => {
    const now = await accepted();
    const stalled = now > 0 && now === last;
    last = now;
    return stalled;
  }, 'the queue to be full', 30_000, 250);
  assert.ok(last < sent, `only what the queue holds is accepted (${last})`);
  const exited = stopHookd(hookd);
  // The line waiting for room, and those already read with it, are refused;
  // lines hookd never read get no answer (the connection ends).
  const answers = await client;
  assert.ok(answers.length > last);
  assert.equal(answers.filter((answer) => answer.ok === true).length, last);
  assert.deepEqual(new Set(answers.slice(last).map((answer) => answer.error)), new Set(['hookd is shutting down']));
  assert.equal(await exited, 0);
});

test('an invalid config at start exits 78 and names the problem', async (t) => {
  const dir = tempDir(t);
  const file = writeConfig(dir, 'sources:\n  - socket: ./hookd.sock\n    mode: "0666"\nhooks: []\n');
  const result = await runHookd(['-c', file], { cwd: dir });
  assert.equal(result.code, 78);
  assert.match(result.stderr, /hookd\.yaml:3: sources\[0\]\.mode: a socket open to every user/);
  assert.equal(existsSync(path.join(dir, 'hookd.sock')), false);
});
