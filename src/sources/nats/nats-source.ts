// The JetStream source: pulls from hookd's durable consumer no more messages
// than hookd can run at once, hands each event straight to the dispatcher
// (JetStream is its queue, not the local one), keeps the message alive with
// progress signals while its hooks run, and acknowledges it once every
// delivery has ended. A worker that dies leaves its messages unacknowledged:
// JetStream gives them to another worker after ack_wait.
import type { Consumer, ConsumerMessages, JsMsg } from '@nats-io/jetstream';
import { errorText } from '../../errors.js';
import { EventError } from '../../event.js';
import type { NatsLink } from '../../nats/connection.js';
import type { EventSink, Source } from '../source.js';
import { ensureConsumer, type ConsumerSettings } from './consumer.js';
import { eventFromBody, NATS_SOURCE } from './message.js';

// How long one pull request waits for messages before the next is sent.
const PULL_EXPIRES_MS = 10_000;
// After a failed pull (connection lost, consumer deleted), before the next.
const PULL_RETRY_MS = 1_000;
// Progress signals go out this many times per ack_wait.
const PROGRESS_PER_ACK_WAIT = 4;

export class JetStreamSource implements Source {
  readonly name = NATS_SOURCE;
  readonly finite = false;
  readonly ended: Promise<void>;
  private endResolve!: () => void;
  private consumer: Consumer | undefined;
  private batch: ConsumerMessages | undefined;
  private readonly held = new Set<JsMsg>();
  private roomWaiter: (() => void) | undefined;
  private readonly settledWaiters: (() => void)[] = [];
  private progressTimer: NodeJS.Timeout | undefined;
  private stopping = false;
  private pulling: Promise<void> = Promise.resolve();
  private readonly counts = { received: 0, acked: 0, naked: 0, terminated: 0, progress: 0 };
  private pending: { pending: number; ackPending: number; redelivered: number } | undefined;

  constructor(
    private readonly link: NatsLink,
    private readonly settings: ConsumerSettings,
  ) {
    this.ended = new Promise((resolve) => (this.endResolve = resolve));
  }

  // Checks the stream, creates or updates the consumer, then starts pulling.
  async start(sink: EventSink): Promise<void> {
    await ensureConsumer(this.link.jsm, this.settings, sink.log);
    this.consumer = await this.link.js.consumers.get(this.settings.stream, this.settings.consumer);
    const every = Math.max(100, Math.floor(this.settings.ackWaitMs / PROGRESS_PER_ACK_WAIT));
    this.progressTimer = setInterval(() => this.signalProgress(), every);
    this.progressTimer.unref();
    this.pulling = this.pull(this.consumer, sink);
    sink.log.info({ source: this.name, stream: this.settings.stream, consumer: this.settings.consumer }, 'pulling from the JetStream consumer');
  }

  // No more pulls. Messages held stay held until their hooks end (the
  // dispatcher's shutdown decides when): see settled().
  async stop(): Promise<void> {
    if (!this.stopping) {
      this.stopping = true;
      this.roomWaiter?.();
      await this.batch?.close();
      await this.pulling;
      this.releaseSettledWaiters();
      this.endResolve();
    }
    return this.ended;
  }

  // Resolves once every message held is acknowledged or handed back (after
  // stop()), which is when the connection may close.
  settled(): Promise<void> {
    if (this.held.size === 0) return Promise.resolve();
    return new Promise((resolve) => this.settledWaiters.push(resolve));
  }

  status(): Record<string, unknown> {
    return {
      stream: this.settings.stream,
      consumer: this.settings.consumer,
      connected: this.link.connected,
      held: this.held.size,
      ...this.counts,
      ...this.pending,
    };
  }

  // Asks the server for the consumer's counts (pending: not yet delivered to
  // any worker; ackPending: delivered, not yet acknowledged), for `hookd status`.
  async refresh(): Promise<void> {
    try {
      const info = await this.consumer?.info();
      if (info) this.pending = { pending: info.num_pending, ackPending: info.num_ack_pending, redelivered: info.num_redelivered };
    } catch {
      // disconnected: the last counts stand
    }
  }

  private async pull(consumer: Consumer, sink: EventSink): Promise<void> {
    // Whether a failed pull was logged; a lost connection has its own two lines.
    let failing = false;
    while (!this.stopping) {
      const room = sink.concurrency - this.held.size;
      if (room <= 0) {
        await new Promise<void>((resolve) => (this.roomWaiter = resolve));
        continue;
      }
      try {
        this.batch = await consumer.fetch({ max_messages: room, expires: PULL_EXPIRES_MS });
        // stop() came while the pull request was being made: it closed the previous one.
        if (this.stopping) await this.batch.close();
        for await (const message of this.batch) this.receive(message, sink);
        if (failing) sink.log.info({ source: this.name }, 'pulling again');
        failing = false;
      } catch (error) {
        if (this.stopping) break;
        if (!failing && this.link.connected) {
          sink.log.warn({ source: this.name, consumer: this.settings.consumer }, `cannot pull messages: ${errorText(error)}; trying again`);
          failing = true;
        }
        await new Promise((resolve) => setTimeout(resolve, PULL_RETRY_MS));
      }
    }
  }

  private receive(message: JsMsg, sink: EventSink): void {
    this.counts.received++;
    const fallbackId = message.headers?.get('Nats-Msg-Id') || `${this.settings.stream}.${message.seq}`;
    const event = eventFromBody(message.data, sink.shape, sink.maxEventBytes, { subject: message.subject, fallbackId });
    if (event instanceof EventError) {
      // Never redelivered: a body that is not an event will not become one.
      // No reason with it: servers before 2.10 ignore a `+TERM reason`.
      message.term();
      this.counts.terminated++;
      sink.log.warn({ source: this.name, subject: message.subject, seq: message.seq }, `message terminated, not an event: ${event.message}`);
      return;
    }
    this.held.add(message);
    sink.log.debug({ source: this.name, id: event.id, subject: message.subject, seq: message.seq, delivery: message.info.deliveryCount }, 'message received');
    sink
      .runNow(event)
      .then(
        () => {
          message.ack();
          this.counts.acked++;
        },
        (error: unknown) => {
          // hookd stops before the hooks ended: another worker takes it now.
          message.nak();
          this.counts.naked++;
          sink.log.debug({ source: this.name, id: event.id, error: errorText(error) }, 'message handed back');
        },
      )
      .finally(() => {
        this.held.delete(message);
        this.roomWaiter?.();
        this.roomWaiter = undefined;
        this.releaseSettledWaiters();
      });
  }

  // Tells the server the held messages are still being worked on, so that
  // a hook running longer than ack_wait is not redelivered.
  private signalProgress(): void {
    for (const message of this.held) message.working();
    if (this.held.size > 0) this.counts.progress++;
  }

  private releaseSettledWaiters(): void {
    if (this.held.size > 0) return;
    if (this.stopping) clearInterval(this.progressTimer);
    for (const resolve of this.settledWaiters.splice(0)) resolve();
  }
}
