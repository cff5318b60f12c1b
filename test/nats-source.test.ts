// The JetStream source and publish, against a real nats-server: the consumer
// created and brought to the config, messages shared by two workers, progress
// keeping a long run from redelivery, a malformed body terminated, publish
// across a broker restart de-duplicated by the stream.
import assert from 'node:assert/strict';
import test, { type TestContext } from 'node:test';
import { jetstream } from '@nats-io/jetstream';
import pino, { type Logger } from 'pino';
import type { HookEvent } from '../src/event.ts';
import { openNats, type NatsLink } from '../src/nats/connection.ts';
import { publishToStream } from '../src/nats/publish.ts';
import type { ConsumerSettings } from '../src/sources/nats/consumer.ts';
import { JetStreamSource } from '../src/sources/nats/nats-source.ts';
import type { EventSink } from '../src/sources/source.ts';
import { waitFor } from './helpers.ts';
import { natsAdmin, requireNatsServer, startNatsServer, type NatsServer } from './nats-server.ts';

interface LogCapture {
  readonly log: Logger;
  // The log entries so far, without pino's own fields.
  entries(): { level: number; msg: string; [key: string]: unknown }[];
}

function captureLog(): LogCapture {
  const lines: string[] = [];
  const log = pino({ level: 'debug', base: undefined, timestamp: false }, { write: (line: string) => lines.push(line) });
  return { log, entries: () => lines.map((line) => JSON.parse(line)) };
}

async function link(t: TestContext, server: NatsServer, log: Logger): Promise<NatsLink> {
  const opened = await openNats({ servers: [server.url] }, log);
  t.after(() => opened.close());
  return opened;
}

// A sink that runs events with `run` (the dispatcher's part) and queues nothing.
function sinkFor(log: Logger, run: (event: HookEvent) => Promise<void>, concurrency = 4): EventSink {
  return {
    accept: () => Promise.reject(new Error('a nats source queues nothing')),
    runNow: run,
    admit: () => true,
    concurrency,
    shape: { typePath: 'type', idPath: 'id' },
    maxEventBytes: 4096,
    log,
  };
}

// A worker: a source and a sink whose "hooks" are the given function.
async function startWorker(t: TestContext, server: NatsServer, settings: ConsumerSettings, run: (event: HookEvent) => Promise<void>) {
  const logs = captureLog();
  const source = new JetStreamSource(await link(t, server, logs.log), settings);
  const sink = sinkFor(logs.log, run);
  await source.start(sink);
  t.after(() => source.stop());
  return { source, logs };
}

const SETTINGS: ConsumerSettings = { stream: 'EVENTS', consumer: 'workers', subjects: 'events.>', ackWaitMs: 2_000, maxAckPending: 64 };

async function setup(t: TestContext) {
  const server = await startNatsServer(t);
  const admin = await natsAdmin(t, server);
  await admin.addStream('EVENTS', ['events.>']);
  return { server, admin, js: jetstream(admin.nc) };
}

test('the consumer is created on first start with the config settings, and updated with one log line when they differ', async (t) => {
  if (!requireNatsServer(t)) return;
  const { server, admin } = await setup(t);
  const first = await startWorker(t, server, SETTINGS, async () => {});
  const info = await admin.jsm.consumers.info('EVENTS', 'workers');
  assert.equal(info.config.ack_policy, 'explicit');
  assert.equal(info.config.ack_wait, 2_000_000_000);
  assert.equal(info.config.filter_subject, 'events.>');
  assert.equal(info.config.max_ack_pending, 64);
  assert.equal(first.logs.entries().filter((entry) => entry.msg === 'created the JetStream consumer').length, 1);
  await first.source.stop();

  const second = await startWorker(t, server, { ...SETTINGS, ackWaitMs: 5_000 }, async () => {});
  const updates = second.logs.entries().filter((entry) => entry.msg.startsWith('updated the JetStream consumer'));
  assert.deepEqual(updates.map((entry) => entry.msg), ['updated the JetStream consumer to this config: ack_wait 2s → 5s']);
  assert.equal((await admin.jsm.consumers.info('EVENTS', 'workers')).config.ack_wait, 5_000_000_000);
});

test('a stream that does not exist is a one-line error, and no stream is created', async (t) => {
  if (!requireNatsServer(t)) return;
  const { server, admin } = await setup(t);
  const logs = captureLog();
  const source = new JetStreamSource(await link(t, server, logs.log), { ...SETTINGS, stream: 'MISSING' });
  await assert.rejects(source.start(sinkFor(logs.log, async () => {})), { code: 'E_NATS', message: /^stream "MISSING" does not exist on the NATS server; hookd never creates streams/ });
  assert.deepEqual((await admin.jsm.streams.names().next()).sort(), ['EVENTS']);
});

test('two workers on one consumer share 500 events: each runs at least once and none is left unacknowledged', async (t) => {
  if (!requireNatsServer(t)) return;
  const { server, admin, js } = await setup(t);
  const runs = new Map<string, number>();
  const byWorker = [0, 0];
  const hook = (worker: number) => async (event: HookEvent) => {
    runs.set(event.id, (runs.get(event.id) ?? 0) + 1);
    byWorker[worker]!++;
    await new Promise((resolve) => setImmediate(resolve));
  };
  await startWorker(t, server, SETTINGS, hook(0));
  await startWorker(t, server, SETTINGS, hook(1));
  await Promise.all(Array.from({ length: 500 }, (_, i) => js.publish(`events.n${i % 7}`, JSON.stringify({ type: 'n', id: `e${i}` }))));
  await waitFor(() => runs.size === 500, 'every event run', 30_000);
  await waitFor(async () => (await admin.jsm.consumers.info('EVENTS', 'workers')).num_ack_pending === 0, 'no message left unacknowledged');
  const info = await admin.jsm.consumers.info('EVENTS', 'workers');
  assert.equal(info.num_pending, 0);
  assert.ok(byWorker[0]! > 0 && byWorker[1]! > 0, `both workers ran events: ${byWorker.join(' / ')}`);
});

test('a run longer than ack_wait is not redelivered: progress keeps it', async (t) => {
  if (!requireNatsServer(t)) return;
  const { server, admin, js } = await setup(t);
  let runs = 0;
  let finish!: () => void;
  const finished = new Promise<void>((resolve) => (finish = resolve));
  const worker = await startWorker(t, server, { ...SETTINGS, ackWaitMs: 1_000 }, async () => {
    runs++;
    await finished;
  });
  await startWorker(t, server, { ...SETTINGS, ackWaitMs: 1_000 }, async () => {
    runs++;
  });
  await js.publish('events.long', JSON.stringify({ type: 'long' }));
  await waitFor(() => runs === 1, 'the run to start');
  // Progress goes out four times per ack_wait: twelve signals are three
  // ack_waits, after which the other worker would have had it without them.
  await waitFor(() => (worker.source.status().progress as number) >= 12, 'three ack_waits of progress', 10_000);
  finish();
  await waitFor(async () => (await admin.jsm.consumers.info('EVENTS', 'workers')).num_ack_pending === 0, 'the ack');
  assert.equal(runs, 1);
  assert.equal((await admin.jsm.consumers.info('EVENTS', 'workers')).num_redelivered, 0);
});

test('a malformed message is terminated with one log line, never redelivered, and the next one runs', async (t) => {
  if (!requireNatsServer(t)) return;
  const { server, admin, js } = await setup(t);
  const seen: string[] = [];
  const worker = await startWorker(t, server, { ...SETTINGS, ackWaitMs: 1_000 }, async (event) => {
    seen.push(`${event.subject} ${event.id} ${event.raw}`);
  });
  await js.publish('events.bad', 'not json {');
  await js.publish('events.good', '{\n  "type": "good",\n  "id": "g1"\n}\n');
  await waitFor(() => seen.length === 1, 'the good event');
  assert.deepEqual(seen, ['events.good g1 {   "type": "good",   "id": "g1" }']);
  await waitFor(async () => (await admin.jsm.consumers.info('EVENTS', 'workers')).num_ack_pending === 0, 'both settled');
  const terminated = worker.logs.entries().filter((entry) => entry.msg.startsWith('message terminated'));
  assert.equal(terminated.length, 1);
  assert.match(terminated[0]!.msg, /^message terminated, not an event: invalid JSON/);
  assert.equal(terminated[0]!.subject, 'events.bad');
  assert.equal((await admin.jsm.consumers.info('EVENTS', 'workers')).num_redelivered, 0);
});

test('publish waits for the stream: across a server restart nothing is lost and retried copies are dropped by id', async (t) => {
  if (!requireNatsServer(t)) return;
  const { server, admin } = await setup(t);
  const logs = captureLog();
  const publisher = await link(t, server, logs.log);
  const publishWithRetry = async (i: number): Promise<void> => {
    for (;;) {
      try {
        await publishToStream(publisher.js, { subject: `events.p${i}`, body: JSON.stringify({ type: 'p', n: i }), msgId: `p${i}` }, 1_000);
        return;
      } catch {
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    }
  };
  for (let i = 0; i < 20; i++) await publishWithRetry(i);
  await server.stop();
  await waitFor(() => logs.entries().some((entry) => entry.msg === 'NATS connection lost; reconnecting'), 'the lost line');
  const during = Array.from({ length: 20 }, (_, i) => publishWithRetry(20 + i));
  await server.start();
  await Promise.all(during);
  // The same ids again, as a retry after an unseen acknowledgement would send them.
  for (let i = 15; i < 40; i++) await publishWithRetry(i);
  await admin.nc.flush();
  assert.equal((await admin.jsm.streams.info('EVENTS')).state.messages, 40);
  const entries = logs.entries();
  assert.equal(entries.filter((entry) => entry.msg === 'NATS connection lost; reconnecting').length, 1);
  assert.equal(entries.filter((entry) => entry.msg === 'NATS connection back').length, 1);
});

test('a publish to a subject no stream stores fails with a one-line reason', async (t) => {
  if (!requireNatsServer(t)) return;
  const { server } = await setup(t);
  const publisher = await link(t, server, captureLog().log);
  await assert.rejects(publishToStream(publisher.js, { subject: 'elsewhere.x', body: '{}', msgId: 'x' }, 1_000), {
    name: 'Error',
    message: 'no JetStream stream stores subject "elsewhere.x"',
  });
});
