// The dispatch queue: accepted events wait here until the dispatcher matches
// them to hooks, and their deliveries stay recorded until each is done.
// MemoryQueue keeps it all in memory (`state: false`); the durable queue in
// store/ implements the same interface on disk, so that the dispatcher does
// not change when durability is on.
import type { AttemptRecord } from './deadletters.js';
import type { HookEvent } from './event.js';

export interface QueuedEvent {
  // Position in arrival order, unique within the queue.
  readonly seq: number;
  readonly event: HookEvent;
  // Only these hooks (a dead letter replayed for its hook); else matching decides.
  readonly hooks?: readonly string[] | undefined;
}

// A delivery that was dispatched before a restart and is not yet settled.
export interface PendingDelivery extends QueuedEvent {
  readonly hook: string;
  // Attempts already started (0: never ran).
  readonly attempts: number;
  // How those attempts ended (for the dead letter, should it come to that).
  readonly history?: readonly AttemptRecord[];
}

export type Settlement = 'done' | 'dead';

export interface EventQueue {
  // Whether accepted events survive a restart.
  readonly durable: boolean;
  // Store an accepted event. Resolves once it is safe (on disk, for the
  // durable queue), which is when a source may acknowledge it; waits while
  // the queue is full, which is how sources feel backpressure.
  accept(event: HookEvent, hooks?: readonly string[]): Promise<QueuedEvent>;
  // The next event not yet dispatched, in arrival order; null once closed and empty.
  next(): Promise<QueuedEvent | null>;
  // The event's deliveries are fixed: these hooks (possibly none) will run it.
  dispatched(seq: number, hooks: readonly string[]): void;
  // A run of a delivery starts with this attempt number (1-based).
  attemptStarted(seq: number, hook: string, attempt: number): void;
  // An attempt failed (a retry or a dead letter follows): how it ended.
  attemptFailed(seq: number, hook: string, result: AttemptRecord): void;
  // A delivery is over: done (exit 0) or dead (kept as a dead letter).
  settled(seq: number, hook: string, outcome: Settlement): void;
  // Deliveries dispatched before a restart and not settled, in arrival order.
  recover(): Promise<PendingDelivery[]>;
  // Events accepted and not yet dispatched.
  readonly length: number;
  // No more accepts: next() returns null once the queue is empty.
  close(): void;
  // Wait until everything recorded so far is safe; release resources.
  shutdown(): Promise<void>;
}

// Most events waiting in memory before accept() makes sources wait.
const MEMORY_QUEUE_CAPACITY = 1024;

export class MemoryQueue implements EventQueue {
  readonly durable = false;
  private readonly events: QueuedEvent[] = [];
  private nextSeq = 1;
  private closed = false;
  private readonly roomWaiters: (() => void)[] = [];
  private readonly eventWaiters: ((event: QueuedEvent | null) => void)[] = [];

  constructor(private readonly capacity = MEMORY_QUEUE_CAPACITY) {}

  get length(): number {
    return this.events.length;
  }

  async accept(event: HookEvent, hooks?: readonly string[]): Promise<QueuedEvent> {
    while (this.events.length >= this.capacity && !this.closed) {
      await new Promise<void>((resolve) => this.roomWaiters.push(resolve));
    }
    if (this.closed) throw new Error('hookd is shutting down');
    const queued: QueuedEvent = { seq: this.nextSeq++, event, hooks };
    const waiter = this.eventWaiters.shift();
    if (waiter) waiter(queued);
    else this.events.push(queued);
    return queued;
  }

  next(): Promise<QueuedEvent | null> {
    const queued = this.events.shift();
    if (queued) {
      this.roomWaiters.shift()?.();
      return Promise.resolve(queued);
    }
    if (this.closed) return Promise.resolve(null);
    return new Promise((resolve) => this.eventWaiters.push(resolve));
  }

  dispatched(): void {}
  attemptStarted(): void {}
  attemptFailed(): void {}
  settled(): void {}

  async recover(): Promise<PendingDelivery[]> {
    return [];
  }

  close(): void {
    this.closed = true;
    for (const waiter of this.eventWaiters.splice(0)) waiter(null);
    for (const waiter of this.roomWaiters.splice(0)) waiter();
  }

  async shutdown(): Promise<void> {
    this.close();
  }
}
