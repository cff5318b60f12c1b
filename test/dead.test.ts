// Dead letters: made by the real binary, listed, shown, replayed (directly
// when no hookd runs; through the control request "replay" into a running
// daemon) and purged.
import assert from 'node:assert/strict';
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import { test, type TestContext } from 'node:test';
import { loadConfig } from '../src/config/load.ts';
import { CONTROL_KEY } from '../src/sources/control-line.ts';
import { Daemon } from '../src/daemon/daemon.ts';
import { createLogger } from '../src/log/logger.ts';
import { DiskDeadLetters } from '../src/store/disk-dead-letters.ts';
import { runHookd, startHookd, tempDir, waitFor, writeConfig, writeScript } from './helpers.ts';

// A hook that fails (exit 3, "boom" on stderr) unless the file `healed` exists;
// every start is recorded as "ID ATTEMPT".
function setUp(t: TestContext): { dir: string; config: string; dead: DiskDeadLetters; runs: () => string[]; heal: () => void } {
  const dir = tempDir(t);
  writeScript(dir, 'hook.sh', `echo "$HOOKD_ID $HOOKD_ATTEMPT" >> "$OUT"
[ -e "$HEALED" ] && exit 0
echo "boom on $HOOKD_ID" >&2
exit 3`);
  const config = writeConfig(dir, `state: ./state
event: { id: n }
hooks:
  - { name: pay, on: paid, run: ./hook.sh, retries: 1, backoff: 10ms, env: { OUT: ${dir}/runs.txt, HEALED: ${dir}/healed } }
`);
  const runs = (): string[] => (existsSync(path.join(dir, 'runs.txt')) ? readFileSync(path.join(dir, 'runs.txt'), 'utf8').trim().split('\n') : []);
  return { dir, config, dead: new DiskDeadLetters(path.join(dir, 'state', 'dead')), runs, heal: () => writeFileSync(path.join(dir, 'healed'), '') };
}

async function makeDeadLetters(config: string, count: number): Promise<void> {
  let input = '';
  for (let n = 1; n <= count; n++) input += `{"type":"paid","n":${n},"msat":18446744073709551615}\n`;
  const result = await runHookd(['-c', config], { input });
  assert.equal(result.code, 0, result.stderr);
}

test('dead letters are listed, shown, and purged with hookd dead', async (t) => {
  const { config, dead } = setUp(t);
  await makeDeadLetters(config, 2);
  const ids = [...dead.ids()];
  assert.equal(ids.length, 2);
  for (const id of ids) assert.match(path.relative(dead.dir, dead.fileOf(id) as string), /^\d{4}-\d{2}-\d{2}\/\d{2}\/[\w-]+\.json$/);

  const list = await runHookd(['dead', 'list', '-c', config]);
  assert.equal(list.code, 0, list.stderr);
  const lines = list.stdout.trim().split('\n');
  assert.match(lines[0] ?? '', /^ID +DIED \(UTC\) +HOOK +TYPE +EVENT ID +ATTEMPTS +LAST FAILURE$/);
  assert.equal(lines.length, 4);
  for (const id of ids) assert.match(list.stdout, new RegExp(`${id} .* pay +paid +\\d +2 +exit 3`));
  assert.match(lines[3] ?? '', /^2 dead letters in /);

  const json = await runHookd(['dead', 'list', '-c', config, '--json']);
  const entries = JSON.parse(json.stdout) as { id: string; hook: string; eventId: string; attempts: number; reason: string }[];
  assert.deepEqual(entries.map((entry) => [entry.hook, entry.eventId, entry.attempts, entry.reason]), [['pay', '1', 2, 'exit 3'], ['pay', '2', 2, 'exit 3']], 'oldest first');

  const show = await runHookd(['dead', 'show', '-c', config, ids[0]!]);
  assert.equal(show.code, 0, show.stderr);
  assert.match(show.stdout, new RegExp(`dead letter ${ids[0]}`));
  assert.match(show.stdout, /hook: +pay/);
  assert.match(show.stdout, /"msat":18446744073709551615/, 'the event exactly as received');
  assert.match(show.stdout, /#1 .* exit 3 .*\n +\| boom on \d\n +#2 .* exit 3/);

  const shown = JSON.parse((await runHookd(['dead', 'show', '-c', config, '--json', ids[0]!])).stdout) as { event: { raw: string }; attempts: unknown[] }[];
  assert.match(shown[0]!.event.raw, /"msat":18446744073709551615/);
  assert.equal(shown[0]!.attempts.length, 2);

  const missing = await runHookd(['dead', 'show', '-c', config, '20200101-000000-AAAAAA']);
  assert.equal(missing.code, 1);
  assert.match(missing.stderr, /no dead letter 20200101-000000-AAAAAA/);

  const purgeOne = await runHookd(['dead', 'purge', '-c', config, ids[0]!]);
  assert.equal(purgeOne.code, 0, purgeOne.stderr);
  assert.equal(purgeOne.stdout, 'purged 1 dead letter\n');
  assert.deepEqual([...dead.ids()], ids.slice(1));
  const purgeAll = await runHookd(['dead', 'purge', '-c', config, '--all']);
  assert.equal(purgeAll.stdout, 'purged 1 dead letter\n');
  const empty = await runHookd(['dead', 'list', '-c', config]);
  assert.match(empty.stdout, /^no dead letters/);
});

test('hookd dead replay runs the hook here when no hookd runs: success removes the letter, a new failure replaces it', async (t) => {
  const { config, dead, runs, heal } = setUp(t);
  await makeDeadLetters(config, 2);
  const [first, second] = [...dead.list()];
  const before = runs().length;

  const failing = await runHookd(['dead', 'replay', '-c', config, first!.id]);
  assert.equal(failing.code, 1);
  const again = /failed again; now dead letter (\S+)/.exec(failing.stdout)?.[1];
  assert.ok(again, failing.stdout);
  assert.equal(dead.find(first!.id), undefined, 'the replayed letter is gone');
  assert.equal(dead.find(again)?.event.id, first!.event.id, 'a new letter took its place');
  assert.deepEqual(runs().slice(before), [`${first!.event.id} 1`, `${first!.event.id} 2`], 'run with its retries, HOOKD_ID unchanged');

  heal();
  const ok = await runHookd(['dead', 'replay', '-c', config, '--all']);
  assert.equal(ok.code, 0, ok.stderr);
  assert.match(ok.stdout, new RegExp(`${second!.id}: ran with success`));
  assert.deepEqual([...dead.ids()], []);
  assert.ok(!existsSync(path.join(path.dirname(config), 'state', 'lock')), 'the lock is released');
});

test('hookd dead replay runs here when the config names a socket but no hookd listens on it', async (t) => {
  const { dir, config, dead, runs, heal } = setUp(t);
  await makeDeadLetters(config, 1);
  heal();
  const withSocket = writeConfig(dir, `${readFileSync(config, 'utf8')}sources: [stdin, {socket: ./hookd.sock}]\n`, 'with-socket.yaml');
  const before = runs().length;
  const result = await runHookd(['dead', 'replay', '-c', withSocket, '--all']);
  assert.equal(result.code, 0, result.stderr);
  assert.match(result.stdout, /ran with success/);
  assert.equal(runs().length, before + 1);
  assert.deepEqual([...dead.ids()], []);
});

test('hookd dead replay refuses to run here while a hookd without a socket holds the state directory', async (t) => {
  const { config, dead } = setUp(t);
  await makeDeadLetters(config, 1);
  const daemon = startHookd(t, ['-c', config]);
  await waitFor(() => daemon.logs().some((entry) => entry.msg === 'hookd started'), 'hookd to start');
  const result = await runHookd(['dead', 'replay', '-c', config, '--all']);
  assert.equal(result.code, 75);
  assert.match(result.stderr, new RegExp(`hookd \\(pid ${daemon.child.pid}\\) runs on .* with no socket source`));
  assert.equal([...dead.ids()].length, 1, 'the letter is kept');
});

test('the replay control request queues dead letters into the running daemon for their hook only', async (t) => {
  const { dir, config, dead, runs, heal } = setUp(t);
  await makeDeadLetters(config, 2);
  heal();
  const [letter, other] = [...dead.list()];
  const stdin = new PassThrough();
  const daemon = new Daemon({ config: await loadConfig({ path: config }), log: createLogger({ level: 'silent' }), stdin, handleSignals: false });
  await daemon.start();
  t.after(() => daemon.stop('test'));
  const before = runs().length;

  const reply = await daemon.control({ [CONTROL_KEY]: 'replay', ids: [letter!.id, '20200101-000000-AAAAAA'] });
  assert.deepEqual(reply, { ok: true, replayed: [letter!.id], failedAgain: {}, skipped: [], missing: ['20200101-000000-AAAAAA'] });
  await waitFor(() => runs().length > before, 'the replayed hook to run');
  assert.deepEqual(runs().slice(before), [`${letter!.event.id} 1`]);
  assert.equal(dead.find(letter!.id), undefined);
  assert.ok(dead.find(other!.id), 'other letters stay');

  const malformed = await daemon.control({ [CONTROL_KEY]: 'replay', ids: 'nope' });
  assert.equal(malformed.ok, false);
  assert.match(String(malformed.error), /"ids"/);

  const all = await daemon.control({ [CONTROL_KEY]: 'replay', all: true });
  assert.deepEqual(all.replayed, [other!.id]);
  await waitFor(() => runs().includes(`${other!.event.id} 1`) && runs().length === before + 2, 'the second replay to run');
  await waitFor(() => daemon.dispatcher.heldCount === 0 && daemon.dispatcher.runningCount === 0, 'the daemon to be idle');
  assert.equal(await daemon.stop('test'), 0);
  rmSync(path.join(dir, 'healed'));
});

test('hookd dead replay goes through the running daemon\'s socket: the hook runs in the daemon, and the letter is gone', async (t) => {
  const { dir, dead, runs, heal } = setUp(t);
  const config = writeConfig(dir, `sources: [{ socket: ./hookd.sock }]
state: ./state
event: { id: n }
hooks:
  - { name: pay, on: paid, run: ./hook.sh, retries: 1, backoff: 10ms, env: { OUT: ${dir}/runs.txt, HEALED: ${dir}/healed } }
`, 'daemon.yaml');
  const hookd = startHookd(t, ['-c', config, '--log-format', 'json']);
  await waitFor(() => existsSync(path.join(dir, 'hookd.sock')), 'the socket');
  const emitted = await runHookd(['emit', '-c', config, 'paid', 'n:=7']);
  assert.equal(emitted.code, 0, emitted.stderr);
  const [letter] = await waitFor(() => {
    const letters = [...dead.list()];
    return letters.length === 1 ? letters : undefined;
  }, 'the dead letter');
  heal();
  const replay = await runHookd(['dead', 'replay', '-c', config, letter!.id]);
  assert.equal(replay.code, 0, replay.stderr);
  assert.match(replay.stdout, /queued in the running hookd/);
  await waitFor(() => runs().includes('7 1') && runs().filter((line) => line === '7 1').length === 2, 'the replayed run');
  await waitFor(() => hookd.logs().some((entry) => entry.msg === 'hook ok' && entry.hook === 'pay'), 'the daemon to log the replayed run');
  assert.equal(dead.find(letter!.id), undefined);
  assert.deepEqual([...dead.list()], []);
});

test('hookd dead needs a state directory and a subcommand', async (t) => {
  const dir = tempDir(t);
  const config = writeConfig(dir, 'state: false\nhooks:\n  - { name: h, on: t, run: [/bin/true] }\n');
  const memory = await runHookd(['dead', 'list', '-c', config]);
  assert.equal(memory.code, 1);
  assert.match(memory.stderr, /state: false keeps no dead letters/);
  const none = await runHookd(['dead', '-c', config]);
  assert.equal(none.code, 2);
  const noIds = await runHookd(['dead', 'replay', '-c', config]);
  assert.equal(noIds.code, 2);
  assert.match(noIds.stderr, /give the ids of the dead letters/);
  const help = await runHookd(['dead', '--help']);
  assert.equal(help.code, 0);
  assert.match(help.stdout, /EXAMPLES\n +hookd dead list/);
});
