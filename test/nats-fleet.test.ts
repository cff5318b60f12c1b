// Two hookd workers on one JetStream consumer share 500 events, end to end
// with the built bin and a real nats-server (its own file: 500 runs take a while).
import assert from 'node:assert/strict';
import test from 'node:test';
import { startHookd, waitFor } from './helpers.ts';
import { requireNatsServer } from './nats-server.ts';
import { ready, runs, setup, workerConfig } from './nats-worker-helpers.ts';

test('two workers on one consumer share 500 events: each runs at least once, none is left unacknowledged', async (t) => {
  if (!requireNatsServer(t)) return;
  const { server, admin, js, dir } = await setup(t);
  const workers = [startHookd(t, ['-c', workerConfig(dir, server, 'w1'), '--log-format', 'json']), startHookd(t, ['-c', workerConfig(dir, server, 'w2'), '--log-format', 'json'])];
  await Promise.all(workers.map(ready));
  await Promise.all(Array.from({ length: 500 }, (_, i) => js.publish(`events.n${i % 5}`, JSON.stringify({ type: 'n', id: `e${i}` }))));
  await waitFor(() => new Set(runs(dir).map((line) => line.split(' ')[0])).size === 500, 'every event run', 120_000, 100);
  await waitFor(async () => {
    const info = await admin.jsm.consumers.info('EVENTS', 'workers');
    return info.num_pending === 0 && info.num_ack_pending === 0;
  }, 'every message acknowledged');
  for (const worker of workers) {
    const acked = worker.logs().filter((entry) => entry.hook === 'record' && entry.msg === 'hook ok').length;
    assert.ok(acked > 0, 'both workers ran events');
  }
});
