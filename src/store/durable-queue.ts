// The durable queue: the EventQueue of store/ on append-only segment files.
// An accepted event is written at once and accept() resolves after the next
// group fsync; only then may the dispatcher see it (a refused event never
// runs: a failed write or sync cuts it off the file). The backlog stays on disk: at most `readAhead` undispatched
// events are held in memory, the rest are read back in order when due.
// Dispatch, attempt and settlement records let a restart pick up every
// unfinished delivery; finished segments are deleted, and a segment pinned
// by a few slow deliveries has them copied forward so that it can go too.
//
// Longer than our ~250 lines on purpose: one class, one state machine. The
// accept path, read-ahead, the delivery journal and each segment's lifetime
// share the same counters (live events per segment, what is handed out, the
// spill position); split apart, those invariants would span files.
import { unlinkSync } from 'node:fs';
import type { Logger } from 'pino';
import type { AttemptRecord } from './dead-letter.js';
import { errorText, HookdError } from '../errors.js';
import type { HookEvent } from '../event.js';
import { MEMORY_WINDOW, type DeliveryJournal, type EventQueue, type PendingDelivery, type QueuedEvent, type Settlement } from './queue.js';
import { readBack } from './read-back.js';
import { encodeRecord, storedEvent, type QueueRecord } from './records.js';
import { scanQueue, type LiveEvent } from './scan.js';
import { listSegments, segmentFile, SegmentWriter, type Position } from './segments.js';
import { WriteHealth } from './write-health.js';

export interface DurableQueueOptions {
  // The queue's folder (<state>/queue).
  readonly dir: string;
  readonly log: Logger;
  // A segment is sealed and a new one started past this size. Default 16 MiB.
  readonly segmentBytes?: number;
  // Most undispatched events held in memory. Default MEMORY_WINDOW.
  readonly readAhead?: number;
  // With nothing left to do, a segment past this size is sealed so that its
  // finished records can be deleted. Default 1 MiB.
  readonly idleResetBytes?: number;
}

// An event in the queue with the segment that holds it.
interface HeldEvent extends QueuedEvent {
  readonly segment: number;
}

export class DurableQueue implements EventQueue, DeliveryJournal {
  readonly journal: DeliveryJournal = this;
  readonly durable = true;
  private readonly dir: string;
  private readonly log: Logger;
  private readonly segmentBytes: number;
  private readonly readAheadLimit: number;
  private readonly idleResetBytes: number;
  private writer!: SegmentWriter;
  // Segment number -> events in it not yet finished (oldest first).
  private readonly segments: Map<number, number>;
  private readonly live: Map<number, LiveEvent>;
  private readonly readAhead: HeldEvent[] = [];
  // The first undispatched event that is only on disk.
  private spill: Position | undefined;
  private lastQueuedSeq: number;
  private readonly handedOut = new Map<number, HeldEvent>();
  private undispatched: number;
  private unfinished = 0;
  private nextSeq: number;
  private pending: PendingDelivery[];
  private closed = false;
  private readonly eventWaiters: ((event: QueuedEvent | null) => void)[] = [];
  private deletions: Promise<void> = Promise.resolve();
  private stopped: Promise<void> | undefined;
  private readonly health: WriteHealth;

  constructor(options: DurableQueueOptions) {
    this.dir = options.dir;
    this.log = options.log;
    this.segmentBytes = options.segmentBytes ?? 16 * 1024 * 1024;
    this.readAheadLimit = options.readAhead ?? MEMORY_WINDOW;
    this.idleResetBytes = options.idleResetBytes ?? 1024 * 1024;
    this.health = new WriteHealth(this.log, this.dir);
    const scanned = scanQueue(this.dir, this.log);
    this.segments = scanned.segments;
    this.live = scanned.live;
    this.spill = scanned.spill;
    this.undispatched = scanned.undispatched;
    this.nextSeq = scanned.nextSeq;
    this.lastQueuedSeq = 0;
    this.pending = scanned.pending;
    for (const count of this.segments.values()) this.unfinished += count;
    // Always a fresh segment: a file that a crash cut short is never appended to.
    const last = Math.max(0, ...listSegments(this.dir));
    this.writer = new SegmentWriter(
      this.dir,
      last + 1,
      (sealed, opened) => this.rotated(sealed, opened),
      (error) => this.health.failed(error),
    );
    this.segments.set(last + 1, 0);
    if (this.pending.length > 0 || this.undispatched > 0) {
      this.log.info({ deliveries: this.pending.length, undispatched: this.undispatched }, 'queue recovered: unfinished work of the last run goes on');
    }
    this.collectFinished();
  }

  get length(): number {
    return this.undispatched;
  }

  async accept(event: HookEvent, hooks?: readonly string[]): Promise<QueuedEvent> {
    if (this.closed) throw new HookdError('E_STATE', 'hookd is shutting down');
    const seq = this.nextSeq++;
    const position = this.append({ rec: 'event', seq, event: storedEvent(event), hooks });
    // Counted at once: its segment must not be deleted while the sync runs.
    this.count(position.segment, +1);
    this.undispatched++;
    try {
      await this.maybeRotate();
    } catch (error) {
      // Not on disk (cut off): it never happened.
      this.health.failed(error);
      this.count(position.segment, -1);
      this.undispatched--;
      this.collectFinished();
      throw error;
    }
    this.health.succeeded();
    this.offer({ seq, event, hooks, segment: position.segment }, position);
    this.log.debug({ seq, id: event.id }, 'event stored');
    return { seq, event, hooks };
  }

  // An event now on disk goes to the dispatcher, or waits in memory, or (the
  // read-ahead full) is left on disk to be read back when due.
  private offer(held: HeldEvent, position: Position): void {
    // Read back already (a batch read since its sync).
    if (held.seq <= this.lastQueuedSeq) return;
    if (this.spill !== undefined || this.readAhead.length >= this.readAheadLimit) {
      this.spill ??= position;
      return;
    }
    this.lastQueuedSeq = held.seq;
    const waiter = this.eventWaiters.shift();
    if (waiter === undefined) this.readAhead.push(held);
    else waiter(this.handOut(held));
  }

  async next(): Promise<QueuedEvent | null> {
    for (;;) {
      const held = this.readAhead.shift();
      if (held !== undefined) return this.handOut(held);
      if (this.spill !== undefined) {
        this.readBack();
        continue;
      }
      if (this.closed) return null;
      return new Promise((resolve) => this.eventWaiters.push(resolve));
    }
  }

  dispatched(seq: number, hooks: readonly string[]): void {
    const held = this.handedOut.get(seq);
    if (held === undefined) return;
    this.handedOut.delete(seq);
    this.write({ rec: 'dispatched', seq, hooks });
    if (hooks.length === 0) this.finish(held.segment);
    else this.live.set(seq, { segment: held.segment, event: held.event, deliveries: new Map(hooks.map((hook) => [hook, { attempts: 0, history: [] }])) });
  }

  attemptStarted(seq: number, hook: string, attempt: number): void {
    const delivery = this.live.get(seq)?.deliveries.get(hook);
    if (delivery === undefined) return;
    delivery.attempts = attempt;
    this.write({ rec: 'started', seq, hook, attempt, at: new Date().toISOString() });
    // On file before the hook starts: a run cut short by a crash is counted.
    this.writeOut();
  }

  attemptFailed(seq: number, hook: string, result: AttemptRecord): void {
    const delivery = this.live.get(seq)?.deliveries.get(hook);
    if (delivery === undefined) return;
    delivery.history.push(result);
    this.write({ rec: 'failed', seq, hook, result });
    // On file before the failure is logged: whoever saw "will retry" and then
    // killed hookd finds the attempt's outcome after the restart.
    this.writeOut();
  }

  settled(seq: number, hook: string, outcome: Settlement): void {
    const live = this.live.get(seq);
    if (live === undefined || !live.deliveries.delete(hook)) return;
    this.write({ rec: 'settled', seq, hook, outcome });
    if (live.deliveries.size > 0) return;
    this.live.delete(seq);
    this.finish(live.segment);
  }

  async recover(): Promise<PendingDelivery[]> {
    const pending = this.pending;
    this.pending = [];
    return pending;
  }

  close(): void {
    this.closed = true;
    if (this.readAhead.length > 0 || this.spill !== undefined) return;
    for (const waiter of this.eventWaiters.splice(0)) waiter(null);
  }

  shutdown(): Promise<void> {
    this.stopped ??= this.stop();
    return this.stopped;
  }

  private async stop(): Promise<void> {
    this.close();
    for (const waiter of this.eventWaiters.splice(0)) waiter(null);
    await this.deletions;
    await this.writer.close();
    // Nothing left to do: leave an empty folder rather than finished records.
    if (this.unfinished === 0) {
      for (const segment of [...this.segments.keys()]) this.unlink(segment);
    }
  }

  // Events accepted and not finished, for tests and status.
  get unfinishedCount(): number {
    return this.unfinished;
  }

  // Undispatched events held in memory (bounded by `readAhead`).
  get heldInMemory(): number {
    return this.readAhead.length + this.handedOut.size;
  }

  private handOut(held: HeldEvent): QueuedEvent {
    this.handedOut.set(held.seq, held);
    this.undispatched--;
    return held;
  }

  private append(record: QueueRecord): Position {
    return this.writer.append(encodeRecord(record));
  }

  private writeOut(): void {
    try {
      this.writer.writeOut();
    } catch (error) {
      this.health.failed(error);
    }
  }

  // Progress records: a failure to write one is reported once (WriteHealth),
  // not thrown at the dispatcher; the worst outcome is a repeated run after a restart.
  private write(record: QueueRecord): void {
    try {
      this.append(record);
      void this.maybeRotate().then(
        () => this.health.succeeded(),
        (error: unknown) => this.health.failed(error),
      );
    } catch (error) {
      this.health.failed(error);
    }
  }

  // Seal a full segment, then wait for the group fsync.
  private maybeRotate(): Promise<void> {
    if (this.writer.current.offset >= this.segmentBytes) this.writer.rotate();
    return this.writer.sync();
  }

  private count(segment: number, delta: number): void {
    this.segments.set(segment, (this.segments.get(segment) ?? 0) + delta);
    this.unfinished += delta;
  }

  private finish(segment: number): void {
    this.count(segment, -1);
    this.collectFinished();
    // Idle with a big segment: seal it so that its records can go.
    if (this.unfinished === 0 && this.handedOut.size === 0 && this.writer.current.offset >= this.idleResetBytes) {
      try {
        this.writer.rotate();
      } catch (error) {
        this.health.failed(error);
      }
    }
  }

  // Delete the oldest segments while nothing in them is unfinished.
  private collectFinished(): void {
    for (const [segment, count] of this.segments) {
      if (segment === this.writer.current.segment || count > 0) return;
      this.segments.delete(segment);
      this.scheduleDelete(segment);
    }
  }

  // A segment was sealed: free the oldest ones, copying forward the few
  // unfinished deliveries that pin one, when that writes less than it frees.
  private rotated(_sealed: number, opened: number): void {
    this.segments.set(opened, 0);
    for (const [segment, count] of this.segments) {
      if (segment === opened) break;
      if (count > 0) {
        const pinned = [...this.live.entries()].filter(([, live]) => live.segment === segment);
        const bytes = pinned.reduce((sum, [, live]) => sum + live.event.raw.length, 0);
        if (pinned.length !== count || bytes * 2 > this.segmentBytes) break;
        for (const [seq, live] of pinned) {
          const deliveries = Object.fromEntries(live.deliveries);
          this.append({ rec: 'carried', seq, event: storedEvent(live.event), deliveries });
          live.segment = opened;
        }
        this.count(segment, -count);
        this.count(opened, +count);
      }
      this.segments.delete(segment);
      this.scheduleDelete(segment);
    }
  }

  // Deleted only once the records that finished its events are on disk.
  private scheduleDelete(segment: number): void {
    this.deletions = this.deletions
      .then(() => this.writer.sync())
      .then(() => this.unlink(segment))
      .catch((error) => this.log.error({ segment, error: errorText(error) }, 'cannot delete a finished queue file'));
  }

  private unlink(segment: number): void {
    try {
      unlinkSync(segmentFile(this.dir, segment));
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    }
  }

  // Read the next batch of undispatched events back from disk.
  private readBack(): void {
    this.writeOut();
    const batch = readBack({
      dir: this.dir,
      from: this.spill as Position,
      // Only what is on disk: an event whose sync is pending is not yet accepted.
      end: this.writer.syncedEnd,
      segments: [...this.segments.keys()],
      afterSeq: this.lastQueuedSeq,
      maxEvents: this.readAheadLimit - this.readAhead.length,
    });
    for (const { seq, segment, event, hooks, problem } of batch.events) {
      this.lastQueuedSeq = seq;
      if (event !== undefined) {
        this.readAhead.push({ seq, event, hooks, segment });
        continue;
      }
      // It can never run: count it as finished.
      this.log.warn({ seq, error: errorText(problem) }, 'stored event unreadable: skipped');
      this.count(segment, -1);
      this.undispatched--;
    }
    this.spill = batch.next;
  }
}
