// hookd workers on a JetStream consumer, end to end with the built bin and a
// real nats-server: the consumer created on first start, a missing stream
// refused at start, two workers sharing 500 events, and a worker killed
// mid-run whose events the other runs after ack_wait.
import assert from 'node:assert/strict';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import test, { type TestContext } from 'node:test';
import { jetstream } from '@nats-io/jetstream';
import { runHookd, startHookd, tempDir, waitFor, writeConfig, writeScript, type HookdProcess } from './helpers.ts';
import { natsAdmin, requireNatsServer, startNatsServer, type NatsServer } from './nats-server.ts';

// A hook that records "ID SUBJECT SOURCE" per run; an event with "hold": true
// then waits until the test ends (the file "release" appears, or the folder goes).
const RECORD = `#!/bin/sh
dir=$(dirname "$0")
echo "$HOOKD_ID $HOOKD_SUBJECT $HOOKD_SOURCE" >> "$dir/runs.txt"
if [ "$EVENT_HOLD" = true ]; then
  while [ ! -f "$dir/release" ] && [ -d "$dir" ]; do sleep 0.1; done
fi
exit 0
`;

function workerConfig(dir: string, server: NatsServer, name: string, extra = ''): string {
  writeScript(dir, 'record.sh', RECORD);
  return writeConfig(
    dir,
    `state: ${path.join(dir, `state-${name}`)}
concurrency: 4
event: { id: id }
nats:
  servers: [${server.url}]
sources:
  - nats:
      stream: EVENTS
      consumer: workers
      subjects: events.>
      ack_wait: 2s
  - socket: ${path.join(dir, `${name}.sock`)}
hooks:
  - name: record
    on: "*"
    run: ./record.sh
    concurrency: 4
${extra}`,
    `${name}.yaml`,
  );
}

function runs(dir: string): string[] {
  const file = path.join(dir, 'runs.txt');
  return existsSync(file) ? readFileSync(file, 'utf8').split('\n').filter(Boolean) : [];
}

async function ready(hookd: HookdProcess): Promise<void> {
  await waitFor(() => hookd.logs().some((entry) => entry.msg === 'hookd started') || hookd.child.exitCode !== null, 'hookd to start', 20_000);
  assert.equal(hookd.child.exitCode, null, `hookd exited at start: ${hookd.stderr()}`);
}

async function setup(t: TestContext) {
  const server = await startNatsServer(t);
  const admin = await natsAdmin(t, server);
  await admin.addStream('EVENTS', ['events.>']);
  const dir = tempDir(t);
  // Held hooks end with the test, even those of a killed worker.
  t.after(() => {
    if (existsSync(dir)) writeFileSync(path.join(dir, 'release'), '');
  });
  return { server, admin, js: jetstream(admin.nc), dir };
}

test('a stream that does not exist stops hookd at start with one line and exit 78', async (t) => {
  if (!requireNatsServer(t)) return;
  const { server, admin, dir } = await setup(t);
  await admin.deleteStream('EVENTS');
  const result = await runHookd(['-c', workerConfig(dir, server, 'w1'), '--log-format', 'json']);
  assert.equal(result.code, 78, result.stderr);
  assert.match(result.stderr, /stream "EVENTS" does not exist on the NATS server; hookd never creates streams/);
  assert.equal(result.stderr.trim().split('\n').length, 1, result.stderr);
  assert.deepEqual(await admin.jsm.streams.names().next(), []);
});

test('the consumer is created on first start, and hookd status shows its counts', async (t) => {
  if (!requireNatsServer(t)) return;
  const { server, admin, js, dir } = await setup(t);
  const config = workerConfig(dir, server, 'w1');
  const worker = startHookd(t, ['-c', config, '--log-format', 'json']);
  await ready(worker);
  const info = await admin.jsm.consumers.info('EVENTS', 'workers');
  assert.equal(info.config.ack_policy, 'explicit');
  assert.equal(info.config.ack_wait, 2_000_000_000);
  assert.equal(info.config.filter_subject, 'events.>');
  assert.ok(worker.logs().some((entry) => entry.msg === 'created the JetStream consumer'));
  await js.publish('events.paid', JSON.stringify({ type: 'paid', id: 'p1' }));
  await waitFor(() => runs(dir).length === 1, 'the run');
  assert.deepEqual(runs(dir), ['p1 events.paid nats']);
  await waitFor(async () => (await admin.jsm.consumers.info('EVENTS', 'workers')).num_ack_pending === 0, 'the ack');
  const status = await runHookd(['status', '-c', config, '--json']);
  assert.equal(status.code, 0, status.stderr);
  const source = (JSON.parse(status.stdout) as { sources: Record<string, unknown>[] }).sources.find((entry) => entry.kind === 'nats');
  assert.ok(source, status.stdout);
  assert.equal(source.stream, 'EVENTS');
  assert.equal(source.consumer, 'workers');
  assert.equal(source.pending, 0);
  assert.equal(source.ackPending, 0);
  assert.equal(source.acked, 1);
});

test('two workers on one consumer share 500 events: each runs at least once, none is left unacknowledged', async (t) => {
  if (!requireNatsServer(t)) return;
  const { server, admin, js, dir } = await setup(t);
  const workers = [startHookd(t, ['-c', workerConfig(dir, server, 'w1'), '--log-format', 'json']), startHookd(t, ['-c', workerConfig(dir, server, 'w2'), '--log-format', 'json'])];
  await Promise.all(workers.map(ready));
  await Promise.all(Array.from({ length: 500 }, (_, i) => js.publish(`events.n${i % 5}`, JSON.stringify({ type: 'n', id: `e${i}` }))));
  await waitFor(() => new Set(runs(dir).map((line) => line.split(' ')[0])).size === 500, 'every event run', 45_000, 100);
  await waitFor(async () => {
    const info = await admin.jsm.consumers.info('EVENTS', 'workers');
    return info.num_pending === 0 && info.num_ack_pending === 0;
  }, 'every message acknowledged');
  for (const worker of workers) {
    const acked = worker.logs().filter((entry) => entry.hook === 'record' && entry.msg === 'hook ok').length;
    assert.ok(acked > 0, 'both workers ran events');
  }
});

test('a worker killed mid-run leaves its events to the other, which runs them after ack_wait', async (t) => {
  if (!requireNatsServer(t)) return;
  const { server, admin, js, dir } = await setup(t);
  const first = startHookd(t, ['-c', workerConfig(dir, server, 'w1'), '--log-format', 'json']);
  await ready(first);
  for (let i = 0; i < 3; i++) await js.publish(`events.slow`, JSON.stringify({ type: 'slow', id: `s${i}`, hold: true }));
  await waitFor(() => runs(dir).length === 3, 'the first worker to run all three');
  first.child.kill('SIGKILL');
  await first.exited;
  const second = startHookd(t, ['-c', workerConfig(dir, server, 'w2'), '--log-format', 'json']);
  await ready(second);
  // The killed worker's hooks still run, unacknowledged; its messages come
  // back after ack_wait (at least once: one may come twice).
  const rerun = (): Set<string> => new Set(runs(dir).slice(3).map((line) => line.split(' ')[0]!));
  await waitFor(() => rerun().size === 3, 'the second worker to run all three again', 20_000);
  assert.deepEqual([...rerun()].sort(), ['s0', 's1', 's2']);
});
