// The journal of one event that bypasses the local queue (a JetStream
// message: JetStream is its queue). It records nothing; it tells the source
// when every delivery of the event has ended, so that the message is
// acknowledged then, or that hookd stopped first, so that it is handed back.
import type { DeliveryJournal, PendingDelivery } from '../store/queue.js';

export class EventCompletion implements DeliveryJournal {
  // Resolves once every delivery is settled; rejects when abandoned first.
  readonly done: Promise<void>;
  private resolve!: () => void;
  private reject!: (error: Error) => void;
  private remaining = 0;

  constructor() {
    this.done = new Promise((resolve, reject) => {
      this.resolve = resolve;
      this.reject = reject;
    });
    // A source that stopped waiting must not see an unhandled rejection.
    this.done.catch(() => {});
  }

  dispatched(_seq: number, hooks: readonly string[]): void {
    this.remaining = hooks.length;
    if (this.remaining === 0) this.resolve();
  }

  settled(): void {
    if (--this.remaining === 0) this.resolve();
  }

  // hookd stops with deliveries of the event unfinished.
  abandon(): void {
    this.reject(new Error('hookd stopped before the hooks of this event ended'));
  }

  attemptStarted(): void {}
  attemptFailed(): void {}

  async recover(): Promise<PendingDelivery[]> {
    return [];
  }
}
