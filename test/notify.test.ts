// Readiness for systemd (Type=notify): READY=1 only once every source is
// open, STOPPING=1 at shutdown, through a real unix datagram socket.
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { test, type TestContext } from 'node:test';
import { loadConfig } from '../src/config/load.ts';
import { Daemon } from '../src/daemon/daemon.ts';
import { createLogger } from '../src/log/logger.ts';
import { createServiceNotifier, type ServiceNotifier } from '../src/daemon/systemd-notify.ts';
import type { EventSink, Source } from '../src/sources/source.ts';
import { FIXTURES, startHookd, tempDir, waitFor, writeConfig, writeScript } from './helpers.ts';

// A source whose start() waits until the test opens it.
class GatedSource implements Source {
  readonly name = 'gated';
  readonly finite = false;
  startCalled = false;
  open: () => void = () => {};
  private end: () => void = () => {};
  readonly ended = new Promise<void>((resolve) => (this.end = resolve));

  start(_sink: EventSink): Promise<void> {
    this.startCalled = true;
    return new Promise((resolve) => (this.open = resolve));
  }

  stop(): Promise<void> {
    this.end();
    return Promise.resolve();
  }

  status(): Record<string, unknown> {
    return {};
  }
}

test('the daemon says ready only once every source has started, and stopping when it stops', async (t) => {
  const dir = tempDir(t);
  writeScript(dir, 'ok.sh', 'exit 0');
  const config = await loadConfig({ path: writeConfig(dir, 'hooks: [{ name: ok, on: "*", run: ./ok.sh }]') });
  const calls: string[] = [];
  const notifier: ServiceNotifier = {
    ready: (status) => void calls.push(`ready ${status}`),
    reloading: () => void calls.push('reloading'),
    stopping: () => void calls.push('stopping'),
    flush: () => (calls.push('flush'), Promise.resolve()),
  };
  const gate = new GatedSource();
  const daemon = new Daemon({ config, log: createLogger({ level: 'silent' }), handleSignals: false, protocolSource: gate, notifier });
  const starting = daemon.start();
  await waitFor(() => gate.startCalled, 'the source to be started');
  assert.deepEqual(calls, [], 'ready before the source was open');
  gate.open();
  await starting;
  assert.deepEqual(calls, ['ready running: 1 hooks; sources: gated']);
  assert.equal(await daemon.stop('test'), 0);
  assert.deepEqual(calls.slice(1), ['stopping', 'flush']);
});

test('without systemd-notify the daemon logs one warning and goes on; hooks never see NOTIFY_SOCKET', async () => {
  const lines: string[] = [];
  const env: NodeJS.ProcessEnv = { NOTIFY_SOCKET: '/run/systemd/notify', PATH: '/usr/bin:/bin' };
  const notifier = createServiceNotifier({ log: createLogger({ format: 'json', target: { write: (line) => void lines.push(line) } }), env, command: '/nonexistent/systemd-notify' });
  assert.equal(env.NOTIFY_SOCKET, undefined);
  notifier.ready('running');
  notifier.stopping();
  await notifier.flush();
  assert.equal(lines.length, 1, lines.join(''));
  assert.match(lines[0] as string, /"level":"warn".*cannot tell systemd: \/nonexistent\/systemd-notify not found in PATH/);
});

test('without NOTIFY_SOCKET nothing is sent', async (t) => {
  // A systemd-notify that leaves a mark when it runs: it must never run.
  const dir = tempDir(t);
  const mark = path.join(dir, 'ran');
  const command = writeScript(dir, 'systemd-notify', `#!/bin/sh\necho "$@" >> '${mark}'\n`);
  const notifier = createServiceNotifier({ log: createLogger({ level: 'silent' }), env: {}, command });
  notifier.ready();
  notifier.stopping();
  await notifier.flush();
  assert.equal(existsSync(mark), false);
});

interface Received {
  readonly message: string;
  readonly watchedExists: boolean | null;
}

// test/fixtures/notify-receiver.py bound at `socket`; skips the test without python3.
async function startReceiver(t: TestContext, socket: string, watched?: string): Promise<(() => Received[]) | undefined> {
  if (spawnSync('python3', ['--version']).error !== undefined) {
    t.skip('python3 is not installed: no unix datagram socket to stand in for systemd');
    return undefined;
  }
  const child = spawn('python3', [path.join(FIXTURES, 'notify-receiver.py'), socket, ...(watched === undefined ? [] : [watched])], { stdio: ['ignore', 'pipe', 'inherit'] });
  t.after(() => void child.kill('SIGKILL'));
  let output = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => (output += chunk));
  // Complete lines only: a chunk may end in the middle of one.
  const lines = (): Record<string, unknown>[] => output.split('\n').slice(0, -1).map((line) => JSON.parse(line) as Record<string, unknown>);
  await waitFor(() => lines().some((line) => 'listening' in line), 'the notify receiver', 30_000);
  return () => lines().filter((line) => 'message' in line) as unknown as Received[];
}

test('hookd run sends READY=1 to $NOTIFY_SOCKET once its sources are open, and STOPPING=1 on SIGTERM', async (t) => {
  if (spawnSync('systemd-notify', ['--help']).error !== undefined) return t.skip('systemd-notify is not installed (Debian package systemd)');
  const dir = tempDir(t);
  const hookdSocket = path.join(dir, 'hookd.sock');
  const received = await startReceiver(t, path.join(dir, 'notify.sock'), hookdSocket);
  if (received === undefined) return;
  writeScript(dir, 'env.sh', `env > "${path.join(dir, 'hook-env')}"`);
  const sources = hookdSocket === undefined ? '[stdin]' : `[stdin, { socket: ${hookdSocket} }]`;
  const config = writeConfig(dir, `sources: ${sources}\nhooks: [{ name: env, on: "*", run: ./env.sh }]\n`);
  const hookd = startHookd(t, ['-c', config], { env: { NOTIFY_SOCKET: path.join(dir, 'notify.sock') } });

  const ready = await waitFor(() => received().find((entry) => entry.message.split('\n').includes('READY=1')), 'READY=1', 30_000);
  assert.match(ready.message, /^READY=1\nSTATUS=running: 1 hooks; sources: stdin/);
  if (hookdSocket !== undefined) assert.equal(ready.watchedExists, true, 'READY=1 came before the socket existed');

  hookd.child.stdin!.write('{"type":"x"}\n');
  const env = await waitFor(() => {
    try {
      return readFileSync(path.join(dir, 'hook-env'), 'utf8');
    } catch {
      return '';
    }
  }, 'the hook to run');
  assert.match(env, /^HOOKD_HOOK=env$/m);
  assert.doesNotMatch(env, /NOTIFY_SOCKET/);

  hookd.child.kill('SIGTERM');
  await waitFor(() => hookd.logs().some((entry) => entry.msg === 'hookd stopping' && entry.reason === 'SIGTERM'), 'hookd stopping on SIGTERM');
  // A stopped stdin source still holds the pipe open (a core issue): close it.
  hookd.child.stdin!.end();
  assert.deepEqual(await hookd.exited, { code: 0, signal: null });
  await waitFor(() => received().some((entry) => entry.message.startsWith('STOPPING=1')), 'STOPPING=1');
  const states = received().map((entry) => entry.message.split('\n')[0]).filter((state) => state !== 'BARRIER=1');
  assert.deepEqual(states, ['READY=1', 'STOPPING=1']);
  assert.ok(!hookd.stderr().includes('cannot tell systemd'), hookd.stderr());
});
