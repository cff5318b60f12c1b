// Core Lightning's notifications as a hookd source. The plugin's reader hands
// every notification over at once and goes back to stdin (hook requests must
// never wait behind notification work); here they wait in arrival order and
// are accepted into the queue one at a time, so the queue's backpressure
// (MemoryQueue holds 1024 events) slows this buffer, never stdin.
//
// Memory bound: the buffer holds at most MAX_PENDING_BYTES of event text.
// Beyond it a notification is dropped and counted in the log (lightningd
// cannot be slowed without stalling its hooks); with a state directory the
// durable queue drains the buffer to disk and nothing is dropped in practice.
import { errorText } from '../errors.js';
import type { HookEvent } from '../event.js';
import type { EventSink, Source } from '../sources/source.js';

export const MAX_PENDING_BYTES = 64 * 1024 * 1024;
// Fixed cost counted per buffered event beside its text (fields, object headers).
const EVENT_OVERHEAD_BYTES = 512;

export class ClnSource implements Source {
  readonly name = 'cln';
  // It ends with lightningd's shutdown (or stdin's end); hookd then finishes
  // the queue and exits.
  readonly finite = true;
  readonly ended: Promise<void>;
  private endResolve!: () => void;
  private sink: EventSink | undefined;
  private readonly pending: { readonly event: HookEvent; readonly hooks: readonly string[] | undefined }[] = [];
  private pendingBytes = 0;
  private wake: (() => void) | undefined;
  private finished = false;
  private stopped = false;
  private received = 0;
  private accepted = 0;
  private dropped = 0;
  private droppedSinceReport = 0;

  constructor(private readonly maxPendingBytes = MAX_PENDING_BYTES) {
    this.ended = new Promise((resolve) => (this.endResolve = resolve));
  }

  async start(sink: EventSink): Promise<void> {
    this.sink = sink;
    void this.pump(sink).finally(() => this.endResolve());
  }

  // A notification from lightningd, in arrival order; `hooks` limits it to
  // those hooks (else the dispatcher matches it).
  push(event: HookEvent, hooks?: readonly string[]): void {
    if (this.finished || this.stopped) return;
    this.received++;
    const bytes = event.raw.length + EVENT_OVERHEAD_BYTES;
    if (this.pendingBytes + bytes > this.maxPendingBytes) {
      this.dropped++;
      if (this.droppedSinceReport++ === 0) {
        this.sink?.log.error({ type: event.type, pending: this.pending.length }, `notification buffer full (${this.maxPendingBytes} bytes): dropping notifications until the queue catches up`);
      }
      return;
    }
    this.pending.push({ event, hooks });
    this.pendingBytes += bytes;
    this.wakeUp();
  }

  // Notifications received and not yet in the queue.
  get pendingCount(): number {
    return this.pending.length;
  }

  // No more notifications (shutdown, or stdin closed): what waits is still accepted.
  finish(): void {
    this.finished = true;
    this.wakeUp();
  }

  private wakeUp(): void {
    const wake = this.wake;
    this.wake = undefined;
    wake?.();
  }

  private async pump(sink: EventSink): Promise<void> {
    for (;;) {
      const next = this.pending.shift();
      if (next === undefined) {
        if (this.finished || this.stopped) return;
        await new Promise<void>((resolve) => (this.wake = resolve));
        continue;
      }
      const { event, hooks } = next;
      this.pendingBytes -= event.raw.length + EVENT_OVERHEAD_BYTES;
      if (this.droppedSinceReport > 0 && this.pendingBytes < this.maxPendingBytes / 2) {
        sink.log.error({ dropped: this.droppedSinceReport }, `${this.droppedSinceReport} notifications were dropped while the buffer was full`);
        this.droppedSinceReport = 0;
      }
      if (this.stopped) return;
      try {
        await sink.accept(event, hooks);
        this.accepted++;
      } catch (error) {
        if (!this.stopped) sink.log.error({ type: event.type, id: event.id, error: errorText(error) }, 'cannot queue the notification');
      }
    }
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.pending.length > 0) this.sink?.log.warn({ notifications: this.pending.length }, 'notifications not yet queued at shutdown are dropped');
    this.pending.length = 0;
    this.pendingBytes = 0;
    this.wakeUp();
    this.endResolve();
  }

  status(): Record<string, unknown> {
    return { received: this.received, accepted: this.accepted, pending: this.pending.length, pendingBytes: this.pendingBytes, dropped: this.dropped };
  }
}
