import assert from 'node:assert/strict';
import { existsSync, renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { loadConfig } from '../src/config/load.ts';
import { Daemon } from '../src/daemon/daemon.ts';
import { createLogger } from '../src/log/logger.ts';
import type { ServiceNotifier } from '../src/daemon/systemd-notify.ts';
import { startDaemon, stopHookd, talk, waitForLines, waitForLog } from './daemon-helpers.ts';
import { tempDir, waitFor, writeConfig, writeScript, type HookdProcess } from './helpers.ts';

// Saves the config the way many editors do: a new file renamed over the old.
function saveByRename(file: string, yaml: string): void {
  writeFileSync(`${file}.swp`, yaml);
  renameSync(`${file}.swp`, file);
}

// Waits for the n-th log entry whose msg contains `text`.
function waitForNth(hookd: HookdProcess, text: string, n: number): Promise<Record<string, unknown>> {
  return waitFor(() => hookd.logs().filter((entry) => String(entry.msg).includes(text))[n - 1], `log "${text}" #${n}`);
}

function tick(n: number): string {
  return JSON.stringify({ type: 'tick', n });
}

function config(hook: string, extra = ''): string {
  return `sources:\n  - socket: ./hookd.sock\n${extra}hooks:\n  - name: ${hook}\n    on: tick\n    run: ./say.sh\n    env: { SAY: ${hook} }\n`;
}

test('an edit saved by rename applies to new events; a bad edit logs every problem and the running config keeps working', async (t) => {
  const dir = tempDir(t);
  const out = path.join(dir, 'out.txt');
  writeScript(dir, 'say.sh', `echo "$SAY $EVENT_N" >> '${out}'`);
  const { hookd, config: file } = await startDaemon(t, dir, config('first'));
  const socket = path.join(dir, 'hookd.sock');
  await talk(socket, [tick(1)]);
  await waitForLines(out, 1);

  saveByRename(file, config('second'));
  await waitForLog(hookd, 'config reloaded');
  await talk(socket, [tick(2)]);

  saveByRename(file, `${config('third')}    timeout: soon\nbogus: 1\n`);
  const failure = await waitForLog(hookd, 'config not reloaded');
  assert.match(String(failure.msg), /^config not reloaded: 2 problems; the running config stays$/);
  const problems = hookd.logs().filter((entry) => entry.level === 'error' && entry.config === file && entry.msg !== failure.msg).map((entry) => String(entry.msg));
  assert.equal(problems.length, 2);
  assert.ok(problems.some((line) => line.includes('hooks[0].timeout: expected a duration')));
  assert.ok(problems.some((line) => line.includes('bogus: unknown key')));
  await talk(socket, [tick(3)]);
  assert.deepEqual(await waitForLines(out, 3), ['first 1', 'second 2', 'second 3']);
  assert.equal(await stopHookd(hookd), 0);
});

test('a hook already running finishes under the config it started with; later events use the new one', async (t) => {
  const dir = tempDir(t);
  const out = path.join(dir, 'out.txt');
  const gate = path.join(dir, 'go');
  writeScript(dir, 'say.sh', `echo started >> '${out}.started'\nwhile [ ! -e '${gate}' ]; do sleep 0.05; done\necho "$SAY $EVENT_N" >> '${out}'`);
  const { hookd, config: file } = await startDaemon(t, dir, config('old'));
  const socket = path.join(dir, 'hookd.sock');
  await talk(socket, [tick(1)]);
  await waitFor(() => existsSync(`${out}.started`), 'the first run to start');
  saveByRename(file, config('old').replace('SAY: old', 'SAY: new'));
  await waitForLog(hookd, 'config reloaded');
  await talk(socket, [tick(2)]);
  writeFileSync(gate, '');
  assert.deepEqual(await waitForLines(out, 2), ['old 1', 'new 2']);
});

test('SIGHUP reloads, and sources added or removed by an edit are started or stopped', async (t) => {
  const dir = tempDir(t);
  const out = path.join(dir, 'out.txt');
  writeScript(dir, 'say.sh', `echo "$SAY $EVENT_N $HOOKD_SOURCE" >> '${out}'`);
  const { hookd, config: file } = await startDaemon(t, dir, config('first'));
  const extra = path.join(dir, 'extra.sock');

  hookd.child.kill('SIGHUP');
  const reloaded = await waitForLog(hookd, 'config reloaded');
  assert.equal(reloaded.reason, 'SIGHUP');

  // Written in place this time.
  writeFileSync(file, config('second', '  - socket: ./extra.sock\n  - file: ./events.jsonl\n'));
  await waitForNth(hookd, 'source started by reload', 2);
  assert.ok(existsSync(extra), 'the added socket');
  assert.deepEqual((await talk(extra, [tick(1)])).map((answer) => answer.ok), [true]);
  writeFileSync(path.join(dir, 'events.jsonl'), `${tick(2)}\n`);
  assert.deepEqual(await waitForLines(out, 2), ['second 1 socket', 'second 2 file']);

  saveByRename(file, config('third'));
  await waitForNth(hookd, 'source stopped by reload', 2);
  assert.equal(existsSync(extra), false, 'the removed socket is gone');
  await talk(path.join(dir, 'hookd.sock'), [tick(3)]);
  assert.deepEqual(await waitForLines(out, 3), ['second 1 socket', 'second 2 file', 'third 3 socket']);
  assert.equal(await stopHookd(hookd), 0);
});

test('systemd hears RELOADING=1 when a reload begins and READY=1 when it is over, applied or not', async (t) => {
  const dir = tempDir(t);
  writeScript(dir, 'say.sh', 'exit 0');
  const file = writeConfig(dir, config('first'));
  const calls: string[] = [];
  const notifier: ServiceNotifier = {
    ready: (status) => void calls.push(`ready ${status}`),
    reloading: () => void calls.push('reloading'),
    stopping: () => void calls.push('stopping'),
    flush: () => Promise.resolve(),
  };
  const daemon = new Daemon({ config: await loadConfig({ path: file }), log: createLogger({ level: 'silent' }), handleSignals: false, notifier });
  t.after(() => daemon.stop('test'));
  await daemon.start();
  saveByRename(file, config('second'));
  await waitFor(() => calls.length === 3, 'the reload to be reported');
  saveByRename(file, `${config('third')}bogus: 1\n`);
  await waitFor(() => calls.length === 5, 'the failed reload to be reported');
  assert.deepEqual(calls, ['ready running: 1 hooks; sources: socket', 'reloading', 'ready running: 1 hooks; sources: socket', 'reloading', 'ready running: 1 hooks; sources: socket']);
  assert.equal(daemon.config.hooks[0]?.name, 'second');
});
