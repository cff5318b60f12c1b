// The dispatch queue: accepted events wait here until the dispatcher matches
// them to hooks. Beside it, the delivery journal records each delivery until
// it is done, so that a restart can finish it. MemoryQueue keeps events in
// memory and journals nothing (`state: false`); the durable queue keeps both
// on disk behind the same interfaces, so the dispatcher does not change when
// durability is on.
import type { AttemptRecord } from './dead-letter.js';
import type { HookEvent } from '../event.js';

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
  // Where the deliveries of dispatched events are recorded.
  readonly journal: DeliveryJournal;
  // Store an accepted event. Resolves once it is safe (on disk, for the
  // durable queue), which is when a source may acknowledge it; waits while
  // the queue is full, which is how sources feel backpressure.
  accept(event: HookEvent, hooks?: readonly string[]): Promise<QueuedEvent>;
  // The next event not yet dispatched, in arrival order; null once closed and empty.
  next(): Promise<QueuedEvent | null>;
  // Events accepted and not yet dispatched.
  readonly length: number;
  // No more accepts: next() returns null once the queue is empty.
  close(): void;
  // Wait until everything recorded so far is safe; release resources.
  shutdown(): Promise<void>;
}

// What happened to each delivery, for a restart to pick up the unfinished.
export interface DeliveryJournal {
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
}

// Memory only: nothing is recorded, nothing is recovered after a restart.
export const NO_JOURNAL: DeliveryJournal = Object.freeze({
  dispatched: () => {},
  attemptStarted: () => {},
  attemptFailed: () => {},
  settled: () => {},
  recover: async () => [],
});

// Most events (or deliveries) held in memory at once, at each stage: the
// memory queue's capacity, the durable queue's read-ahead, the dispatcher's
// window. Past it, the stage before waits: that is how backpressure reaches
// the sources.
export const MEMORY_WINDOW = 1024;

export class MemoryQueue implements EventQueue {
  readonly durable = false;
  readonly journal = NO_JOURNAL;
  private readonly events: QueuedEvent[] = [];
  private nextSeq = 1;
  private closed = false;
  private readonly roomWaiters: (() => void)[] = [];
  private readonly eventWaiters: ((event: QueuedEvent | null) => void)[] = [];

  constructor(private readonly capacity = MEMORY_WINDOW) {}

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

  close(): void {
    this.closed = true;
    for (const waiter of this.eventWaiters.splice(0)) waiter(null);
    for (const waiter of this.roomWaiters.splice(0)) waiter();
  }

  async shutdown(): Promise<void> {
    this.close();
  }
}
