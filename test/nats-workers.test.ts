// hookd workers on a JetStream consumer, end to end with the built bin and a
// real nats-server: the consumer created on first start, a missing stream
// refused at start, and a worker killed mid-run whose events the other runs
// after ack_wait. (Two workers sharing 500 events: nats-fleet.test.ts.)
import assert from 'node:assert/strict';
import test from 'node:test';
import { runHookd, startHookd, waitFor } from './helpers.ts';
import { requireNatsServer } from './nats-server.ts';
import { ready, runs, setup, workerConfig } from './nats-worker-helpers.ts';

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
  assert.equal((await admin.jsm.consumers.info('EVENTS', 'workers')).num_redelivered, 3);
});

test('a worker rides out a server restart: one line when lost, one when back, every event run once', async (t) => {
  if (!requireNatsServer(t)) return;
  const { server, admin, js, dir } = await setup(t);
  const worker = startHookd(t, ['-c', workerConfig(dir, server, 'w1'), '--log-format', 'json']);
  await ready(worker);
  const publish = async (id: string): Promise<void> => {
    // The test's own connection may still be reconnecting: try again.
    await waitFor(() => js.publish('events.r', JSON.stringify({ type: 'r', id }), { msgID: id }).then(() => true, () => false), `publish ${id}`);
  };
  for (let i = 0; i < 5; i++) await publish(`r${i}`);
  await waitFor(() => runs(dir).length === 5, 'the first five');
  await server.stop();
  await waitFor(() => worker.logs().some((entry) => entry.msg === 'NATS connection lost; reconnecting'), 'the lost line');
  await server.start();
  await waitFor(() => worker.logs().some((entry) => entry.msg === 'NATS connection back'), 'the back line', 20_000);
  for (let i = 5; i < 10; i++) await publish(`r${i}`);
  await waitFor(() => runs(dir).length >= 10, 'the next five', 30_000);
  await waitFor(async () => {
    const info = await admin.jsm.consumers.info('EVENTS', 'workers');
    return info.num_pending === 0 && info.num_ack_pending === 0;
  }, 'every message acknowledged');
  assert.deepEqual(runs(dir).map((line) => line.split(' ')[0]).sort(), Array.from({ length: 10 }, (_, i) => `r${i}`).sort());
  assert.equal(worker.logs().filter((entry) => entry.msg === 'NATS connection lost; reconnecting').length, 1);
  assert.equal(worker.logs().filter((entry) => entry.msg === 'NATS connection back').length, 1);
});
