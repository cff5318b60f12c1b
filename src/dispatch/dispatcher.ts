// The dispatcher: takes events from the queue in arrival order, matches each
// against the current hooks (fan-out), and runs every delivery through its
// hook's lane. A lane bounds the runs of one hook (concurrency 1 keeps arrival
// order); the Limiter bounds all runs together. Failed runs are retried with
// exponential backoff, then kept as dead letters.
//
// Somewhat over our ~250 lines: lanes, the memory window and the three ways
// in (recovered deliveries, the queue, a queue-less source's runNow) share
// one set of counters; one delivery's work is in delivery.ts, merging in
// coalescer.ts, completion of queue-less events in event-completion.ts.
import type { Logger } from 'pino';
import type { HookdConfig, HookSpec } from '../config/types.js';
import type { HookEvent } from '../event.js';
import { matchHooks } from '../match.js';
import { nulField } from '../template.js';
import { MemoryDeadLetters, type DeadLetterSink } from '../store/dead-letter.js';
import type { NatsLink } from '../nats/connection.js';
import { MEMORY_WINDOW, type DeliveryJournal, type EventQueue, type QueuedEvent } from '../store/queue.js';
import { Coalescer } from './coalescer.js';
import type { RunRecorder } from '../store/running-groups.js';
import { bury, deliver, type Delivery, type DeliveryContext } from './delivery.js';
import { EventCompletion } from './event-completion.js';
import { HookStatsTable, type HookStats, type RunObserver } from './hook-stats.js';
import { Limiter } from './limiter.js';

export interface DispatcherOptions {
  config: HookdConfig;
  queue: EventQueue;
  log: Logger;
  deadLetters?: DeadLetterSink;
  // Mode-specific variables for every hook (Core Lightning's LIGHTNING_RPC, ...).
  extraEnv?: Readonly<Record<string, string>>;
  // Jitter source, replaceable for tests.
  random?: () => number;
  // Told of every run that ends (the Prometheus metrics).
  runObserver?: RunObserver | undefined;
  // Where the process group of each run is kept on record (state folder).
  runs?: RunRecorder | undefined;
  // The NATS connection of publish hooks, once open.
  nats?: () => NatsLink | undefined;
}

interface Lane {
  readonly waiting: Delivery[];
  // Deliveries holding a slot of the lane: running or waiting for a retry.
  active: number;
}

export class Dispatcher {
  private config: HookdConfig;
  private readonly queue: EventQueue;
  private readonly log: Logger;
  private readonly deadLetters: DeadLetterSink;
  private readonly limiter: Limiter;
  private readonly lanes = new Map<string, Lane>();
  private readonly stats: HookStatsTable;
  private readonly deliveryContext: DeliveryContext;
  private readonly coalescer: Coalescer;
  private held = 0;
  private roomWaiter: (() => void) | undefined;
  private exhausted = false;
  private stopping = false;
  private readonly stopController = new AbortController();
  private readonly killController = new AbortController();
  private readonly runs = new Set<Promise<void>>();
  private readonly groups = new Set<number>();
  private idleWaiters: (() => void)[] = [];
  // Events run without the queue, until every delivery of each has ended.
  private readonly unqueued = new Set<EventCompletion>();

  constructor(options: DispatcherOptions) {
    this.config = options.config;
    this.queue = options.queue;
    this.log = options.log;
    this.deadLetters = options.deadLetters ?? new MemoryDeadLetters();
    this.limiter = new Limiter(options.config.concurrency);
    this.stats = new HookStatsTable(options.runObserver);
    this.deliveryContext = {
      queue: this.queue,
      log: this.log,
      limiter: this.limiter,
      deadLetters: this.deadLetters,
      stats: this.stats,
      random: options.random ?? Math.random,
      extraEnv: options.extraEnv,
      stopSignal: this.stopController.signal,
      killSignal: this.killController.signal,
      groups: this.groups,
      runs: options.runs,
      config: () => this.config,
      stopping: () => this.stopping,
      nats: options.nats ?? (() => undefined),
    };
    this.coalescer = new Coalescer((merged) => this.queueInLane(merged), this.log);
  }

  // Re-run what a previous process left unfinished, then follow the queue.
  async start(): Promise<void> {
    for (const pending of await this.queue.journal.recover()) {
      const spec = this.config.hooks.find((hook) => hook.name === pending.hook);
      if (spec === undefined) {
        this.log.warn({ hook: pending.hook, id: pending.event.id }, 'hook no longer in the config; its pending delivery becomes a dead letter');
        await bury(this.deliveryContext, this.queue.journal, pending.seq, pending.event, pending.hook, pending.history ?? [], 'hook removed from the config');
        continue;
      }
      this.enqueue({ seq: pending.seq, journal: this.queue.journal, event: pending.event, spec, attempts: pending.attempts, history: [...(pending.history ?? [])] });
    }
    void this.pull();
  }

  // A new config applies to events not yet dispatched; running and queued
  // deliveries keep the hook as it was.
  setConfig(config: HookdConfig): void {
    this.config = config;
    this.limiter.setLimit(config.concurrency);
  }

  get runningCount(): number {
    return this.limiter.running;
  }

  get heldCount(): number {
    return this.held;
  }

  hookStats(): ReadonlyMap<string, Readonly<HookStats>> {
    return this.stats.all();
  }

  // Resolves once the queue is closed and every delivery is settled.
  whenIdle(): Promise<void> {
    if (this.isIdle()) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  // Stop taking events; let running hooks finish for up to `graceMs`, then
  // end their process groups. Deliveries not finished stay in the queue.
  async stop(graceMs: number): Promise<void> {
    this.stopping = true;
    this.stopController.abort();
    // Open windows end here; their events stay unsettled in the journal.
    const coalescing = this.coalescer.size;
    this.coalescer.stop();
    this.roomWaiter?.();
    const settledInTime = await Promise.race([
      Promise.all([...this.runs]).then(() => true),
      new Promise<boolean>((resolve) => setTimeout(resolve, graceMs, false).unref()),
    ]);
    if (!settledInTime) {
      this.log.warn({ running: this.limiter.running }, 'shutdown timeout reached: ending the running hooks');
      this.killController.abort();
      await Promise.all([...this.runs]);
    }
    // Events of a source that is its own queue go back to it.
    for (const completion of this.unqueued) completion.abandon();
    const left = [...this.lanes.values()].reduce((sum, lane) => sum + lane.waiting.length, 0) + this.queue.length + coalescing;
    if (left > 0 && !this.queue.durable) this.log.warn({ deliveries: left }, 'events not yet run are dropped: no state directory (state: false)');
  }

  private async pull(): Promise<void> {
    while (!this.stopping) {
      while (this.held >= MEMORY_WINDOW && !this.stopping) await new Promise<void>((resolve) => (this.roomWaiter = resolve));
      if (this.stopping) break;
      const queued = await this.queue.next();
      if (queued === null) break;
      if (this.stopping) break; // left in the queue: the durable queue keeps it
      this.dispatch(queued);
    }
    this.exhausted = true;
    this.checkIdle();
  }

  // Runs an event that bypasses the queue (JetStream is its queue): resolves
  // once every delivery has ended, rejects when hookd stops first.
  runNow(event: HookEvent): Promise<void> {
    const completion = new EventCompletion();
    if (this.stopping) completion.abandon();
    else {
      this.unqueued.add(completion);
      void completion.done.finally(() => this.unqueued.delete(completion)).catch(() => {});
      this.dispatch({ seq: 0, event }, completion);
    }
    return completion.done;
  }

  private dispatch({ seq, event, hooks: only }: QueuedEvent, journal: DeliveryJournal = this.queue.journal): void {
    // Decision hooks answer Core Lightning directly; they never queue.
    const candidates = this.config.hooks.filter((hook) => !hook.decide);
    const matched = only === undefined ? matchHooks(candidates, event.type, event.fields) : candidates.filter((hook) => only.includes(hook.name));
    if (only !== undefined && matched.length < only.length) {
      this.log.warn({ id: event.id, hooks: only.filter((name) => !matched.some((hook) => hook.name === name)) }, 'replayed for hooks no longer in the config');
    }
    const hooks = matched.filter((hook) => this.argsFit(hook, event));
    journal.dispatched(seq, hooks.map((hook) => hook.name));
    if (hooks.length === 0) {
      this.log.debug({ type: event.type, id: event.id }, 'no hook matches this event');
      return;
    }
    for (const spec of hooks) this.enqueue({ seq, journal, event, spec, attempts: 0, history: [] });
  }

  // A field holding a NUL byte cannot be an argv entry: the event is refused
  // for that hook here, with one line, rather than failing every attempt.
  private argsFit(hook: HookSpec, event: HookEvent): boolean {
    for (const template of hook.args) {
      const field = nulField(template, event.fields);
      if (field === undefined) continue;
      this.log.warn({ hook: hook.name, type: event.type, id: event.id, field }, `event field ${field} holds a NUL byte, which no argument can carry: ${hook.name} does not run for this event`);
      return false;
    }
    return true;
  }

  private enqueue(delivery: Delivery): void {
    this.held++;
    // Only queued events coalesce: a merged run settles the others in the queue's
    // journal, and a JetStream message is acked by its own completion.
    if (delivery.spec.coalesce !== undefined && delivery.journal === this.queue.journal) this.coalescer.add(delivery);
    else this.queueInLane(delivery);
  }

  private queueInLane(delivery: Delivery): void {
    this.lane(delivery.spec.name).waiting.push(delivery);
    this.pump(delivery.spec.name);
  }

  private lane(name: string): Lane {
    let lane = this.lanes.get(name);
    if (lane === undefined) {
      lane = { waiting: [], active: 0 };
      this.lanes.set(name, lane);
    }
    return lane;
  }

  // Start as many waiting deliveries as the hook's concurrency allows.
  private pump(name: string): void {
    const lane = this.lane(name);
    for (;;) {
      const next = lane.waiting[0];
      const limit = this.config.hooks.find((hook) => hook.name === name)?.concurrency ?? next?.spec.concurrency ?? 1;
      if (next === undefined || lane.active >= limit || this.stopping) return;
      lane.waiting.shift();
      lane.active++;
      const run = deliver(next, this.deliveryContext).finally(() => {
        this.runs.delete(run);
        lane.active--;
        this.held -= 1 + (next.merged?.length ?? 0);
        if (this.held < MEMORY_WINDOW) {
          this.roomWaiter?.();
          this.roomWaiter = undefined;
        }
        this.pump(name);
        this.checkIdle();
      });
      this.runs.add(run);
    }
  }

  // SIGKILL to every running hook's process group, at once (hookd is about
  // to exit without waiting: a second SIGINT).
  killRunningGroups(): void {
    for (const pid of this.groups) {
      try {
        process.kill(-pid, 'SIGKILL');
      } catch {
        // ESRCH: already gone
      }
    }
  }

  private isIdle(): boolean {
    return this.exhausted && this.held === 0;
  }

  private checkIdle(): void {
    if (!this.isIdle()) return;
    for (const resolve of this.idleWaiters.splice(0)) resolve();
  }
}
